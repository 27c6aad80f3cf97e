/**
 * A shop's directory: its people, their memberships and its devices, with the credential hashes
 * that let them sign in. Events mirror who is staff and which devices exist, but not the hashes,
 * so servers of one shop exchange the directory beside the log and merge it row by row,
 * last-writer-wins on `updated_at`. A revocation is never undone by a merge.
 */
import { z } from 'zod';
import { roleSchema } from '@smartkirana/domain/event-fields';
import type { Transaction } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';

const MAX_ROWS = 5000;
const id = z.string().min(1).max(64);
const hash = z.string().min(1).max(512);
const time = z.number().int().min(0);

export const directorySchema = z.strictObject({
  shop: z
    .strictObject({
      id,
      name: z.string().min(1).max(200),
      gstin: z.string().max(15).nullable(),
      stateCode: z.string().min(1).max(2),
      registration: z.string().min(1).max(20),
    })
    .optional(),
  users: z
    .array(
      z.strictObject({
        id,
        phone: z.string().min(1).max(20),
        name: z.string().min(1).max(200),
        passwordHash: hash.nullable(),
        createdAt: time,
        updatedAt: time,
      }),
    )
    .max(MAX_ROWS),
  memberships: z
    .array(
      z.strictObject({
        userId: id,
        role: roleSchema,
        pinHash: hash.nullable(),
        createdAt: time,
        removedAt: time.nullable(),
        updatedAt: time,
      }),
    )
    .max(MAX_ROWS),
  devices: z
    .array(
      z.strictObject({
        id,
        code: z.string().regex(/^[A-Z][0-9]{1,2}$/),
        name: z.string().min(1).max(200),
        kind: z.enum(['till', 'server', 'phone']),
        secretHash: hash,
        createdAt: time,
        revokedAt: time.nullable(),
        updatedAt: time,
      }),
    )
    .max(MAX_ROWS),
});

export type Directory = z.infer<typeof directorySchema>;

export interface MergeReport {
  changed: number;
  /** Rows that could not be taken, with why (a phone or device code already used differently). */
  skipped: string[];
}

/** Read a shop's directory. */
export async function readDirectory(db: Db, shopId: string): Promise<Directory> {
  const k = db.db;
  const shop = await k
    .selectFrom('shops')
    .select(['id', 'name', 'gstin', 'state_code', 'registration'])
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow();
  const members = await k
    .selectFrom('memberships')
    .selectAll()
    .where('shop_id', '=', shopId)
    .orderBy('user_id')
    .execute();
  const users =
    members.length === 0
      ? []
      : await k
          .selectFrom('users')
          .selectAll()
          .where(
            'id',
            'in',
            members.map((m) => m.user_id),
          )
          .orderBy('id')
          .execute();
  const devices = await k
    .selectFrom('devices')
    .selectAll()
    .where('shop_id', '=', shopId)
    .orderBy('id')
    .execute();
  return {
    shop: {
      id: shop.id,
      name: shop.name,
      gstin: shop.gstin,
      stateCode: shop.state_code,
      registration: shop.registration,
    },
    users: users.map((u) => ({
      id: u.id,
      phone: u.phone,
      name: u.name,
      passwordHash: u.password_hash,
      createdAt: u.created_at,
      updatedAt: u.updated_at ?? u.created_at,
    })),
    memberships: members.map((m) => ({
      userId: m.user_id,
      role: m.role as Directory['memberships'][number]['role'],
      pinHash: m.pin_hash,
      createdAt: m.created_at,
      removedAt: m.removed_at,
      updatedAt: m.updated_at ?? m.created_at,
    })),
    devices: devices.map((d) => ({
      id: d.id,
      code: d.code,
      name: d.name,
      kind: d.kind as Directory['devices'][number]['kind'],
      secretHash: d.secret_hash,
      createdAt: d.created_at,
      revokedAt: d.revoked_at,
      updatedAt: d.updated_at ?? d.created_at,
    })),
  };
}

/**
 * Who sent a directory. From a downstream server (a shop box, which sits in a shop and could be
 * taken) less is accepted: people it adds are taken, but an existing person's account (phone,
 * password) changes only at the top of the tree, and nobody becomes or stops being an owner from
 * below. Otherwise a stolen box could set the owner's password in the cloud and take every shop
 * of that owner.
 */
export type DirectorySource = 'upstream' | 'downstream';

/** Merge another server's directory of the shop into this database. */
export async function mergeDirectory(
  db: Db,
  shopId: string,
  incoming: Directory,
  source: DirectorySource,
): Promise<MergeReport> {
  return db.db.transaction().execute(async (trx) => {
    const report: MergeReport = { changed: 0, skipped: [] };
    await mergeUsers(trx, incoming, report, source);
    await mergeMemberships(trx, shopId, incoming, report, source);
    await mergeDevices(trx, shopId, incoming, report);
    return report;
  });
}

type Tx = Transaction<Database>;

async function mergeUsers(
  trx: Tx,
  incoming: Directory,
  report: MergeReport,
  source: DirectorySource,
): Promise<void> {
  for (const u of incoming.users) {
    const mine = await trx
      .selectFrom('users')
      .selectAll()
      .where('id', '=', u.id)
      .executeTakeFirst();
    const phoneOwner = await trx
      .selectFrom('users')
      .select('id')
      .where('phone', '=', u.phone)
      .executeTakeFirst();
    if (phoneOwner && phoneOwner.id !== u.id) {
      report.skipped.push(`person ${u.id}: phone is another person's here`);
      continue;
    }
    if (!mine) {
      await trx
        .insertInto('users')
        .values({
          id: u.id,
          phone: u.phone,
          name: u.name,
          password_hash: u.passwordHash,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
        })
        .execute();
      report.changed += 1;
    } else if (
      source === 'upstream'
        ? // Accounts are the upstream's: its version wins whatever the clocks say.
          mine.phone !== u.phone || mine.name !== u.name || mine.password_hash !== u.passwordHash
        : u.updatedAt > (mine.updated_at ?? mine.created_at)
    ) {
      if (source === 'downstream') {
        report.skipped.push(`person ${u.id}: accounts change only at the upstream`);
        continue;
      }
      await trx
        .updateTable('users')
        .set({
          phone: u.phone,
          name: u.name,
          password_hash: u.passwordHash,
          updated_at: u.updatedAt,
        })
        .where('id', '=', u.id)
        .execute();
      report.changed += 1;
    }
  }
}

async function mergeMemberships(
  trx: Tx,
  shopId: string,
  incoming: Directory,
  report: MergeReport,
  source: DirectorySource,
): Promise<void> {
  for (const m of incoming.memberships) {
    const person = await trx
      .selectFrom('users')
      .select('id')
      .where('id', '=', m.userId)
      .executeTakeFirst();
    if (!person) {
      report.skipped.push(`membership of ${m.userId}: no such person here`);
      continue;
    }
    const mine = await trx
      .selectFrom('memberships')
      .selectAll()
      .where('user_id', '=', m.userId)
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    // From below, nobody becomes, stops being or is removed as an owner (a PIN may change).
    const ownerBefore = mine?.role === 'owner' && mine.removed_at === null;
    const ownerAfter = m.role === 'owner' && m.removedAt === null;
    if (source === 'downstream' && ownerBefore !== ownerAfter) {
      report.skipped.push(`membership of ${m.userId}: owners change only at the upstream`);
      continue;
    }
    const row = {
      role: m.role,
      pin_hash: m.pinHash,
      removed_at: m.removedAt,
      updated_at: m.updatedAt,
    };
    if (!mine) {
      await trx
        .insertInto('memberships')
        .values({ user_id: m.userId, shop_id: shopId, created_at: m.createdAt, ...row })
        .execute();
      report.changed += 1;
    } else if (m.updatedAt > (mine.updated_at ?? mine.created_at)) {
      await trx
        .updateTable('memberships')
        .set(row)
        .where('user_id', '=', m.userId)
        .where('shop_id', '=', shopId)
        .execute();
      report.changed += 1;
    }
  }
}

async function mergeDevices(
  trx: Tx,
  shopId: string,
  incoming: Directory,
  report: MergeReport,
): Promise<void> {
  for (const d of incoming.devices) {
    const mine = await trx
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', d.id)
      .executeTakeFirst();
    if (mine && mine.shop_id !== shopId) {
      report.skipped.push(`device ${d.id}: belongs to another shop here`);
      continue;
    }
    const codeHolder = await trx
      .selectFrom('devices')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('code', '=', d.code)
      .executeTakeFirst();
    if (codeHolder && codeHolder.id !== d.id) {
      report.skipped.push(`device ${d.id}: code ${d.code} is another device's here`);
      continue;
    }
    if (!mine) {
      await trx
        .insertInto('devices')
        .values({
          id: d.id,
          shop_id: shopId,
          code: d.code,
          name: d.name,
          kind: d.kind,
          secret_hash: d.secretHash,
          created_at: d.createdAt,
          revoked_at: d.revokedAt,
          last_seen_at: null,
          updated_at: d.updatedAt,
        })
        .execute();
      report.changed += 1;
      continue;
    }
    // Once revoked, a device stays revoked whichever side wins.
    const revokedAt = mine.revoked_at ?? d.revokedAt;
    const newer = d.updatedAt > (mine.updated_at ?? mine.created_at);
    if (newer || revokedAt !== mine.revoked_at) {
      await trx
        .updateTable('devices')
        .set({
          revoked_at: revokedAt,
          ...(newer ? { name: d.name, secret_hash: d.secretHash, updated_at: d.updatedAt } : {}),
        })
        .where('id', '=', d.id)
        .execute();
      report.changed += 1;
    }
  }
}
