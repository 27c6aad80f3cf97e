/**
 * Authenticating a request from its `Authorization: Bearer` token. A user token is checked against
 * the live membership (a removed person or changed role takes effect at once); a device token
 * against the device row (a revoked device is marked, and may only push into quarantine).
 */
import type { Context } from 'hono';
import type { Role } from '@smartkirana/domain/event-fields';
import type { AppEnv, Auth } from '../context.ts';
import { ApiError } from '../errors.ts';
import { verifyAccessToken } from './tokens.ts';

/** Authenticate the caller; `access` says which kinds of caller the route accepts. */
export async function authenticate(
  c: Context<AppEnv>,
  access: 'user' | 'device' | 'any',
): Promise<Auth> {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9._-]{10,4096})$/.exec(header);
  if (!match?.[1]) throw new ApiError('unauthenticated', 'sign in first');
  const services = c.get('services');
  const claims = await verifyAccessToken(services.jwtKey, match[1]);
  const { db } = services.db;
  let auth: Auth;
  if (claims.typ === 'user') {
    const member = await db
      .selectFrom('memberships')
      .select(['role'])
      .where('user_id', '=', claims.sub)
      .where('shop_id', '=', claims.shop)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!member) throw new ApiError('token_invalid', 'no longer a member of this shop');
    auth = { kind: 'user', userId: claims.sub, shopId: claims.shop, role: member.role as Role };
  } else {
    const device = await db
      .selectFrom('devices')
      .select(['shop_id', 'kind', 'revoked_at'])
      .where('id', '=', claims.sub)
      .executeTakeFirst();
    if (device?.shop_id !== claims.shop) throw new ApiError('token_invalid', 'unknown device');
    auth = {
      kind: 'device',
      deviceId: claims.sub,
      shopId: claims.shop,
      deviceKind: device.kind as 'till' | 'server' | 'phone',
      revoked: device.revoked_at !== null,
    };
  }
  if (access !== 'any' && auth.kind !== access)
    throw new ApiError('forbidden', `this needs a ${access} token`);
  c.set('auth', auth);
  return auth;
}
