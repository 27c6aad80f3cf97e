/**
 * Staff of a shop: list, add, change a role, set a till PIN, remove. Rows are written and then
 * mirrored as events (`v1.StaffAdded`, `v1.StaffRemoved`) so every replica knows the shop's people.
 * A person of another shop is `not_found`, exactly like an id that does not exist.
 */
import type { Hono } from 'hono';
import { nameSchema, phoneSchema, roleSchema, type Role } from '@smartkirana/domain/event-fields';
import { z } from 'zod';
import type { AppEnv, Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { addStaff, recordAsServer } from '../shops.ts';
import { revokeUserTokens } from '../auth/refresh.ts';
import { hashSecret } from '../auth/secrets.ts';
import { mayGrant, mayManage } from '../auth/staff-rules.ts';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import { newPasswordSchema, pinSchema, userParams } from './auth-schemas.ts';
import { route } from './route.ts';
import { atTopOnly } from '../replication/routes.ts';

const staffMember = z.object({
  userId: z.string(),
  name: z.string(),
  phone: z.string(),
  role: roleSchema,
  hasPin: z.boolean(),
  createdAt: z.number().int(),
});

const TAG = 'staff';

/** Register the staff routes. */
export function staffRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/staff',
      summary: 'People of the shop and their roles',
      tag: TAG,
      access: 'user',
      roles: ['owner', 'manager'],
      response: z.object({ staff: z.array(staffMember) }),
    },
    async (c, { auth }) => {
      const rows = await c
        .get('services')
        .db.db.selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select([
          'users.id as userId',
          'users.name as name',
          'users.phone as phone',
          'memberships.role as role',
          'memberships.pin_hash as pinHash',
          'memberships.created_at as createdAt',
        ])
        .where('memberships.shop_id', '=', auth.shopId)
        .where('memberships.removed_at', 'is', null)
        .orderBy('memberships.created_at')
        .orderBy('users.id')
        .execute();
      // The PIN hash itself stays on the server (tills get it through the sync staff list).
      return { staff: rows.map(({ pinHash, ...r }) => ({ ...r, hasPin: pinHash !== null })) };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/staff',
      summary: 'Add a person to the shop (a manager may add cashiers, stockkeepers, accountants)',
      tag: TAG,
      access: 'user',
      roles: ['owner', 'manager'],
      body: z.strictObject({
        name: nameSchema,
        phone: phoneSchema,
        role: roleSchema,
        pin: pinSchema.optional(),
        password: newPasswordSchema.optional(),
      }),
      response: staffMember.omit({ hasPin: true, createdAt: true }),
    },
    async (c, { body, auth }) => {
      const s = c.get('services');
      if (!mayGrant(auth.role, body.role))
        throw new ApiError('forbidden', `a ${auth.role} may not add a ${body.role}`);
      const current = await s.db.db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select('memberships.role')
        .where('users.phone', '=', body.phone)
        .where('memberships.shop_id', '=', auth.shopId)
        .where('memberships.removed_at', 'is', null)
        .executeTakeFirst();
      // Adding again would silently change their role (and a manager could demote an owner).
      if (current) throw new ApiError('conflict', 'already staff of this shop; change their role');
      const { userId } = await addStaff(s, auth.shopId, auth.userId, body).catch((err: unknown) => {
        // Someone else added (or registered) this phone at the same moment.
        if (isUniqueViolation(err))
          throw new ApiError('conflict', 'this phone was just added; retry');
        throw err;
      });
      s.log.info('staff added', { shopId: auth.shopId, userId, role: body.role });
      return { userId, name: body.name, phone: body.phone, role: body.role };
    },
  );

  route(
    app,
    {
      method: 'patch',
      path: '/api/v1/staff/:userId',
      summary: "Change a person's role (owner only)",
      tag: TAG,
      access: 'user',
      roles: ['owner'],
      params: userParams,
      body: z.strictObject({ role: roleSchema }),
      response: staffMember.omit({ hasPin: true, createdAt: true }),
    },
    async (c, { params, body, auth }) => {
      const s = c.get('services');
      const member = await memberOf(s, auth.shopId, params.userId);
      // The shop must keep the owner who is acting; another owner can change theirs.
      if (params.userId === auth.userId)
        throw new ApiError('forbidden', 'you cannot change your own role');
      if (!mayGrant(auth.role, body.role))
        throw new ApiError('forbidden', `a ${auth.role} may not grant ${body.role}`);
      if (member.role !== body.role && (member.role === 'owner' || body.role === 'owner'))
        await atTopOnly(s, auth.shopId, 'owners are made and unmade');
      if (member.role !== body.role) {
        await s.db.db
          .updateTable('memberships')
          .set({ role: body.role, updated_at: Date.now() })
          .where('user_id', '=', params.userId)
          .where('shop_id', '=', auth.shopId)
          .execute();
        // There is no "role changed" event: v1.StaffAdded with the new role is the staff
        // record's last-writer-wins update on every replica.
        await recordAsServer(s, auth.shopId, auth.userId, (w) => {
          w.emit('v1.StaffAdded', {
            userId: params.userId,
            name: member.name,
            role: body.role,
            phone: member.phone,
          });
        });
        s.log.info('staff role changed', { shopId: auth.shopId, userId: params.userId });
      }
      return { userId: params.userId, name: member.name, phone: member.phone, role: body.role };
    },
  );

  route(
    app,
    {
      method: 'put',
      path: '/api/v1/staff/:userId/pin',
      summary: "Set a person's till PIN (owner, manager for their staff, or the person)",
      tag: TAG,
      access: 'user',
      params: userParams,
      body: z.strictObject({ pin: pinSchema }),
      response: z.object({ ok: z.literal(true) }),
    },
    async (c, { params, body, auth }) => {
      const s = c.get('services');
      const member = await memberOf(s, auth.shopId, params.userId);
      if (params.userId !== auth.userId && !mayManage(auth.role, member.role))
        throw new ApiError('forbidden', `a ${auth.role} may not set this person's PIN`);
      await s.db.db
        .updateTable('memberships')
        .set({ pin_hash: await hashSecret(body.pin), updated_at: Date.now() })
        .where('user_id', '=', params.userId)
        .where('shop_id', '=', auth.shopId)
        .execute();
      return { ok: true };
    },
  );

  route(
    app,
    {
      method: 'delete',
      path: '/api/v1/staff/:userId',
      summary: 'Remove a person from the shop (they are signed out at once)',
      tag: TAG,
      access: 'user',
      roles: ['owner', 'manager'],
      params: userParams,
      response: z.object({ removed: z.literal(true) }),
    },
    async (c, { params, auth }) => {
      const s = c.get('services');
      const member = await memberOf(s, auth.shopId, params.userId);
      // Also keeps the actor a member, which recording the removal event requires.
      if (params.userId === auth.userId)
        throw new ApiError('forbidden', 'you cannot remove yourself');
      if (!mayManage(auth.role, member.role))
        throw new ApiError('forbidden', `a ${auth.role} may not remove a ${member.role}`);
      if (member.role === 'owner') await atTopOnly(s, auth.shopId, 'owners are removed');
      await s.db.db
        .updateTable('memberships')
        .set({ removed_at: Date.now(), updated_at: Date.now() })
        .where('user_id', '=', params.userId)
        .where('shop_id', '=', auth.shopId)
        .execute();
      await revokeUserTokens(s, params.userId, auth.shopId);
      await recordAsServer(s, auth.shopId, auth.userId, (w) => {
        w.emit('v1.StaffRemoved', { userId: params.userId });
      });
      s.log.info('staff removed', { shopId: auth.shopId, userId: params.userId });
      return { removed: true };
    },
  );
}

/** An active member of the shop, or `not_found` (also for people of other shops). */
async function memberOf(
  s: Services,
  shopId: string,
  userId: string,
): Promise<{ role: Role; name: string; phone: string }> {
  const row = await s.db.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.role as role', 'users.name as name', 'users.phone as phone'])
    .where('memberships.user_id', '=', userId)
    .where('memberships.shop_id', '=', shopId)
    .where('memberships.removed_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', 'no such person in this shop');
  return { role: row.role as Role, name: row.name, phone: row.phone };
}
