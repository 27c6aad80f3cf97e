/**
 * The sync protocol over HTTP (docs/protocol.md): push, pull by checkpoint, and the live stream.
 * Tills authenticate with a device token. Push speaks RxDB's replication shape: it takes
 * `{ assumedMasterState, newDocumentState }` rows and answers the conflicting master states
 * (`[]` when none) beside a result per event.
 */
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { MAX_TOLERATED_SKEW_MS } from '@smartkirana/domain/hlc';
import { z } from 'zod';
import type { AppEnv, DeviceAuth } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ingest, MAX_BATCH, validateBatch } from '../ingest.ts';
import { route } from '../http/route.ts';
import { takeSnapshot } from '../snapshot.ts';
import { logPages } from './log-pages.ts';
import {
  CLOCK_HEADER,
  CLOCK_SKEW_HEADER,
  HEARTBEAT_SECONDS,
  MAX_PLAUSIBLE_SKEW_MS,
  UNSYNCED_HEADER,
  MAX_PULL_LIMIT,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
} from './protocol.ts';

const RXDB_FIELDS = new Set(['_deleted', '_rev', '_meta', '_attachments']);

/**
 * The event itself is validated by `validateBatch`; here it only has to be an object. (A record
 * schema would copy every event once more before the event schema copies it again.)
 */
const pushRow = z.object({
  assumedMasterState: z.unknown().optional(),
  newDocumentState: z.custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'an object',
  ),
});

const pushBody = z.union([
  z.object({ rows: z.array(pushRow).max(MAX_BATCH) }),
  z.array(pushRow).max(MAX_BATCH),
]);

/** A checkpoint's log identity; a checkpoint of another log starts from the beginning. */
const logParam = z.string().min(1).max(64).optional();

const pullQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(1000),
  log: logParam,
});

/** Register the sync routes. */
export function syncRoutes(app: Hono<AppEnv>): void {
  app.use('/sync/*', async (c, next) => {
    const version = Number(c.req.header(PROTOCOL_HEADER) ?? '0');
    c.header(PROTOCOL_HEADER, String(PROTOCOL_VERSION));
    if (!Number.isInteger(version) || version < MIN_PROTOCOL_VERSION) {
      throw new ApiError(
        'upgrade_required',
        `sync protocol ${MIN_PROTOCOL_VERSION} or newer is required`,
        { minimum: MIN_PROTOCOL_VERSION, current: PROTOCOL_VERSION },
      );
    }
    await next();
  });

  route(
    app,
    {
      method: 'post',
      path: '/sync/v1/push',
      summary: 'Push events (RxDB push rows)',
      tag: 'sync',
      access: 'device',
      revokedDevice: 'allowed',
      body: pushBody,
    },
    async (c, { body, auth }) => {
      limit(c, auth);
      const rows = Array.isArray(body) ? body : body.rows;
      const raw = rows.map((r) => {
        if (r.newDocumentState._deleted === true)
          throw new ApiError('validation_failed', 'events are never deleted');
        // RxDB's bookkeeping fields are not part of the event.
        const doc = r.newDocumentState;
        if (!Object.keys(doc).some((k) => RXDB_FIELDS.has(k))) return doc;
        return Object.fromEntries(Object.entries(doc).filter(([k]) => !RXDB_FIELDS.has(k)));
      });
      const { services } = { services: c.get('services') };
      const sender = {
        shopId: auth.shopId,
        deviceId: auth.deviceId,
        kind: auth.deviceKind,
        revoked: auth.revoked,
        // Another server of the shop relays what it already accepted (docs/replication.md). A
        // revoked server is no longer trusted to have judged anything: its events are judged here.
        relay: auth.deviceKind === 'server' && !auth.revoked,
      };
      const events = validateBatch(raw, sender);
      const outcome = await ingest(services.db, services.cache, sender, events);
      if (outcome.accepted.length > 0) services.feed.publish(auth.shopId, outcome.seq);
      // Only once the push is stored does the reported backlog (what is left after it) hold.
      await noteBacklog(c, auth);
      const conflicts = await masterStates(
        c,
        auth.shopId,
        outcome.results.filter((r) => r.status === 'rejected').map((r) => r.id),
      );
      return c.json({ conflicts, results: outcome.results, checkpoint: { seq: outcome.seq } });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/sync/v1/pull',
      summary: 'Pull events after a checkpoint',
      tag: 'sync',
      access: 'any',
      query: pullQuery,
    },
    async (c, { query, auth }) => {
      const after = startAfter(c, query);
      if (auth.kind === 'device') await noteBacklog(c, auth, after);
      const page = await readPage(c, auth.shopId, after, query.limit, true);
      return c.body(page.json, 200, { 'content-type': 'application/json' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/sync/v1/snapshot',
      summary:
        "A fresh till's starting point: the shop's projection seed (catalogue, stock, balances, khata) and the log position it summarises",
      tag: 'sync',
      access: 'device',
    },
    async (c, { auth }) => {
      if (auth.revoked) throw new ApiError('device_revoked', 'the device was revoked');
      const services = c.get('services');
      await noteBacklog(c, auth);
      const { seq, seed } = await takeSnapshot(services.db, services.cache, auth.shopId);
      const log = JSON.stringify(services.logId);
      return c.body(
        `{"checkpoint":{"seq":${seq},"log":${log}},"head":${seq},"seed":${JSON.stringify(seed)}}`,
        200,
        {
          'content-type': 'application/json',
        },
      );
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/sync/v1/stream',
      summary: 'Live stream of new events (SSE)',
      tag: 'sync',
      access: 'any',
      query: z.object({ after: z.coerce.number().int().min(0).default(0), log: logParam }),
    },
    (c, { query, auth }) => {
      const services = c.get('services');
      return Promise.resolve(
        streamSSE(c, async (stream) => {
          let sent = startAfter(c, query);
          let wake: (() => void) | undefined;
          // An object, so the flag set by the feed callback is not narrowed away by the compiler.
          const state = { dirty: true };
          const unsubscribe = services.feed.subscribe(auth.shopId, () => {
            state.dirty = true;
            wake?.();
          });
          const onShutdown = (): void => wake?.();
          services.shutdown.addEventListener('abort', onShutdown);
          stream.onAbort(() => wake?.());
          const live = (): boolean => !stream.aborted && !services.shutdown.aborted;
          const isDirty = (): boolean => state.dirty;
          try {
            // Every (re)connection starts with RESYNC: the client pulls whatever it missed.
            await stream.writeSSE({ event: 'resync', data: 'RESYNC' });
            while (live()) {
              if (isDirty()) {
                state.dirty = false;
                for (;;) {
                  const page = await readPage(c, auth.shopId, sent, 1000, false);
                  if (page.count === 0) break;
                  // The page is one line of JSON (stored bodies hold no raw newlines): written as
                  // one `data:` line without splitting it into lines first.
                  await stream.write(`event: events\ndata: ${page.json}\n\n`);
                  sent = page.seq;
                  if (!page.hasMore) break;
                }
              }
              await new Promise<void>((resolve) => {
                wake = resolve;
                setTimeout(resolve, HEARTBEAT_SECONDS * 1000).unref();
              });
              wake = undefined;
              if (!isDirty() && live())
                await stream.writeSSE({ event: 'ping', data: String(Date.now()) });
            }
            if (services.shutdown.aborted)
              await stream.writeSSE({ event: 'bye', data: 'server shutting down' });
          } finally {
            unsubscribe();
            services.shutdown.removeEventListener('abort', onShutdown);
          }
        }),
      );
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/sync/v1/devices',
      summary: "The shop's devices with their last contact and reported backlog (owner dashboard)",
      tag: 'sync',
      access: 'any',
    },
    async (c, { auth }) => {
      const rows = await c
        .get('services')
        .db.db.selectFrom('devices')
        .select([
          'id',
          'code',
          'name',
          'kind',
          'revoked_at',
          'last_seen_at',
          'unsynced',
          'unsynced_at',
          'clock_skew_ms',
          'clock_checked_at',
        ])
        .where('shop_id', '=', auth.shopId)
        .orderBy('code')
        .execute();
      return {
        devices: rows.map((r) => ({
          deviceId: r.id,
          code: r.code,
          name: r.name,
          kind: r.kind,
          revoked: r.revoked_at !== null,
          lastSeenAt: r.last_seen_at,
          unsynced: r.unsynced,
          unsyncedAt: r.unsynced_at,
          ...clockView(r),
        })),
      };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/sync/v1/staff',
      summary: 'Staff of the shop with PIN hashes, for offline sign-in on a till',
      tag: 'sync',
      access: 'device',
    },
    async (c, { auth }) => {
      if (auth.revoked) throw new ApiError('device_revoked', 'the device was revoked');
      const rows = await c
        .get('services')
        .db.db.selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select([
          'users.id as userId',
          'users.name as name',
          'memberships.role as role',
          'memberships.pin_hash as pinHash',
        ])
        .where('memberships.shop_id', '=', auth.shopId)
        .where('memberships.removed_at', 'is', null)
        .orderBy('users.name')
        .execute();
      return { staff: rows };
    },
  );
}

/**
 * A page of the log as a JSON string built from stored bodies (no re-encoding of events), shared
 * with every other reader of the same positions (`log-pages.ts`). With `withHead`, it says the
 * shop's latest sequence, so a fresh till can show how far its first sync has come.
 */
async function readPage(
  c: Context<AppEnv>,
  shopId: string,
  after: number,
  limit: number,
  withHead: boolean,
) {
  const services = c.get('services');
  const page = await logPages(services.db).read(services.db.db, shopId, after, limit);
  const hasMore = page.to < page.head;
  const tail = withHead ? `,"head":${Math.max(page.head, page.to)}` : '';
  const log = JSON.stringify(services.logId);
  const json = `{"documents":${page.documents},"checkpoint":{"seq":${page.to},"log":${log}},"hasMore":${hasMore}${tail}}`;
  return { json, seq: page.to, hasMore, count: page.count };
}

async function masterStates(c: Context<AppEnv>, shopId: string, ids: string[]): Promise<unknown[]> {
  if (ids.length === 0) return [];
  // Only this shop's events: an id another shop's event holds is a conflict whose content stays
  // sealed (the push answer says `id_conflict`, nothing more).
  const rows = await c
    .get('services')
    .db.db.selectFrom('events')
    .select(['body'])
    .where('shop_id', '=', shopId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((r) => ({ ...(JSON.parse(r.body) as object), _deleted: false }));
}

function limit(c: Context<AppEnv>, auth: DeviceAuth): void {
  const wait = c.get('services').limits.push.take(auth.deviceId);
  if (wait > 0) {
    c.header('retry-after', String(wait));
    throw new ApiError('rate_limited', 'too many pushes; retry later', { retryAfterSeconds: wait });
  }
}

/** Where a pull or stream starts: after the checkpoint, or from the beginning if it names another log. */
function startAfter(
  c: Context<AppEnv>,
  query: { after: number; log?: string | undefined },
): number {
  return query.log !== undefined && query.log !== c.get('services').logId ? 0 : query.after;
}

/**
 * Remember what a device reports (its backlog, a header on push and pull) and, on a pull, where it
 * pulled from: the owner's dashboard shows how far behind each till and server is.
 */
async function noteBacklog(
  c: Context<AppEnv>,
  auth: DeviceAuth,
  pulledAfter?: number,
): Promise<void> {
  const reported = Number(c.req.header(UNSYNCED_HEADER));
  const backlog = Number.isSafeInteger(reported) && reported >= 0;
  const now = Date.now();
  const skew = clockSkew(c.req.header(CLOCK_HEADER), now);
  if (skew !== undefined) c.header(CLOCK_SKEW_HEADER, String(skew));
  if (!backlog && pulledAfter === undefined && skew === undefined) return;
  await c
    .get('services')
    .db.db.updateTable('devices')
    .set({
      last_seen_at: now,
      ...(backlog ? { unsynced: reported, unsynced_at: now } : {}),
      ...(pulledAfter !== undefined ? { pulled_seq: pulledAfter, pulled_at: now } : {}),
      ...(skew !== undefined ? { clock_skew_ms: skew, clock_checked_at: now } : {}),
    })
    .where('id', '=', auth.deviceId)
    .execute();
}

/**
 * The device's clock minus ours, from the clock it sent; undefined when it sent none or nonsense
 * (the header is advisory: a bad one is ignored, never refused). Off by at most the request's
 * transit time, which is far below the skew worth flagging.
 */
export function clockSkew(header: string | undefined, now: number): number | undefined {
  if (header === undefined || !/^\d{1,16}$/.test(header)) return undefined;
  const skew = Number(header) - now;
  return Math.abs(skew) <= MAX_PLAUSIBLE_SKEW_MS ? skew : undefined;
}

/** A device's last measured clock skew, and whether it is beyond what the shop tolerates. */
export function clockView(r: { clock_skew_ms: number | null; clock_checked_at: number | null }) {
  return {
    clockSkewMs: r.clock_skew_ms,
    clockCheckedAt: r.clock_checked_at,
    clockFlagged: r.clock_skew_ms !== null && Math.abs(r.clock_skew_ms) > MAX_TOLERATED_SKEW_MS,
  };
}
