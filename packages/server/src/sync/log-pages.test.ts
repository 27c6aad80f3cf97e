import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import {
  createTestShop,
  dialects,
  pushRequest,
  startTestServer,
  type TestServer,
  type TestShop,
} from '../testing/index.ts';
import { LogPages } from './log-pages.ts';

for (const dialect of await dialects()) {
  describe(`log pages on ${dialect}`, () => {
    let server: TestServer;
    let shop: TestShop;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      shop = await createTestShop(server);
    });
    afterAll(async () => {
      await server.close();
    });

    async function push(events: readonly DomainEvent[]): Promise<void> {
      const res = await fetch(`${server.url}/sync/v1/push`, pushRequest(shop.till.token, events));
      expect(res.status).toBe(200);
    }

    async function bodies(after: number, to: number): Promise<string> {
      const rows = await server.services.db.db
        .selectFrom('events')
        .select('body')
        .where('shop_id', '=', shop.shopId)
        .where('seq', '>', after)
        .where('seq', '<=', to)
        .orderBy('seq')
        .execute();
      return `[${rows.map((r) => r.body).join(',')}]`;
    }

    it('serves what the log holds, again from memory, and never a stale short page', async () => {
      const sim = shop.tillSim;
      const product = sim.createProduct(DEMO_PRODUCTS[0]);
      const productId = product.payload.productId;
      await push([product, sim.receiveStock([{ productId, qty: 90_000 }], { paidBy: 'opening' })]);
      const pages = new LogPages();
      const db = server.services.db.db;
      const first = await pages.read(db, shop.shopId, 0, 1000);
      expect(first.count).toBe(first.head);
      expect(first.documents).toBe(await bodies(0, first.head));
      expect(await pages.read(db, shop.shopId, 0, 1000)).toEqual(first);

      // New events: the same request now reaches further; the short page is not reused.
      await push([sim.sell([{ productId, qty: 1000 }]), sim.sell([{ productId, qty: 500 }])]);
      const longer = await pages.read(db, shop.shopId, 0, 1000);
      expect(longer.head).toBe(first.head + 2);
      expect(longer.to).toBe(longer.head);
      expect(longer.documents).toBe(await bodies(0, longer.head));

      // A full page of two, twice; a page after the head is empty.
      const two = await pages.read(db, shop.shopId, 1, 2);
      expect(two).toEqual({ documents: await bodies(1, 3), to: 3, count: 2, head: longer.head });
      expect(await pages.read(db, shop.shopId, 1, 2)).toEqual(two);
      expect(await pages.read(db, shop.shopId, longer.head, 10)).toEqual({
        documents: '[]',
        to: longer.head,
        count: 0,
        head: longer.head,
      });
      // Another shop's positions are another page.
      const other = await createTestShop(server);
      const theirs = await pages.read(db, other.shopId, 0, 1000);
      expect(theirs.documents).not.toContain(shop.shopId);
    });
  });
}
