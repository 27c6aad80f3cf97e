/**
 * Authentication routes: register a shop, sign in by password or OTP, refresh, sign out, switch
 * shop. The staff, device and profile routes of the same group are registered from here too.
 * Every answer about credentials is the same for an unknown phone as for a wrong secret.
 */
import type { Hono } from 'hono';
import { nameSchema, phoneSchema } from '@smartkirana/domain/event-fields';
import { gstinSchema, stateCodeSchema } from '@smartkirana/domain/gst';
import { uuidSchema } from '@smartkirana/domain/ids';
import { z } from 'zod';
import type { AppEnv, Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { createShop } from '../shops.ts';
import { sendOtp, verifyOtp } from '../auth/otp-service.ts';
import {
  revokeFamily,
  revokeFamilyOf,
  revokeUserTokens,
  rotateRefreshToken,
} from '../auth/refresh.ts';
import {
  checkPassword,
  membershipsOf,
  sessionFor,
  startSession,
  type Session,
} from '../auth/sessions.ts';
import { throttle } from '../auth/throttle.ts';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import {
  loginBody,
  newPasswordSchema,
  refreshTokenSchema,
  sessionResponse,
} from './auth-schemas.ts';
import { authMeRoutes } from './auth-me-routes.ts';
import { deviceRoutes } from './device-routes.ts';
import { route } from './route.ts';
import { staffRoutes } from './staff-routes.ts';

const registerBody = z
  .strictObject({
    shopName: nameSchema,
    gstin: gstinSchema.optional(),
    stateCode: stateCodeSchema,
    registration: z.enum(['regular', 'composition', 'unregistered']).default('regular'),
    ownerName: nameSchema,
    phone: phoneSchema,
    password: newPasswordSchema,
  })
  .refine((b) => b.gstin === undefined || b.gstin.startsWith(b.stateCode), {
    message: 'the GSTIN belongs to another state',
    path: ['gstin'],
  })
  .refine((b) => b.gstin === undefined || b.registration !== 'unregistered', {
    message: 'an unregistered shop has no GSTIN',
    path: ['gstin'],
  });

const TAG = 'auth';

/** Register the authentication, profile, staff and device routes. */
export function authRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/register',
      summary: 'Register a shop and its owner; signs the owner in',
      tag: TAG,
      access: 'public',
      body: registerBody,
      response: sessionResponse,
    },
    async (c, { body }) => {
      const s = c.get('services');
      // Registering costs two argon2 hashes: the same per-phone limit as signing in.
      throttle(c, s.limits.login, `register:${body.phone}`);
      const { shopId, ownerId } = await createShop(s, {
        name: body.shopName,
        gstin: body.gstin,
        stateCode: body.stateCode,
        registration: body.registration,
        owner: { name: body.ownerName, phone: body.phone, password: body.password },
      }).catch((err: unknown) => {
        // A concurrent registration of the same phone won the unique key.
        if (isUniqueViolation(err))
          throw new ApiError('phone_taken', 'this phone already has an account');
        throw err;
      });
      s.log.info('shop registered', { shopId, userId: ownerId });
      return c.json(await startSession(s, ownerId, shopId), 201);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/login',
      summary: 'Sign in with phone and password',
      tag: TAG,
      access: 'public',
      body: loginBody,
      response: sessionResponse,
    },
    async (c, { body }) => {
      const s = c.get('services');
      throttle(c, s.limits.login, `login:${body.phone}`);
      const userId = await checkPassword(s, body.phone, body.password);
      return c.json(await signIn(s, userId, body.shopId, 'password'), 200);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/otp/send',
      summary: 'Send a sign-in code by SMS (same answer whether or not the phone has an account)',
      tag: TAG,
      access: 'public',
      body: z.strictObject({ phone: phoneSchema }),
      response: z.object({ sent: z.literal(true) }),
    },
    async (c, { body }) => {
      const s = c.get('services');
      throttle(c, s.limits.otp, `otp:${body.phone}`);
      await sendOtp(s, body.phone);
      return c.json({ sent: true }, 202);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/otp/verify',
      summary: 'Sign in with a code sent by SMS',
      tag: TAG,
      access: 'public',
      body: z.strictObject({
        phone: phoneSchema,
        code: z.string().regex(/^\d{6}$/, 'a 6-digit code'),
        shopId: uuidSchema.optional(),
      }),
      response: sessionResponse,
    },
    async (c, { body }) => {
      const s = c.get('services');
      const userId = await verifyOtp(s, body.phone, body.code);
      return c.json(await signIn(s, userId, body.shopId, 'otp'), 200);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/refresh',
      summary: 'Exchange a refresh token for a new token pair (the old one is retired)',
      tag: TAG,
      access: 'public',
      body: z.strictObject({ refreshToken: refreshTokenSchema }),
      response: sessionResponse,
    },
    async (c, { body }) => {
      const s = c.get('services');
      const issued = await rotateRefreshToken(s, body.refreshToken);
      const shops = await membershipsOf(s, issued.userId);
      if (!shops.some((m) => m.id === issued.shopId)) {
        // Removed from the shop since signing in: the family ends here.
        await revokeFamily(s, issued.familyId);
        throw new ApiError('token_invalid', 'no longer a member of this shop');
      }
      return c.json(await sessionFor(s, issued.userId, issued.shopId, issued.refreshToken), 200);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/logout',
      summary:
        'Sign out: revoke the given refresh token family, or without one every session in this shop',
      tag: TAG,
      access: 'user',
      body: z.strictObject({ refreshToken: refreshTokenSchema.optional() }),
      response: z.object({ ok: z.literal(true) }),
    },
    async (c, { body, auth }) => {
      const s = c.get('services');
      if (body.refreshToken !== undefined) await revokeFamilyOf(s, auth.userId, body.refreshToken);
      else await revokeUserTokens(s, auth.userId, auth.shopId);
      return c.json({ ok: true }, 200);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/switch-shop',
      summary: 'Act in another shop the person belongs to (new token pair)',
      tag: TAG,
      access: 'user',
      body: z.strictObject({ shopId: uuidSchema }),
      response: sessionResponse,
    },
    async (c, { body, auth }) => {
      const s = c.get('services');
      return c.json(await startSession(s, auth.userId, body.shopId), 200);
    },
  );

  authMeRoutes(app);
  staffRoutes(app);
  deviceRoutes(app);
}

/** Start the session of a person whose credentials checked out, and log how they signed in. */
async function signIn(
  s: Services,
  userId: string,
  shopId: string | undefined,
  method: 'password' | 'otp',
): Promise<Session> {
  const session = await startSession(s, userId, shopId);
  s.log.info('signed in', { userId, shopId: session.shop.id, method });
  return session;
}
