/**
 * The in-memory projection of each shop, kept in step with the log. Before every ingest (inside the
 * transaction that holds the shop's lock) the cache catches up on events committed by any process,
 * so several server instances on one Postgres stay correct. A failed transaction drops the cache.
 *
 * The cache holds at most about `maxEvents` events over all its shops (a projection costs about
 * 2–2.6 KiB of memory per event it has folded): past that, the shops used least recently are
 * dropped, and the next request for one folds its log again. The shop just asked for always
 * stays, however large, so a shop server with one big shop keeps it.
 */
import { decodeEvent, type DomainEvent } from '@smartkirana/domain/events';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { Kysely, Transaction } from 'kysely';
import { StringPool } from '@smartkirana/domain/string-pool';
import type { Database } from './db/schema.ts';

type Tx = Kysely<Database> | Transaction<Database>;

interface Cached {
  projection: ShopProjection;
  /** Highest sequence folded in. */
  seq: number;
}

const PAGE = 5000;

/** Events the cache holds by default before it drops the shops used least recently. */
export const DEFAULT_CACHE_EVENTS = 1_000_000;

export interface ProjectionCacheOptions {
  /** Events held over all shops before the least recently used are dropped. */
  maxEvents?: number;
  /** Told of each shop dropped to stay within `maxEvents`, with how many events it held. */
  onEvict?: (shopId: string, events: number) => void;
}

export class ProjectionCache {
  /** In order of use, least recent first (a shop is moved to the end whenever it is asked for). */
  readonly #shops = new Map<string, Cached>();
  readonly #maxEvents: number;
  readonly #onEvict: ((shopId: string, events: number) => void) | undefined;
  /** One copy of the strings the held events repeat (see `string-pool.ts`). */
  readonly #strings = new StringPool();

  constructor(opts: ProjectionCacheOptions = {}) {
    this.#maxEvents = opts.maxEvents ?? DEFAULT_CACHE_EVENTS;
    this.#onEvict = opts.onEvict;
  }

  /** The shop's projection, caught up to `upTo` (or to whatever the log holds). */
  async get(db: Tx, shopId: string, upTo?: number): Promise<Cached> {
    let cached = this.#shops.get(shopId);
    if (cached) this.#shops.delete(shopId);
    else cached = { projection: new ShopProjection(), seq: 0 };
    this.#shops.set(shopId, cached);
    if (upTo === undefined || cached.seq < upTo) {
      try {
        await this.#catchUp(db, shopId, cached, upTo);
      } catch (err) {
        if (this.#shops.get(shopId) === cached) this.#shops.delete(shopId);
        throw err;
      }
    }
    this.#trim(shopId);
    return cached;
  }

  /**
   * Fold events into a projection this cache holds: the one way events enter it, so every
   * event held shares the pooled strings.
   */
  apply(cached: Cached, events: readonly DomainEvent[]): void {
    for (const e of events) this.#strings.internEvent(e);
    cached.projection.apply(events);
  }

  /** Shops held and the events their projections hold, for the operator. */
  stats(): { shops: number; events: number } {
    let events = 0;
    for (const c of this.#shops.values()) events += c.projection.size;
    return { shops: this.#shops.size, events };
  }

  /** Forget a shop's projection (after a rolled-back transaction or a rebuild). */
  invalidate(shopId: string): void {
    this.#shops.delete(shopId);
  }

  /** Record that events up to `seq` were folded in by the caller. */
  advance(shopId: string, seq: number): void {
    const cached = this.#shops.get(shopId);
    if (cached && seq > cached.seq) cached.seq = seq;
  }

  async #catchUp(db: Tx, shopId: string, cached: Cached, upTo: number | undefined): Promise<void> {
    for (;;) {
      const page = await readEvents(db, shopId, cached.seq, PAGE, upTo);
      if (page.length === 0) return;
      this.apply(
        cached,
        page.map((r) => r.event),
      );
      cached.projection.drainChanges();
      cached.seq = page.at(-1)?.seq ?? cached.seq;
      if (page.length < PAGE) return;
    }
  }

  /** Drop the least recently used shops, never `keep`, until the rest fit in the budget. */
  #trim(keep: string): void {
    let { events } = this.stats();
    for (const [shopId, c] of this.#shops) {
      if (events <= this.#maxEvents) return;
      if (shopId === keep) continue;
      this.#shops.delete(shopId);
      events -= c.projection.size;
      this.#onEvict?.(shopId, c.projection.size);
    }
  }
}

/** Read a page of the log as events. Bodies were validated on the way in. */
export async function readEvents(
  db: Tx,
  shopId: string,
  afterSeq: number,
  limit: number,
  upTo?: number,
) {
  let q = db
    .selectFrom('events')
    .select(['seq', 'body'])
    .where('shop_id', '=', shopId)
    .where('seq', '>', afterSeq);
  if (upTo !== undefined) q = q.where('seq', '<=', upTo);
  const rows = await q.orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ seq: r.seq, event: parseStored(r.body) }));
}

function parseStored(body: string): DomainEvent {
  const decoded = decodeEvent(JSON.parse(body));
  if (!decoded.ok)
    throw new Error(`stored event failed to decode: ${decoded.issues[0]?.message ?? ''}`);
  return decoded.event;
}
