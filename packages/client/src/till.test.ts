import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import {
  createTestShop,
  startTestServer,
  type TestServer,
  type TestShop,
} from '@smartkirana/server/testing';
import { FlakyNetwork, openTestTill } from './testing/index.ts';
import type { Till } from './till.ts';

describe('a till against a real server', () => {
  let server: TestServer;
  let shop: TestShop;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    shop = await createTestShop(server);
    const res = await server.app.request(`/api/v1/staff/${shop.ownerId}/pin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${shop.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pin: '246810' }),
    });
    expect(res.status).toBeLessThan(300);
  });
  afterAll(async () => {
    await server.close();
  });

  const credential = () => ({
    serverUrl: server.url,
    shopId: shop.shopId,
    deviceId: shop.till.deviceId,
    code: shop.till.code,
    secret: shop.till.secret,
  });

  it('sells offline, shows it at once, and syncs exactly once when the network returns', async () => {
    const network = new FlakyNetwork();
    const till: Till = await openTestTill(credential(), { network });
    await till.syncNow();
    await till.refreshStaff();
    expect(await till.signIn(shop.ownerId, '000000')).toBeUndefined();
    expect(await till.signIn(shop.ownerId, '246810')).toMatchObject({ role: 'owner' });
    await till.commands.record('v1.ProductCreated', {
      productId: crypto.randomUUID(),
      ...DEMO_PRODUCTS[1]!,
    });
    const productId = [...till.projection.products.ids()][0]!;
    await till.commands.receiveStock([{ productId, qty: 10, unitCost: 12000 }]);

    network.online = false;
    expect(await till.signIn(shop.cashierId, '1234')).toMatchObject({ role: 'cashier' });
    const sale = await till.commands.sell({ items: [{ productId, qty: 3 }], pay: 'upi' });
    expect(sale.payload.invoiceNo).toMatch(/^T01\/\d{4}\/000001$/);
    expect(till.projection.timeline(productId).state.qty).toBe(7);
    expect((await till.unsynced()).map((e) => e.id)).toContain(sale.id);
    expect(till.unsyncedCount).toBe((await till.unsynced()).length);

    network.online = true;
    network.loseResponses = 0.5;
    for (let i = 0; i < 20 && (await till.unsynced()).length > 0; i++)
      await till.syncNow().catch(() => undefined);
    network.loseResponses = 0;
    await till.syncNow();
    expect(await till.unsynced()).toEqual([]);
    expect(till.unsyncedCount).toBe(0);
    const rows = await server.services.db.db
      .selectFrom('events')
      .select(['id'])
      .where('shop_id', '=', shop.shopId)
      .where('id', '=', sale.id)
      .execute();
    expect(rows).toHaveLength(1);
    const { projection } = await server.services.cache.get(server.services.db.db, shop.shopId);
    expect(snapshotProjection(till.projection)).toEqual(snapshotProjection(projection));
    await till.close();
  });
});

describe('exporting unsynced events', () => {
  it('a file of unsynced sales imports on the server exactly once, and the till then sees them acknowledged', async () => {
    const server = await startTestServer('sqlite');
    try {
      const shop = await createTestShop(server);
      const network = new FlakyNetwork();
      const till = await openTestTill(
        {
          serverUrl: server.url,
          shopId: shop.shopId,
          deviceId: shop.till.deviceId,
          code: shop.till.code,
          secret: shop.till.secret,
        },
        { network, live: false },
      );
      await till.syncNow();
      await till.refreshStaff();
      network.online = false;
      await till.signIn(shop.cashierId, '1234');
      await till.commands.openTill(100_000);
      await till.commands.expense('tea', 2000).catch(() => undefined);
      const file = await till.exportUnsynced();
      const parsed = JSON.parse(file) as { events: unknown[] };
      expect(parsed.events.length).toBeGreaterThan(0);
      const post = () =>
        server.app.request('/api/v1/import', {
          method: 'POST',
          headers: {
            authorization: `Bearer ${shop.ownerToken}`,
            'content-type': 'application/json',
          },
          body: file,
        });
      const first = (await (await post()).json()) as { accepted: number; duplicate: number };
      expect(first.accepted).toBe(parsed.events.length);
      const second = (await (await post()).json()) as { accepted: number; duplicate: number };
      expect(second).toMatchObject({ accepted: 0, duplicate: parsed.events.length });
      network.online = true;
      await till.syncNow();
      expect(await till.unsynced()).toEqual([]);
      await till.close();
    } finally {
      await server.close();
    }
  });
});
