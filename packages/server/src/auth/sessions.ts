/**
 * Signing a person in: checking a password without revealing which phones have accounts, choosing
 * the shop they act in, and issuing the access + refresh token pair with their profile.
 */
import type { Role } from '@smartkirana/domain/event-fields';
import type { Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { issueRefreshToken, REFRESH_TTL_SECONDS } from './refresh.ts';
import { hashSecret, randomToken, verifySecret } from './secrets.ts';
import { ACCESS_TTL_SECONDS, signAccessToken } from './tokens.ts';

/** A shop a person belongs to, with their role there. */
export interface ShopMembership {
  id: string;
  name: string;
  role: Role;
}

/** Who is signed in, where, and the other shops they may switch to. */
export interface Profile {
  user: { id: string; name: string; phone: string };
  shop: {
    id: string;
    name: string;
    stateCode: string;
    gstin: string | null;
    registration: string;
  };
  role: Role;
  shops: ShopMembership[];
}

/** A profile with a fresh token pair. */
export interface Session extends Profile {
  tokenType: 'Bearer';
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshExpiresIn: number;
}

const WRONG = 'phone number or password is wrong';

/**
 * Check a phone and password; returns the user id or throws `invalid_credentials`. An unknown
 * phone, or an account without a password, is verified against a dummy hash of the same cost, so
 * the answer and its timing are the same as for a wrong password.
 */
export async function checkPassword(s: Services, phone: string, password: string): Promise<string> {
  const user = await s.db.db
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where('phone', '=', phone)
    .executeTakeFirst();
  const ok = await verifySecret(user?.password_hash ?? (await dummyHash()), password);
  if (!user?.password_hash || !ok) throw new ApiError('invalid_credentials', WRONG);
  return user.id;
}

/** The shops a person currently belongs to, oldest membership first. */
export async function membershipsOf(s: Services, userId: string): Promise<ShopMembership[]> {
  const rows = await s.db.db
    .selectFrom('memberships')
    .innerJoin('shops', 'shops.id', 'memberships.shop_id')
    .select(['shops.id as id', 'shops.name as name', 'memberships.role as role'])
    .where('memberships.user_id', '=', userId)
    .where('memberships.removed_at', 'is', null)
    .orderBy('memberships.created_at')
    .orderBy('shops.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as Role }));
}

/** The profile of a person acting in `shopId` (they must belong to it). */
export async function loadProfile(s: Services, userId: string, shopId: string): Promise<Profile> {
  const shops = await membershipsOf(s, userId);
  const current = shops.find((m) => m.id === shopId);
  if (!current) throw new ApiError('forbidden', 'not a member of that shop');
  const user = await s.db.db
    .selectFrom('users')
    .select(['id', 'name', 'phone'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const shop = await s.db.db
    .selectFrom('shops')
    .select(['id', 'name', 'state_code', 'gstin', 'registration'])
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow();
  return {
    user,
    shop: {
      id: shop.id,
      name: shop.name,
      stateCode: shop.state_code,
      gstin: shop.gstin,
      registration: shop.registration,
    },
    role: current.role,
    shops,
  };
}

/**
 * Start a session (a new refresh family) in `shopId`, or in the person's first shop when none is
 * named. Throws `forbidden` if they do not belong to that shop, or to any.
 */
export async function startSession(
  s: Services,
  userId: string,
  shopId: string | undefined,
): Promise<Session> {
  const shops = await membershipsOf(s, userId);
  const chosen = shopId === undefined ? shops[0] : shops.find((m) => m.id === shopId);
  if (!chosen)
    throw new ApiError(
      'forbidden',
      shopId === undefined ? 'not a member of any shop' : 'not a member of that shop',
    );
  const { refreshToken } = await issueRefreshToken(s, userId, chosen.id);
  return sessionFor(s, userId, chosen.id, refreshToken);
}

/** A session for a person in a shop with an already issued refresh token. */
export async function sessionFor(
  s: Services,
  userId: string,
  shopId: string,
  refreshToken: string,
): Promise<Session> {
  const profile = await loadProfile(s, userId, shopId);
  const accessToken = await signAccessToken(s.jwtKey, {
    typ: 'user',
    sub: userId,
    shop: shopId,
    role: profile.role,
  });
  return {
    tokenType: 'Bearer',
    accessToken,
    refreshToken,
    expiresIn: ACCESS_TTL_SECONDS,
    refreshExpiresIn: REFRESH_TTL_SECONDS,
    ...profile,
  };
}

let dummy: Promise<string> | undefined;

/** A real argon2id hash of a random secret, made once per process with the same cost. */
function dummyHash(): Promise<string> {
  dummy ??= hashSecret(randomToken());
  return dummy;
}
