import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import {
  createTestShop,
  pushRequest,
  startTestServer,
  syncHeaders,
  type TestServer,
  type TestShop,
} from '@smartkirana/server/testing';
import type { DomainEvent } from '@smartkirana/domain/events';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { contiguousTo, coverageOf, forwardTo, missing, PAGE_EVENTS } from './history.ts';
import type { HistoryDoc } from './schema.ts';
import { FlakyNetwork, openTestTill } from './testing/index.ts';

describe('history coverage', () => {
  const doc = (log: string, from: number, to: number): HistoryDoc => ({
    id: `${log}/${from}`,
    log,
    kind: 'events',
    from,
    to,
    count: to - from + 1,
    body: '[]',
  });

  it('merges runs, finds gaps and where to pull on, per log', () => {
    const docs = [doc('a', 1, 10), doc('a', 21, 30), doc('a', 11, 15), doc('b', 1, 99)];
    const c = coverageOf('a', docs);
    expect(c.runs).toEqual([
      [1, 15],
      [21, 30],
    ]);
    expect(contiguousTo(c)).toBe(15);
    expect(forwardTo(c)).toBe(15);
    expect(missing(c, 30)).toEqual([[16, 20]]);
    expect(missing(c, 40)).toEqual([
      [16, 20],
      [31, 40],
    ]);
    // A seed at 20: the till pulls on from 30, and fills 16–20 behind it.
    const seeded = { ...c, seedAt: 20 };
    expect(forwardTo(seeded)).toBe(30);
    expect(missing(seeded, forwardTo(seeded))).toEqual([[16, 20]]);
    expect(missing(coverageOf('c', docs), 3)).toEqual([[1, 3]]);
  });
});

describe('a fresh till on a shop with history', () => {
  let server: TestServer;
  let shop: TestShop;
  let productId: string;
  const history: DomainEvent[] = [];

  beforeAll(async () => {
    server = await startTestServer('sqlite', { PUSH_RATE_PER_MINUTE: '100000' });
    shop = await createTestShop(server);
    const till = shop.tillSim;
    const product = till.createProduct(DEMO_PRODUCTS[1]);
    productId = product.payload.productId;
    history.push(product, till.receiveStock([{ productId, qty: 20_000 }], { paidBy: 'opening' }));
    // More than a page of history, so the backfill takes several pulls.
    for (let i = 0; i < PAGE_EVENTS + 1200; i++) {
      shop.sim.advance(30_000);
      history.push(till.sell([{ productId, qty: 1 }], { pay: i % 3 === 0 ? 'upi' : 'cash' }));
    }
    for (let i = 0; i < history.length; i += 1000) {
      const res = await fetch(
        `${server.url}/sync/v1/push`,
        pushRequest(shop.till.token, history.slice(i, i + 1000)),
      );
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  async function newTill() {
    const { enrollDevice } = await import('@smartkirana/server/shops');
    const device = await enrollDevice(server.services, shop.shopId, shop.ownerId, {
      name: 'New counter',
      kind: 'till',
    });
    return {
      serverUrl: server.url,
      shopId: shop.shopId,
      deviceId: device.deviceId,
      code: device.code,
      secret: device.secret,
    };
  }

  async function serverSnapshot() {
    const { projection } = await server.services.cache.get(server.services.db.db, shop.shopId);
    return snapshotProjection(projection);
  }

  it('sells from the seed at once, then folds the whole history and agrees with the server', async () => {
    const network = new FlakyNetwork();
    const credential = await newTill();
    const till = await openTestTill(credential, { network });
    try {
      await till.ready();
      expect(till.history$.value).toEqual({ seeded: true, complete: false });
      // The seed knows the stock the whole history left: 20,000 less every sale.
      expect(till.projection.timeline(productId).state.qty).toBe(20_000 - (history.length - 2));
      await till.refreshStaff();
      expect(await till.signIn(shop.cashierId, '1234')).toBeDefined();
      const sale = await till.commands.sell({ items: [{ productId, qty: 2 }] });
      expect(sale.payload.invoiceNo).toMatch(/\/000001$/);
      expect(till.projection.timeline(productId).state.qty).toBe(20_000 - (history.length - 2) - 2);

      await till.historyComplete();
      await till.syncNow();
      expect(till.history$.value).toEqual({ seeded: false, complete: true });
      expect(till.projection.seeded).toBeUndefined();
      expect(till.projection.size).toBe(await head());
      expect(snapshotProjection(till.projection)).toEqual(await serverSnapshot());
      // The history is a few chunks, not one record per event.
      const docs = await till.db.history.find().exec();
      expect(docs.length).toBeLessThan(10);
      expect(await till.db.events.count().exec()).toBe(1);
      const held = coverageOf(
        docs[0]!.log,
        docs.map((d) => d.toJSON() as HistoryDoc),
      );
      expect(held.runs).toEqual([[1, await head()]]);
      expect(till.events([sale.id, history[5]!.id]).map((e) => e.id)).toEqual([
        sale.id,
        history[5]!.id,
      ]);
    } finally {
      await till.close();
    }
  });

  it('a till closed before its history was in reopens from the seed and completes it', async () => {
    const network = new FlakyNetwork();
    const credential = await newTill();
    const first = await openTestTill(credential, { network, live: false });
    await first.ready();
    // Cut the network as soon as the seed is in: the backfill cannot finish.
    network.online = false;
    await first.close();
    const reopened = await openTestTill(credential, { network: new FlakyNetwork(), live: false });
    try {
      expect(reopened.history$.value.complete).toBe(false);
      expect(reopened.projection.timeline(productId).state.qty).toBe(
        (await serverSnapshot()).stock.find(([id]) => id === productId)?.[1].qty,
      );
      await reopened.historyComplete();
      expect(snapshotProjection(reopened.projection)).toEqual(await serverSnapshot());
    } finally {
      await reopened.close();
    }
  });

  it('a till that held events before (not fresh) pulls the whole history, no seed', async () => {
    const credential = {
      serverUrl: server.url,
      shopId: shop.shopId,
      deviceId: shop.till.deviceId,
      code: shop.till.code,
      secret: shop.till.secret,
    };
    const till = await openTestTill(credential, { live: false, sync: false });
    try {
      // This till recorded history of its own before: it is in its events collection.
      await till.db.events.bulkInsert(history.slice(0, 3).map((e) => ({ ...e })));
      await till.close();
      const again = await openTestTill(credential, { live: false, name: till.db.name });
      try {
        await again.historyComplete();
        expect(again.history$.value).toEqual({ seeded: false, complete: true });
        expect(snapshotProjection(again.projection)).toEqual(await serverSnapshot());
      } finally {
        await again.close();
      }
    } catch (err) {
      if (!till.db.closed) await till.close();
      throw err;
    }
  });

  async function head(): Promise<number> {
    const res = await fetch(`${server.url}/sync/v1/pull?after=0&limit=1`, {
      headers: syncHeaders(shop.till.token),
    });
    return ((await res.json()) as { head: number }).head;
  }
});
