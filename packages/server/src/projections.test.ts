/**
 * The projection cache's memory bound, on SQLite and Postgres: past its budget it drops the shops
 * used least recently, never the one just asked for, and a dropped shop folds its log again with
 * the same result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { loadConfig } from './config.ts';
import { readDerived } from './derived-store.ts';
import { ProjectionCache } from './projections.ts';
import { rebuildShop } from './rebuild.ts';
import {
  createTestShop,
  dialects,
  pushRequest,
  startTestServer,
  syncHeaders,
  type TestServer,
  type TestShop,
} from './testing/index.ts';

async function push(server: TestServer, shop: TestShop, events: readonly DomainEvent[]) {
  const res = await fetch(
    `${server.url}/sync/v1/push`,
    pushRequest(
      shop.till.token,
      events.map((e) => ({ ...e, _deleted: false })),
    ),
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { results: { status: string }[] };
  expect(body.results.map((r) => r.status)).toEqual(events.map(() => 'accepted'));
}

/** Every event of the shop's log, pulled as a till would. */
async function log(server: TestServer, shop: TestShop): Promise<DomainEvent[]> {
  const res = await fetch(`${server.url}/sync/v1/pull?after=0&limit=5000`, {
    headers: syncHeaders(shop.till.token),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { documents: DomainEvent[] }).documents;
}

function catalogue(shop: TestShop): { productIds: string[]; events: DomainEvent[] } {
  shop.tillSim.actorId = shop.ownerId;
  const events: DomainEvent[] = [];
  const productIds: string[] = [];
  for (const spec of DEMO_PRODUCTS.slice(0, 3)) {
    const created = shop.tillSim.createProduct(spec);
    productIds.push(created.payload.productId);
    events.push(created);
  }
  events.push(
    shop.tillSim.receiveStock(
      productIds.map((productId) => ({ productId, qty: 5 })),
      { paidBy: 'opening' },
    ),
  );
  return { productIds, events };
}

for (const dialect of await dialects()) {
  describe(`projection cache bound on ${dialect}`, () => {
    let server: TestServer;
    let a: TestShop;
    let b: TestShop;
    beforeAll(async () => {
      // Room for one shop at a time: every request for the other shop drops the last one.
      server = await startTestServer(dialect, { PROJECTION_CACHE_EVENTS: '1' });
      a = await createTestShop(server, { seed: 3 });
      b = await createTestShop(server, { seed: 4 });
    });
    afterAll(async () => {
      await server.close();
    });

    it('keeps only the shop just used, and a dropped shop folds its log again to the same books', async () => {
      const shops = [a, b];
      const products = shops.map((shop) => catalogue(shop));
      for (const [i, shop] of shops.entries()) await push(server, shop, products[i]?.events ?? []);
      // Sales alternate between the shops, so each push finds its shop dropped and refolds it;
      // the stock runs out (oversell), which the refolded timeline must still know.
      for (let round = 0; round < 4; round++)
        for (const [i, shop] of shops.entries()) {
          const ids = products[i]?.productIds ?? [];
          const sale = shop.tillSim.sell(
            ids.map((productId) => ({ productId, qty: 2 })),
            { pay: 'cash' },
          );
          await push(server, shop, [sale]);
          expect(server.services.cache.stats().shops).toBe(1);
        }
      const dropped = server.logs.filter((l) => l.includes('projection dropped from memory'));
      expect(dropped.length).toBeGreaterThanOrEqual(8);
      expect(dropped.some((l) => l.includes(a.shopId))).toBe(true);
      expect(dropped.some((l) => l.includes(b.shopId))).toBe(true);

      for (const shop of shops) {
        const incremental = await readDerived(server.services.db.db, shop.shopId);
        const { projection } = await server.services.cache.get(server.services.db.db, shop.shopId);
        const fold = new ShopProjection();
        fold.apply(await log(server, shop));
        expect(snapshotProjection(projection)).toEqual(snapshotProjection(fold));
        // 5 units, 4 sales of 2: every product is 3 below zero, from the incremental path too.
        expect(incremental.stock.map((r) => r.qty)).toEqual([-3, -3, -3]);
        await rebuildShop(server.services, shop.shopId);
        expect(await readDerived(server.services.db.db, shop.shopId)).toEqual(incremental);
      }
    });

    it('drops the least recently used first and never the shop just asked for', async () => {
      const db = server.services.db.db;
      const sizeOf = async (shop: TestShop) =>
        (await new ProjectionCache().get(db, shop.shopId)).projection.size;
      const sizeA = await sizeOf(a);
      const sizeB = await sizeOf(b);
      const dropped: string[] = [];
      const cache = new ProjectionCache({
        maxEvents: sizeA + sizeB,
        onEvict: (shopId, events) => dropped.push(`${shopId}:${events}`),
      });
      await cache.get(db, a.shopId);
      await cache.get(db, b.shopId);
      expect(cache.stats()).toEqual({ shops: 2, events: sizeA + sizeB });
      expect(dropped).toEqual([]);
      // A third shop: the budget is full, and `a` was used least recently.
      const c = await createTestShop(server, { seed: 5 });
      await cache.get(db, a.shopId);
      await cache.get(db, c.shopId);
      expect(dropped).toEqual([`${b.shopId}:${sizeB}`]);
      const small = new ProjectionCache({ maxEvents: 1, onEvict: () => undefined });
      const held = await small.get(db, a.shopId);
      expect(held.projection.size).toBe(sizeA);
      expect(small.stats()).toEqual({ shops: 1, events: sizeA });
    });
  });
}

describe('PROJECTION_CACHE_EVENTS', () => {
  it('must be a positive whole number', () => {
    for (const bad of ['0', '-5', '1.5', 'lots'])
      expect(() => loadConfig({ PROJECTION_CACHE_EVENTS: bad })).toThrow(/PROJECTION_CACHE_EVENTS/);
    expect(loadConfig({}).PROJECTION_CACHE_EVENTS).toBe(1_000_000);
  });
});
