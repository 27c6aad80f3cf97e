/**
 * The signed-in person's own profile: who they are, the shop they act in, the shops they may
 * switch to; and changing their name or password (which needs the current password).
 */
import type { Hono } from 'hono';
import { nameSchema } from '@smartkirana/domain/event-fields';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { revokeUserTokens } from '../auth/refresh.ts';
import { hashSecret, verifySecret } from '../auth/secrets.ts';
import { loadProfile, startSession } from '../auth/sessions.ts';
import { throttle } from '../auth/throttle.ts';
import { newPasswordSchema, passwordSchema, profileResponse } from './auth-schemas.ts';
import { route } from './route.ts';
import { atTopOnly } from '../replication/routes.ts';

const patchBody = z
  .strictObject({
    name: nameSchema.optional(),
    currentPassword: passwordSchema.optional(),
    newPassword: newPasswordSchema.optional(),
  })
  .refine((b) => b.name !== undefined || b.newPassword !== undefined, {
    message: 'give a new name or a new password',
  });

/** Register `GET` and `PATCH /api/v1/auth/me`. */
export function authMeRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/auth/me',
      summary: 'Who is signed in, in which shop, and their other shops',
      tag: 'auth',
      access: 'user',
      response: profileResponse,
    },
    async (c, { auth }) => loadProfile(c.get('services'), auth.userId, auth.shopId),
  );

  route(
    app,
    {
      method: 'patch',
      path: '/api/v1/auth/me',
      summary:
        'Change your name or password; a new password signs out every other session and returns new tokens',
      tag: 'auth',
      access: 'user',
      body: patchBody,
      response: profileResponse,
    },
    async (c, { body, auth }) => {
      const s = c.get('services');
      const { db } = s.db;
      const user = await db
        .selectFrom('users')
        .select(['phone', 'password_hash'])
        .where('id', '=', auth.userId)
        .executeTakeFirstOrThrow();
      let passwordHash: string | undefined;
      // An account belongs to the top of the tree; a linked shop server would be overwritten.
      if (body.newPassword !== undefined || body.name !== undefined)
        await atTopOnly(s, auth.shopId, 'change your name or password');
      if (body.newPassword !== undefined) {
        // A person who signs in by OTP only may set a first password; changing one needs it.
        if (user.password_hash !== null) {
          throttle(c, s.limits.login, `login:${user.phone}`);
          const ok = await verifySecret(user.password_hash, body.currentPassword ?? '');
          if (!ok) throw new ApiError('invalid_credentials', 'the current password is wrong');
        }
        passwordHash = await hashSecret(body.newPassword);
      }
      await db
        .updateTable('users')
        .set({
          updated_at: Date.now(),
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
        })
        .where('id', '=', auth.userId)
        .execute();
      if (passwordHash === undefined) return loadProfile(s, auth.userId, auth.shopId);
      // Whoever else holds a refresh token of this person must sign in with the new password.
      await revokeUserTokens(s, auth.userId);
      s.log.info('password changed', { userId: auth.userId });
      return startSession(s, auth.userId, auth.shopId);
    },
  );
}
