/**
 * The in-memory projection of each shop, kept in step with the log. Before every ingest (inside the
 * transaction that holds the shop's lock) the cache catches up on events committed by any process,
 * so several server instances on one Postgres stay correct. A failed transaction drops the cache.
 */
import { decodeEvent, type DomainEvent } from '@smartkirana/domain/events';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './db/schema.ts';

type Tx = Kysely<Database> | Transaction<Database>;

interface Cached {
  projection: ShopProjection;
  /** Highest sequence folded in. */
  seq: number;
}

const PAGE = 5000;

export class ProjectionCache {
  readonly #shops = new Map<string, Cached>();

  /** The shop's projection, caught up to `upTo` (or to whatever the log holds). */
  async get(db: Tx, shopId: string, upTo?: number): Promise<Cached> {
    let cached = this.#shops.get(shopId);
    if (!cached) {
      cached = { projection: new ShopProjection(), seq: 0 };
      this.#shops.set(shopId, cached);
    }
    if (upTo === undefined || cached.seq < upTo) {
      try {
        await catchUp(db, shopId, cached, upTo);
      } catch (err) {
        this.#shops.delete(shopId);
        throw err;
      }
    }
    return cached;
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

async function catchUp(
  db: Tx,
  shopId: string,
  cached: Cached,
  upTo: number | undefined,
): Promise<void> {
  for (;;) {
    const page = await readEvents(db, shopId, cached.seq, PAGE, upTo);
    if (page.length === 0) return;
    cached.projection.apply(page.map((r) => r.event));
    cached.projection.drainChanges();
    cached.seq = page.at(-1)?.seq ?? cached.seq;
    if (page.length < PAGE) return;
  }
}

function parseStored(body: string): DomainEvent {
  const decoded = decodeEvent(JSON.parse(body));
  if (!decoded.ok)
    throw new Error(`stored event failed to decode: ${decoded.issues[0]?.message ?? ''}`);
  return decoded.event;
}
