/** Request and response schemas shared by the authentication, staff and device routes. */
import { phoneSchema, roleSchema } from '@smartkirana/domain/event-fields';
import { uuidSchema } from '@smartkirana/domain/ids';
import { z } from 'zod';

/** A new password: 8–128 characters (argon2 takes any bytes; the cap bounds hashing work). */
export const newPasswordSchema = z.string().min(8).max(128);
/** A password being checked: any non-empty string up to the cap (older accounts may be shorter). */
export const passwordSchema = z.string().min(1).max(128);
/** A till sign-in PIN: 4 to 6 digits. */
export const pinSchema = z.string().regex(/^\d{4,6}$/, 'a 4 to 6 digit PIN');
/** A refresh token as issued (base64url of 32 bytes); the bound keeps junk out of the lookup. */
export const refreshTokenSchema = z.string().min(1).max(256);

/** Body of a login by password. */
export const loginBody = z.strictObject({
  phone: phoneSchema,
  password: passwordSchema,
  shopId: uuidSchema.optional(),
});

const membership = z.object({ id: z.string(), name: z.string(), role: roleSchema });

/** Who is signed in (GET /auth/me). */
export const profileResponse = z.object({
  user: z.object({ id: z.string(), name: z.string(), phone: z.string() }),
  shop: z.object({
    id: z.string(),
    name: z.string(),
    stateCode: z.string(),
    gstin: z.string().nullable(),
    registration: z.string(),
  }),
  role: roleSchema,
  shops: z.array(membership),
});

/** A profile with a fresh token pair (login, OTP, refresh, register, switch-shop). */
export const sessionResponse = profileResponse.extend({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  refreshExpiresIn: z.number().int(),
});

/** Path parameter of the staff routes. */
export const userParams = z.object({ userId: uuidSchema });
/** Path parameter of the device routes. */
export const deviceParams = z.object({ deviceId: uuidSchema });
