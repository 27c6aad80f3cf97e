/**
 * Rotating refresh tokens. A refresh token is 256 random bits, stored only as its SHA-256 digest,
 * bound to one person in one shop, and lives 30 days. Every use retires it (`replaced_by`) and
 * issues a successor in the same family; presenting a retired token again means it was copied, so
 * the whole family is revoked and whoever holds any of its tokens must sign in again.
 */
import { newId } from '@smartkirana/domain/ids';
import type { Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { randomToken, tokenDigest } from './secrets.ts';

/** Refresh tokens live 30 days (as the seeds had); each rotation starts a fresh 30 days. */
export const REFRESH_TTL_SECONDS = 30 * 24 * 3600;

/** A freshly issued refresh token and what it is bound to. */
export interface IssuedRefresh {
  refreshToken: string;
  familyId: string;
  userId: string;
  shopId: string;
}

/** Issue a refresh token for a person in a shop, in `familyId` or a new family. */
export async function issueRefreshToken(
  s: Services,
  userId: string,
  shopId: string,
  familyId: string = newId(),
): Promise<IssuedRefresh> {
  const refreshToken = randomToken();
  const now = Date.now();
  await s.db.db
    .insertInto('refresh_tokens')
    .values({
      id: newId(),
      family_id: familyId,
      user_id: userId,
      shop_id: shopId,
      token_hash: tokenDigest(refreshToken),
      created_at: now,
      expires_at: now + REFRESH_TTL_SECONDS * 1000,
      revoked_at: null,
      replaced_by: null,
    })
    .execute();
  return { refreshToken, familyId, userId, shopId };
}

type Rotation =
  | { kind: 'rotated'; issued: IssuedRefresh }
  | { kind: 'reused'; familyId: string; userId: string }
  | { kind: 'invalid' }
  | { kind: 'expired' };

/**
 * Use a refresh token: retire it and issue its successor. Throws `token_invalid` for an unknown,
 * revoked or reused token (reuse revokes the family) and `token_expired` for an expired one.
 */
export async function rotateRefreshToken(s: Services, token: string): Promise<IssuedRefresh> {
  const now = Date.now();
  const hash = tokenDigest(token);
  const rotation = await s.db.db.transaction().execute(async (trx): Promise<Rotation> => {
    const row = await trx
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return { kind: 'invalid' };
    if (row.replaced_by !== null)
      return { kind: 'reused', familyId: row.family_id, userId: row.user_id };
    if (row.revoked_at !== null) return { kind: 'invalid' };
    if (row.expires_at <= now) return { kind: 'expired' };
    const successor = randomToken();
    const successorId = newId();
    // Conditional on the row still being live: of two concurrent uses only one rotates; the
    // other sees a retired token, which is exactly what reuse looks like.
    const retired = await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: now, replaced_by: successorId })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(retired.numUpdatedRows) === 0)
      return { kind: 'reused', familyId: row.family_id, userId: row.user_id };
    await trx
      .insertInto('refresh_tokens')
      .values({
        id: successorId,
        family_id: row.family_id,
        user_id: row.user_id,
        shop_id: row.shop_id,
        token_hash: tokenDigest(successor),
        created_at: now,
        expires_at: now + REFRESH_TTL_SECONDS * 1000,
        revoked_at: null,
        replaced_by: null,
      })
      .execute();
    return {
      kind: 'rotated',
      issued: {
        refreshToken: successor,
        familyId: row.family_id,
        userId: row.user_id,
        shopId: row.shop_id,
      },
    };
  });
  switch (rotation.kind) {
    case 'rotated':
      return rotation.issued;
    case 'reused':
      // Outside the transaction above: the revocation must stick even though the request fails.
      await revokeFamily(s, rotation.familyId);
      s.log.warn('refresh token reused; family revoked', {
        userId: rotation.userId,
        familyId: rotation.familyId,
      });
      throw new ApiError('token_invalid', 'refresh token is not valid; sign in again');
    case 'expired':
      throw new ApiError('token_expired', 'refresh token expired; sign in again');
    case 'invalid':
      throw new ApiError('token_invalid', 'refresh token is not valid; sign in again');
  }
}

/** Revoke every live token of a family. */
export async function revokeFamily(s: Services, familyId: string): Promise<void> {
  await s.db.db
    .updateTable('refresh_tokens')
    .set({ revoked_at: Date.now() })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * Revoke the family of `token` if it belongs to `userId` (a token of someone else is ignored, so
 * logout cannot be used to sign other people out). Returns whether a family matched.
 */
export async function revokeFamilyOf(s: Services, userId: string, token: string): Promise<boolean> {
  const row = await s.db.db
    .selectFrom('refresh_tokens')
    .select(['family_id', 'user_id'])
    .where('token_hash', '=', tokenDigest(token))
    .executeTakeFirst();
  if (row?.user_id !== userId) return false;
  await revokeFamily(s, row.family_id);
  return true;
}

/** Revoke every live refresh token of a person, in one shop or (without `shopId`) in all. */
export async function revokeUserTokens(
  s: Services,
  userId: string,
  shopId?: string,
): Promise<void> {
  let query = s.db.db
    .updateTable('refresh_tokens')
    .set({ revoked_at: Date.now() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (shopId !== undefined) query = query.where('shop_id', '=', shopId);
  await query.execute();
}
