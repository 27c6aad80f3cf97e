import { firstValueFrom, skip, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import {
  createTestShop,
  startTestServer,
  type TestServer,
  type TestShop,
} from '@smartkirana/server/testing';
import { openTestTill } from './testing/index.ts';
import { tillViews } from './views.ts';

describe('live views', () => {
  let server: TestServer;
  let shop: TestShop;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    shop = await createTestShop(server);
    await server.app.request(`/api/v1/staff/${shop.ownerId}/pin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${shop.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pin: '246810' }),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('stock and today’s sales update the instant a sale is written, with no network', async () => {
    const till = await openTestTill(
      {
        serverUrl: server.url,
        shopId: shop.shopId,
        deviceId: shop.till.deviceId,
        code: shop.till.code,
        secret: shop.till.secret,
      },
      { live: false },
    );
    await till.syncNow();
    await till.refreshStaff();
    await till.signIn(shop.ownerId, '246810');
    const productId = crypto.randomUUID();
    await till.commands.record('v1.ProductCreated', { productId, ...DEMO_PRODUCTS[1]! });
    await till.commands.receiveStock([{ productId, qty: 5, unitCost: 12000 }]);
    const views = tillViews(till);
    expect(
      (await firstValueFrom(views.stock$)).rows.find((r) => r.productId === productId)?.qty,
    ).toBe(5);
    const next = firstValueFrom(views.stock$.pipe(skip(1), take(1), toArray()));
    await till.commands.sell({ items: [{ productId, qty: 2 }], pay: 'cash', tendered: 50000 });
    const [stock] = await next;
    expect(stock?.rows.find((r) => r.productId === productId)?.qty).toBe(3);
    expect((await firstValueFrom(views.todaySales$)).bills).toBe(1);
    const tb = await firstValueFrom(views.trialBalance$);
    expect(tb.totalDebit).toBe(tb.totalCredit);
    await till.close();
  });
});
