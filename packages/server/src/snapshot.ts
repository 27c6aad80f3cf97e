/**
 * A fresh till's starting point: the shop's projection seed (`projection-seed.ts`) and the log
 * position it summarises. Taken under the shop's lock, so the seed holds exactly the events up to
 * that position: no ingest is half-folded into the projection while it is read, on any instance.
 */
import { seedOf, type ProjectionSeed } from '@smartkirana/domain/projection-seed';
import type { Db } from './db/connect.ts';
import { lockShop } from './ingest.ts';
import type { ProjectionCache } from './projections.ts';

export interface ShopSnapshot {
  /** The log position the seed summarises: pull from here on, backfill up to here. */
  seq: number;
  seed: ProjectionSeed;
}

/** Take the shop's seed at its latest committed position. */
export async function takeSnapshot(
  handle: Db,
  cache: ProjectionCache,
  shopId: string,
): Promise<ShopSnapshot> {
  return handle.db.transaction().execute(async (trx) => {
    const seq = await lockShop(trx, handle.dialect, shopId);
    const cached = await cache.get(trx, shopId, seq);
    if (cached.seq !== seq)
      throw new Error(`projection of shop at ${cached.seq}, its log at ${seq}`);
    return { seq, seed: seedOf(cached.projection) };
  });
}
