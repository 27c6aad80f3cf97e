/**
 * Ingest: the one path by which events enter a shop's log, whether pushed by a till or recorded by
 * the server for a REST call. In one transaction, under the shop's lock: drop duplicates by id, hold
 * back what the sender may not record (quarantine, with the reason), give every accepted event the
 * next gapless sequence number, fold it into the shop's projection and write the derived rows.
 *
 * Exactly-once rests on the unique key on `events.id`; the duplicate check here only makes the
 * answer precise. Retrying a push gives the same answer, so a lost response is harmless.
 */
import { decodeEvent, type DomainEvent, type EventIssue } from '@smartkirana/domain/events';
import type { Role } from '@smartkirana/domain/event-fields';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { mayRecordEvent } from '@smartkirana/domain/permissions';
import type { Transaction } from 'kysely';
import type { Db } from './db/connect.ts';
import type { Database } from './db/schema.ts';
import { derivedRows } from './derived-store.ts';
import { claimKey, ingestStore } from './ingest-store.ts';
import { ApiError } from './errors.ts';
import type { ProjectionCache } from './projections.ts';

/** Who is pushing: an enrolled device of a shop. */
export interface Sender {
  shopId: string;
  deviceId: string;
  /** A shop server replicating upward may push events of every device of its shop. */
  kind: 'till' | 'server' | 'phone';
  revoked: boolean;
  /**
   * Events relayed by another server of the shop (a shop server pushing up, or this server pulling
   * from its upstream). The server that first received them already judged them: they are recorded
   * as that server recorded them (only a reused device sequence is still held back), and a local
   * quarantine of the same event is resolved by it.
   */
  relay?: boolean;
  /** Pulled from this server's upstream: marked so it is never pushed back up. */
  fromUpstream?: boolean;
}

export type IngestResult =
  | { id: string; status: 'accepted'; seq: number }
  | { id: string; status: 'duplicate'; seq: number }
  | { id: string; status: 'quarantined'; code: QuarantineCode; reason: string }
  | { id: string; status: 'rejected'; code: 'id_conflict'; reason: string };

export type QuarantineCode =
  'forbidden_event' | 'unknown_actor' | 'device_revoked' | 'sequence_reused' | 'out_of_range';

export interface IngestOutcome {
  results: IngestResult[];
  /** The shop's last sequence after this ingest. */
  seq: number;
  accepted: DomainEvent[];
}

/** Most events one request may carry. */
export const MAX_BATCH = 1000;

/**
 * Validate raw events from a sender. Malformed events, or events claiming another shop or (for a
 * till) another device, refuse the whole request with a 4xx: nothing is stored.
 */
export function validateBatch(raw: readonly unknown[], sender: Sender): DomainEvent[] {
  if (raw.length > MAX_BATCH)
    throw new ApiError('too_many_events', `at most ${MAX_BATCH} events per request`);
  const events: DomainEvent[] = [];
  const problems: { index: number; issues: EventIssue[] }[] = [];
  raw.forEach((item, index) => {
    const decoded = decodeEvent(item);
    if (decoded.ok) events.push(decoded.event);
    else problems.push({ index, issues: decoded.issues.slice(0, 5) });
  });
  if (problems.length > 0) {
    throw new ApiError('validation_failed', 'some events are not valid', {
      events: problems.slice(0, 20),
    });
  }
  for (const e of events) {
    if (e.shopId !== sender.shopId)
      throw new ApiError('wrong_shop', 'an event belongs to another shop');
    if (sender.kind !== 'server' && e.deviceId !== sender.deviceId) {
      throw new ApiError('forbidden', 'a device may only push its own events');
    }
  }
  return events;
}

/** Ingest validated events of one shop. */
export async function ingest(
  handle: Db,
  cache: ProjectionCache,
  sender: Sender,
  events: readonly DomainEvent[],
): Promise<IngestOutcome> {
  try {
    return await ingestWith(handle, cache, sender, () => Promise.resolve(events));
  } catch (err) {
    // A valid event whose amounts overflow the books when folded (absurd quantities at average
    // cost): record the others one by one and hold that one back, so it never blocks the queue.
    if (!(err instanceof RangeError)) throw err;
    return ingestIsolating(handle, cache, sender, events);
  }
}

async function ingestIsolating(
  handle: Db,
  cache: ProjectionCache,
  sender: Sender,
  events: readonly DomainEvent[],
): Promise<IngestOutcome> {
  const results: IngestResult[] = [];
  const accepted: DomainEvent[] = [];
  let seq = 0;
  for (const e of events) {
    try {
      const out = await ingestWith(handle, cache, sender, () => Promise.resolve([e]));
      results.push(...out.results);
      accepted.push(...out.accepted);
      seq = out.seq;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      const reason = 'amounts or quantities too large to fold into the books';
      await handle.db
        .insertInto('quarantine')
        .values({
          id: e.id,
          shop_id: sender.shopId,
          device_id: e.deviceId,
          device_seq: e.deviceSeq,
          type: e.type,
          received_at: Date.now(),
          code: 'out_of_range',
          reason,
          body: JSON.stringify(e),
          resolved_at: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      results.push({ id: e.id, status: 'quarantined', code: 'out_of_range', reason });
    }
  }
  if (seq === 0) {
    const shop = await handle.db
      .selectFrom('shops')
      .select('seq')
      .where('id', '=', sender.shopId)
      .executeTakeFirst();
    seq = shop?.seq ?? 0;
  }
  return { results, seq, accepted };
}

/** What a builder of server-recorded events may use, inside the shop's lock. */
export interface BuildContext {
  trx: Transaction<Database>;
  projection: ShopProjection;
  shopSeq: number;
}

/**
 * Ingest events that are built inside the shop's lock (the server recording a REST write: its
 * device sequence, clock and invoice numbers are allocated without races).
 */
export async function ingestWith(
  handle: Db,
  cache: ProjectionCache,
  sender: Sender,
  build: (ctx: BuildContext) => Promise<readonly DomainEvent[]>,
  /** Runs inside the transaction after the events are written (a replication checkpoint). */
  also?: (trx: Transaction<Database>, outcome: IngestOutcome) => Promise<void>,
): Promise<IngestOutcome> {
  const { shopId } = sender;
  try {
    return await handle.db.transaction().execute(async (trx) => {
      const shopSeq = await lockShop(trx, handle.dialect, shopId);
      const cached = await cache.get(trx, shopId, shopSeq);
      const events = await build({ trx, projection: cached.projection, shopSeq });
      const results = new Map<string, IngestResult>();
      const unique = dedupeBatch(events);
      // A second copy of an id in the same batch gets the first copy's answer if it is the same
      // event, and a conflict if its content differs (only the first copy can be stored).
      const firstAt = new Map<string, number>();
      events.forEach((e, i) => {
        if (!firstAt.has(e.id)) firstAt.set(e.id, i);
      });
      const bodies = new Map(unique.map((e) => [e.id, JSON.stringify(e)]));
      const store = ingestStore(handle, trx);
      const known = await store.lookup({
        shopId,
        ids: unique.map((e) => e.id),
        actors: [...new Set(unique.map((e) => e.actorId))],
        claims: unique.map((e) => ({ deviceId: e.deviceId, deviceSeq: e.deviceSeq })),
      });
      for (const [id, row] of known.stored)
        results.set(
          id,
          sameEvent(row.body, bodies.get(id))
            ? { id, status: 'duplicate', seq: row.seq }
            : idConflict(id),
        );
      const pending = unique.filter((e) => !results.has(e.id));
      const now = Date.now();
      // Accepted by another server of the shop: a local hold on the same event is lifted.
      const lift = sender.relay ? pending.map((e) => e.id) : [];
      if (!sender.relay)
        for (const e of pending) {
          const hold = known.held.get(e.id);
          if (hold)
            results.set(e.id, {
              id: e.id,
              status: 'quarantined',
              code: hold.code as QuarantineCode,
              reason: hold.reason,
            });
        }

      const candidates = pending.filter((e) => !results.has(e.id));
      const reused = reusedSequences(candidates, known.taken);
      const accepted: DomainEvent[] = [];
      const held: { event: DomainEvent; code: QuarantineCode; reason: string }[] = [];
      for (const e of candidates) {
        const verdict = judge(
          e,
          sender,
          known.roles.get(e.actorId),
          reused.has(claimKey(e.deviceId, e.deviceSeq)),
        );
        if (verdict) held.push({ event: e, ...verdict });
        else accepted.push(e);
      }

      let seq = shopSeq;
      const rows = accepted.map((e) => ({
        shop_id: shopId,
        seq: ++seq,
        id: e.id,
        device_id: e.deviceId,
        device_seq: e.deviceSeq,
        hlc: e.hlc,
        type: e.type,
        actor_id: e.actorId,
        at: e.at,
        received_at: now,
        body: bodies.get(e.id) ?? JSON.stringify(e),
        from_upstream: sender.fromUpstream ? 1 : 0,
      }));
      for (const row of rows) results.set(row.id, { id: row.id, status: 'accepted', seq: row.seq });
      const quarantine = held.map(({ event, code, reason }) => ({
        id: event.id,
        shop_id: shopId,
        device_id: event.deviceId,
        device_seq: event.deviceSeq,
        type: event.type,
        received_at: now,
        code,
        reason,
        body: bodies.get(event.id) ?? JSON.stringify(event),
        resolved_at: null,
      }));
      for (const h of held)
        results.set(h.event.id, {
          id: h.event.id,
          status: 'quarantined',
          code: h.code,
          reason: h.reason,
        });
      // Fold before writing: the derived rows are the projection's state after the batch.
      if (accepted.length > 0) cache.apply(cached, accepted);
      await store.write({
        shopId,
        deviceId: sender.deviceId,
        now,
        events: rows,
        quarantine,
        lift,
        seq: accepted.length > 0 ? seq : undefined,
        derived:
          accepted.length > 0
            ? derivedRows(cached.projection, cached.projection.drainChanges())
            : undefined,
      });
      if (accepted.length > 0) {
        cache.advance(shopId, seq);
        // Settings changed on another server arrive as events; keep the shop's row in step.
        if (sender.relay && accepted.some((e) => e.type === 'v1.ShopConfigured')) {
          const shop = cached.projection.shop;
          const name = shop.get('name');
          const stateCode = shop.get('stateCode');
          const registration = shop.get('registration');
          if (name !== undefined && stateCode !== undefined && registration !== undefined)
            await trx
              .updateTable('shops')
              .set({
                name,
                gstin: shop.get('gstin') ?? null,
                state_code: stateCode,
                registration,
              })
              .where('id', '=', shopId)
              .execute();
        }
      }
      const outcome = {
        results: events.map((e, i) =>
          firstAt.get(e.id) === i || sameEvent(JSON.stringify(e), bodies.get(e.id))
            ? (results.get(e.id) ?? missing(e.id))
            : idConflict(e.id),
        ),
        seq,
        accepted,
      };
      if (also) await also(trx, outcome);
      return outcome;
    });
  } catch (err) {
    // The projection may hold events of the rolled-back transaction: rebuild it on next use.
    cache.invalidate(shopId);
    throw err;
  }
}

/** Why an event is held back, or undefined if it may be recorded. */
function judge(
  e: DomainEvent,
  sender: Sender,
  role: Role | undefined,
  seqReused: boolean,
): { code: QuarantineCode; reason: string } | undefined {
  if (sender.relay && !seqReused) return undefined;
  if (sender.revoked)
    return {
      code: 'device_revoked',
      reason: 'the device was revoked; an owner must review its events',
    };
  if (seqReused)
    return {
      code: 'sequence_reused',
      reason: `device sequence ${e.deviceSeq} already holds another event`,
    };
  if (!role)
    return {
      code: 'unknown_actor',
      reason: 'the person who recorded this is not staff of the shop',
    };
  if (!mayRecordEvent(role, e))
    return { code: 'forbidden_event', reason: `a ${role} may not record ${e.type}` };
  return undefined;
}

/** Lock the shop's row for this transaction and return its last sequence number. */
export async function lockShop(
  trx: Transaction<Database>,
  dialect: Db['dialect'],
  shopId: string,
): Promise<number> {
  const query = trx.selectFrom('shops').select('seq').where('id', '=', shopId);
  const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw new ApiError('not_found', 'no such shop');
  return row.seq;
}

/**
 * (device, sequence) pairs of the batch already used by a different event: taken in the log, or
 * claimed twice in the batch (the first event to claim a sequence keeps it).
 */
function reusedSequences(events: readonly DomainEvent[], taken: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const claimed = new Set<string>();
  for (const e of events) {
    const k = claimKey(e.deviceId, e.deviceSeq);
    if (taken.has(k) || claimed.has(k)) out.add(k);
    claimed.add(k);
  }
  return out;
}

function idConflict(id: string): IngestResult {
  return {
    id,
    status: 'rejected',
    code: 'id_conflict',
    reason: 'an event with this id and different content exists',
  };
}

function dedupeBatch(events: readonly DomainEvent[]): DomainEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
}

function sameEvent(stored: string, incoming: string | undefined): boolean {
  if (incoming === undefined) return false;
  if (stored === incoming) return true;
  // Key order may differ between encoders; compare canonically.
  return canonicalJson(JSON.parse(stored)) === canonicalJson(JSON.parse(incoming));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function missing(id: string): never {
  throw new Error(`no result for event ${id}`);
}
