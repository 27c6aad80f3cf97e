/**
 * Rebuild: re-derive a shop's state from its log alone. Folds every event into a fresh projection
 * and rewrites the derived rows, under the shop's lock. The property "rebuild = incremental" is
 * tested on both databases; this is also the repair tool if derived rows are ever doubted.
 */
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { Services } from './context.ts';
import { rewriteDerived } from './derived-store.ts';
import { readEvents } from './projections.ts';

const PAGE = 5000;

/** Rebuild one shop; returns how many events were folded. */
export async function rebuildShop(s: Services, shopId: string): Promise<number> {
  const count = await s.db.db.transaction().execute(async (trx) => {
    const lock = trx.selectFrom('shops').select('seq').where('id', '=', shopId);
    await (s.db.dialect === 'postgres' ? lock.forUpdate() : lock).executeTakeFirstOrThrow();
    const projection = new ShopProjection();
    let after = 0;
    for (;;) {
      const page = await readEvents(trx, shopId, after, PAGE);
      if (page.length === 0) break;
      projection.apply(page.map((r) => r.event));
      after = page.at(-1)?.seq ?? after;
      if (page.length < PAGE) break;
    }
    await rewriteDerived(trx, shopId, projection);
    return projection.size;
  });
  s.cache.invalidate(shopId);
  return count;
}

/** Rebuild every shop. */
export async function rebuildAll(s: Services): Promise<{ shopId: string; events: number }[]> {
  const shops = await s.db.db.selectFrom('shops').select('id').orderBy('id').execute();
  const out: { shopId: string; events: number }[] = [];
  for (const { id } of shops) out.push({ shopId: id, events: await rebuildShop(s, id) });
  return out;
}
