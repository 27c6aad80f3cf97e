/**
 * Sweeps over every declared route (the OpenAPI registry), on both databases:
 * - tenancy: shop B's owner calls every route with shop A's ids; nothing of shop A comes back and
 *   nothing of shop A changes;
 * - bad input: garbage, malformed JSON, wrong types, huge strings and `__proto__` keys never get a
 *   5xx, and a refused write stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import {
  createTestShop,
  dialects,
  pushRequest,
  startTestServer,
  syncHeaders,
  type TestServer,
  type TestShop,
} from '../testing/index.ts';
import { REGISTRY } from './route.ts';

/** Ids of shop A's records, by the route parameter names that take them. */
async function populate(server: TestServer, shop: TestShop): Promise<Record<string, string>> {
  const t = shop.tillSim;
  t.actorId = shop.ownerId;
  const product = t.createProduct(DEMO_PRODUCTS[1]);
  const customer = t.createCustomer('Secret Customer A', 100_000);
  const supplier = t.createSupplier('Secret Supplier A');
  const receipt = t.receiveStock([{ productId: product.payload.productId, qty: 1 }], {
    paidBy: 'opening',
  });
  const sale = t.sell([{ productId: product.payload.productId, qty: 2 }], {
    pay: 'khata',
    customerId: customer.payload.customerId,
  });
  const order = t.emit('v1.OrderPlaced', {
    orderId: crypto.randomUUID(),
    channel: 'phone',
    lines: [{ productId: product.payload.productId, qty: 1 }],
  });
  const res = await fetch(
    `${server.url}/sync/v1/push`,
    pushRequest(shop.till.token, [product, customer, supplier, receipt, sale, order]),
  );
  expect(res.status).toBe(200);
  return {
    productId: product.payload.productId,
    customerId: customer.payload.customerId,
    supplierId: supplier.payload.supplierId,
    saleId: sale.id,
    orderId: order.payload.orderId,
    invoiceNo: sale.payload.invoiceNo,
    userId: shop.cashierId,
    deviceId: shop.till.deviceId,
    shopId: shop.shopId,
    id: `oversell:${product.payload.productId}:${sale.id}`,
    conflictId: `oversell:${product.payload.productId}:${sale.id}`,
    eventId: sale.id,
  };
}

function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(ids[name] ?? crypto.randomUUID()),
  );
}

const GARBAGE: [string, string][] = [
  ['empty object', '{}'],
  [
    'wrong types',
    '{"name":5,"qty":"many","lines":"none","amount":-1.5,"phone":[],"sellingPrice":{"a":1}}',
  ],
  ['huge string', JSON.stringify({ name: 'x'.repeat(200_000), note: 'y'.repeat(200_000) })],
  ['proto keys', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
  ['deep nesting', `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`],
  ['array', '[1,2,3]'],
  ['malformed', '{"name": "tea",'],
  ['null', 'null'],
];

for (const dialect of await dialects()) {
  describe(`every route on ${dialect}`, () => {
    let server: TestServer;
    let a: TestShop;
    let b: TestShop;
    let ids: Record<string, string>;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      a = await createTestShop(server, { seed: 11 });
      b = await createTestShop(server, { seed: 12 });
      ids = await populate(server, a);
    });
    afterAll(async () => {
      await server.close();
    });

    it('declares routes to sweep', () => {
      expect(REGISTRY.length).toBeGreaterThan(5);
    });

    it("another shop's owner never sees or changes shop A", async () => {
      const before = await snapshotOf(server, a.shopId);
      const secrets = [
        a.shopId,
        ids.productId,
        ids.customerId,
        ids.supplierId,
        ids.saleId,
        'Secret Customer A',
        'Secret Supplier A',
      ].filter((x): x is string => x !== undefined);
      for (const spec of REGISTRY) {
        if (spec.path.startsWith('/sync/v1/stream')) continue;
        const path = fill(spec.path, ids);
        const res = await server.app.request(path, {
          method: spec.method.toUpperCase(),
          headers: { ...syncHeaders(b.ownerToken) },
          ...(spec.method === 'get' || spec.method === 'delete' ? {} : { body: '{}' }),
        });
        const text = await res.text();
        expect(res.status, `${spec.method} ${spec.path}`).toBeLessThan(500);
        for (const secret of secrets)
          expect(text.includes(secret), `${spec.method} ${spec.path} leaked ${secret}`).toBe(false);
      }
      expect(await snapshotOf(server, a.shopId)).toEqual(before);
    });

    it('bad input is a 4xx, never a 5xx, and changes nothing', async () => {
      const before = await snapshotOf(server, a.shopId);
      for (const spec of REGISTRY) {
        if (spec.path.startsWith('/sync/v1/stream')) continue;
        for (const [i, [label, body]] of GARBAGE.entries()) {
          // Unknown ids of the right shape, or junk that is not an id at all.
          const junk =
            i % 2 === 0
              ? {}
              : Object.fromEntries(Object.keys(ids).map((k) => [k, "'; drop table events; --"]));
          const path = `${fill(spec.path, junk)}?limit=-5&offset=abc&from=yesterday&q=${'%00'.repeat(3)}`;
          const res = await server.app.request(path, {
            method: spec.method.toUpperCase(),
            headers: { ...syncHeaders(a.ownerToken) },
            ...(spec.method === 'get' || spec.method === 'delete' ? {} : { body }),
          });
          expect(res.status, `${spec.method} ${spec.path} with ${label}`).toBeLessThan(500);
          if (res.status >= 400) {
            const json = (await res.json()) as { error?: { code?: unknown } };
            expect(typeof json.error?.code, `${spec.method} ${spec.path} error shape`).toBe(
              'string',
            );
          }
        }
      }
      const after = await snapshotOf(server, a.shopId);
      expect(after.events).toBe(before.events);
    });
  });
}

async function snapshotOf(server: TestServer, shopId: string) {
  const db = server.services.db.db;
  const [events, quarantine, members, devices] = await Promise.all([
    db.selectFrom('events').select(['id']).where('shop_id', '=', shopId).orderBy('seq').execute(),
    db.selectFrom('quarantine').select(['id']).where('shop_id', '=', shopId).execute(),
    db
      .selectFrom('memberships')
      .select(['user_id', 'role', 'removed_at'])
      .where('shop_id', '=', shopId)
      .orderBy('user_id')
      .execute(),
    db
      .selectFrom('devices')
      .select(['id', 'revoked_at'])
      .where('shop_id', '=', shopId)
      .orderBy('id')
      .execute(),
  ]);
  return { events: events.length, quarantine: quarantine.length, members, devices };
}
