/**
 * Replication routes. For a downstream server (a server-kind device of the shop): the shop's
 * directory, read and merged, and enrolling devices on its behalf. For people: the replication
 * status of this server's link to its upstream and of the servers linked below it.
 */
import type { Hono } from 'hono';
import { nameSchema } from '@smartkirana/domain/event-fields';
import { uuidSchema } from '@smartkirana/domain/ids';
import { z } from 'zod';
import type { AppEnv, DeviceAuth, Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { route } from '../http/route.ts';
import { enrollDevice } from '../shops.ts';
import { directorySchema, mergeDirectory, readDirectory } from './directory.ts';
import { linkStatus, type LinkStatus } from './upstream.ts';

/** A server linked below this one, as this server sees it. */
export interface DownstreamStatus {
  deviceId: string;
  code: string;
  name: string;
  revoked: boolean;
  lastSeenAt: number | null;
  /** Events it said it still had to push, and when it said so. */
  unpushed: number | null;
  unpushedAt: number | null;
  /** How far behind this server's log its last pull was. */
  behind: number | null;
  pulledAt: number | null;
}

export interface ReplicationStatus {
  upstream: LinkStatus | null;
  downstream: DownstreamStatus[];
}

/** Register the replication routes. */
export function replicationRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/sync/v1/directory',
      summary: "The shop's people, memberships and devices with credential hashes (servers only)",
      tag: 'sync',
      access: 'device',
    },
    async (c, { auth }) => {
      serverOnly(auth);
      return readDirectory(c.get('services').db, auth.shopId);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/sync/v1/directory',
      summary: "Merge another server's directory of the shop (last writer wins per row)",
      tag: 'sync',
      access: 'device',
      body: directorySchema,
    },
    async (c, { auth, body }) => {
      serverOnly(auth);
      // The shop's own record is only read by a server linking for the first time.
      return mergeDirectory(
        c.get('services').db,
        auth.shopId,
        { ...body, shop: undefined },
        'downstream',
      );
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/sync/v1/enroll',
      summary: 'Enroll a device for a person at a downstream server (codes are allocated here)',
      tag: 'sync',
      access: 'device',
      body: z.strictObject({
        name: nameSchema,
        kind: z.enum(['till', 'phone', 'server']),
        actorId: uuidSchema,
      }),
      response: z.object({ deviceId: z.string(), code: z.string(), secret: z.string() }),
    },
    async (c, { auth, body }) => {
      serverOnly(auth);
      const s = c.get('services');
      const member = await s.db.db
        .selectFrom('memberships')
        .select('role')
        .where('shop_id', '=', auth.shopId)
        .where('user_id', '=', body.actorId)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      if (!member || !mayEnroll(member.role, body.kind))
        throw new ApiError('forbidden', 'that person may not enroll this kind of device');
      const enrolled = await enrollDevice(s, auth.shopId, body.actorId, {
        name: body.name,
        kind: body.kind,
      });
      s.log.info('device enrolled for a downstream server', {
        shopId: auth.shopId,
        deviceId: enrolled.deviceId,
        via: auth.deviceId,
      });
      return enrolled;
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/replication',
      summary: "Replication status: this server's upstream link and the servers linked below it",
      tag: 'devices',
      access: 'user',
      roles: ['owner', 'manager', 'accountant'],
    },
    async (c, { auth }) => replicationStatus(c.get('services'), auth.shopId),
  );

  route(
    app,
    {
      method: 'get',
      path: '/sync/v1/replication',
      summary: 'Replication status for the owner dashboard on a device',
      tag: 'sync',
      access: 'device',
    },
    async (c, { auth }) => replicationStatus(c.get('services'), auth.shopId),
  );
}

/** Whether this server replicates the shop to an upstream (accounts and owners change there). */
export async function linkedUpstream(s: Services, shopId: string): Promise<boolean> {
  const row = await s.db.db
    .selectFrom('upstream_links')
    .select('shop_id')
    .where('shop_id', '=', shopId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Refuse a change that only the upstream may make, on a server linked to one. */
export async function atTopOnly(s: Services, shopId: string, what: string): Promise<void> {
  if (await linkedUpstream(s, shopId))
    throw new ApiError('conflict', `${what} at the cloud server this shop server is linked to`);
}

/** Who may enroll which kind of device: a shop server only by an owner. */
export function mayEnroll(role: string, kind: 'till' | 'phone' | 'server'): boolean {
  if (kind === 'server') return role === 'owner';
  return role === 'owner' || role === 'manager';
}

/** The replication status of one shop on this server. */
export async function replicationStatus(s: Services, shopId: string): Promise<ReplicationStatus> {
  const db = s.db.db;
  const live = s.upstream?.shopId === shopId ? await s.upstream.status() : undefined;
  const upstream = live ?? (await linkStatus(s, shopId)) ?? null;
  const shop = await db
    .selectFrom('shops')
    .select(['seq', 'server_device_id'])
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow();
  const servers = await db
    .selectFrom('devices')
    .selectAll()
    .where('shop_id', '=', shopId)
    .where('kind', '=', 'server')
    .where('id', '!=', shop.server_device_id)
    .where('code', '!=', 'S01')
    .orderBy('code')
    .execute();
  return {
    upstream,
    downstream: servers.map((d) => ({
      deviceId: d.id,
      code: d.code,
      name: d.name,
      revoked: d.revoked_at !== null,
      lastSeenAt: d.last_seen_at,
      unpushed: d.unsynced,
      unpushedAt: d.unsynced_at,
      behind: d.pulled_seq === null ? null : Math.max(0, shop.seq - d.pulled_seq),
      pulledAt: d.pulled_at,
    })),
  };
}

function serverOnly(auth: DeviceAuth): void {
  if (auth.deviceKind !== 'server')
    throw new ApiError('forbidden', 'only a server of the shop may do this');
  if (auth.revoked) throw new ApiError('device_revoked', 'the device was revoked');
}
