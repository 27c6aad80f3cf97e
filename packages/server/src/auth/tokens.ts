/**
 * Access tokens: short-lived HS256 JWTs signed with jose. A user token names the person, shop and
 * role; a device token names the device and shop. Only HS256 is accepted (`alg: none` and every
 * other algorithm are refused), and expiry and not-before are enforced.
 */
import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { roleSchema } from '@smartkirana/domain/event-fields';
import { z } from 'zod';
import { ApiError } from '../errors.ts';

export const ISSUER = 'smartkirana';
export const AUDIENCE = 'smartkirana-api';
/** Access tokens live 24 hours (as the seeds had). */
export const ACCESS_TTL_SECONDS = 24 * 3600;

const userClaims = z.object({
  typ: z.literal('user'),
  sub: z.string(),
  shop: z.string(),
  role: roleSchema,
});
const deviceClaims = z.object({ typ: z.literal('device'), sub: z.string(), shop: z.string() });
const claimsSchema = z.discriminatedUnion('typ', [userClaims, deviceClaims]);
export type TokenClaims = z.infer<typeof claimsSchema>;

/**
 * The HMAC key imported once per secret: given raw bytes, jose imports them into WebCrypto on
 * every call, which costs more than the signature check itself.
 */
const imported = new WeakMap<Uint8Array, Promise<webcrypto.CryptoKey>>();

function hmacKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  let key = imported.get(secret);
  if (!key) {
    key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    imported.set(secret, key);
  }
  return key;
}

/** Sign an access token for a user or a device. */
export async function signAccessToken(
  key: Uint8Array,
  claims: TokenClaims,
  ttlSeconds = ACCESS_TTL_SECONDS,
): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${ttlSeconds}s`)
    .setJti(crypto.randomUUID())
    .sign(await hmacKey(key));
}

/** Verify an access token; throws `ApiError` with `token_expired` or `token_invalid`. */
export async function verifyAccessToken(key: Uint8Array, token: string): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(key), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) throw new ApiError('token_invalid', 'token claims are not valid');
    return parsed.data;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof errors.JWTExpired) throw new ApiError('token_expired', 'token expired');
    throw new ApiError('token_invalid', 'token not valid');
  }
}
