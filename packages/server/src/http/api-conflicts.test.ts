/**
 * Conflicts and quarantine on SQLite and Postgres: an oversell resolved by a recount and one by a
 * write-off, a concurrent price edit (a till pushing an edit based on a stale price) resolved by a
 * price set on the winner, a khata over its limit acknowledged; a cashier's forbidden push listed
 * in quarantine and dismissed; roles, tenancy, bad input and CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import { dialects, pushRequest, type TestServer, type TestShop } from '../testing/index.ts';
import { idOf, startApiShop, storedCounts, type Caller } from './api-testing.ts';

interface Conflict {
  id: string;
  kind: string;
  status: string;
  productId?: string;
  resolvedBy?: string;
}

for (const dialect of await dialects()) {
  describe(`conflicts and quarantine API (${dialect})`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let ids: Map<string, string>;

    const push = async (events: DomainEvent[]): Promise<{ results: { status: string }[] }> => {
      const res = await server.app.request('/sync/v1/push', pushRequest(shop.till.token, events));
      expect(res.status).toBe(200);
      return (await res.json()) as { results: { status: string }[] };
    };
    const conflicts = async (query = ''): Promise<Conflict[]> =>
      (await owner.get<{ items: Conflict[] }>(`/api/v1/conflicts${query}`)).body.items;
    const resolve = (id: string, body: unknown) =>
      owner.post<Conflict>(`/api/v1/conflicts/${encodeURIComponent(id)}/resolve`, body);

    beforeAll(async () => {
      ({ server, shop, owner, cashier, stranger, ids } = await startApiShop(dialect));
      for (const sku of ['SALT-1K', 'TEA-250'])
        await owner.post('/api/v1/sales', {
          lines: [{ productId: idOf(ids, sku), qty: 2 }],
          allowOversell: true,
        });
    });
    afterAll(async () => {
      await server.close();
    });

    it('lists oversells and resolves one by a recount, one by a write-off', async () => {
      const open = await conflicts('?kind=oversell&status=open');
      expect(open).toHaveLength(2);
      const salt = open.find((x) => x.productId === idOf(ids, 'SALT-1K'));
      const tea = open.find((x) => x.productId === idOf(ids, 'TEA-250'));
      const recount = await resolve(salt?.id ?? '', { action: 'recount', countedQty: 5 });
      expect(recount.status).toBe(201);
      expect(recount.body.status).toBe('resolved');
      const salted = await owner.get<{ qty: number }>(`/api/v1/products/${idOf(ids, 'SALT-1K')}`);
      expect(salted.body.qty).toBe(5);
      const writeOff = await resolve(tea?.id ?? '', { action: 'write-off', qty: 1 });
      expect(writeOff.status).toBe(201);
      expect(writeOff.body).toMatchObject({ status: 'resolved' });
      const again = await resolve(tea?.id ?? '', { action: 'acknowledge', note: 'x' });
      expect(again.status).toBe(409);
      const one = await owner.get<Conflict>(
        `/api/v1/conflicts/${encodeURIComponent(tea?.id ?? '')}`,
      );
      expect(one.body.id).toBe(tea?.id);
    });

    it('resolves a concurrent price edit by setting a price on the winning edit', async () => {
      const tea = idOf(ids, 'TEA-250');
      const spec = DEMO_PRODUCTS.find((p) => p.sku === 'TEA-250');
      const { db } = server.services.db;
      const created = await db
        .selectFrom('events')
        .select('hlc')
        .where('shop_id', '=', shop.shopId)
        .where('type', '=', 'v1.ProductCreated')
        .where('body', 'like', `%${tea}%`)
        .executeTakeFirstOrThrow();
      // The till has not seen the server's edit: its edit is based on the original price.
      expect(
        (await owner.post(`/api/v1/products/${tea}/price`, { sellingPrice: 14_000 })).status,
      ).toBe(201);
      if (!spec) throw new Error('no tea');
      shop.sim.products.set(tea, { ...spec, productId: tea, priceHlc: created.hlc });
      const stale = shop.tillSim.changePrice(tea, 14_200);
      expect((await push([stale])).results[0]?.status).toBe('accepted');
      const [edit] = await conflicts('?kind=price-edit');
      expect(edit).toMatchObject({ status: 'open', productId: tea });
      const set = await resolve(edit?.id ?? '', { action: 'set-price', sellingPrice: 14_100 });
      expect(set.status).toBe(201);
      expect(set.body.status).toBe('resolved');
      const product = await owner.get<{ sellingPrice: number }>(`/api/v1/products/${tea}`);
      expect(product.body.sellingPrice).toBe(14_100);
    });

    it('acknowledges a khata over its limit; a cashier may not', async () => {
      const customer = await owner.post<{ customerId: string }>('/api/v1/customers', {
        name: 'Ramu',
        creditLimit: 1000,
      });
      await owner.post('/api/v1/sales', {
        customerId: customer.body.customerId,
        lines: [{ productId: idOf(ids, 'SALT-1K'), qty: 1 }],
        payments: [{ mode: 'khata', amount: 2800 }],
        allowOverLimit: true,
      });
      const [khata] = await conflicts('?kind=khata-over-limit');
      expect(khata?.status).toBe('open');
      const before = await storedCounts(server, shop.shopId);
      const refused = await cashier.post(
        `/api/v1/conflicts/${encodeURIComponent(khata?.id ?? '')}/resolve`,
        { action: 'acknowledge', note: 'ok' },
      );
      expect(refused.status).toBe(403);
      expect((await cashier.get('/api/v1/conflicts')).status).toBe(403);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
      const recount = await resolve(khata?.id ?? '', { action: 'recount', countedQty: 1 });
      expect(recount.status).toBe(422);
      const ack = await resolve(khata?.id ?? '', {
        action: 'acknowledge',
        note: 'will pay Friday',
      });
      expect(ack.body.status).toBe('acknowledged');
      const csv = await owner.get<string>('/api/v1/conflicts?format=csv');
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(5);
    });

    it('lists quarantined pushes and dismisses them (owner or manager)', async () => {
      shop.tillSim.actorId = shop.cashierId;
      const forbidden = shop.tillSim.changePrice(idOf(ids, 'TEA-250'), 1);
      expect((await push([forbidden])).results[0]?.status).toBe('quarantined');
      const list = await owner.get<{ items: { eventId: string; code: string; type: string }[] }>(
        '/api/v1/quarantine',
      );
      expect(list.body.items).toEqual([
        expect.objectContaining({
          eventId: forbidden.id,
          code: 'forbidden_event',
          type: 'v1.PriceChanged',
        }),
      ]);
      expect((await cashier.get('/api/v1/quarantine')).status).toBe(403);
      expect((await cashier.post(`/api/v1/quarantine/${forbidden.id}/dismiss`)).status).toBe(403);
      expect((await stranger.post(`/api/v1/quarantine/${forbidden.id}/dismiss`)).status).toBe(404);
      expect((await stranger.get<{ total: number }>('/api/v1/quarantine')).body.total).toBe(0);
      const dismissed = await owner.post<{ dismissedAt: number | null }>(
        `/api/v1/quarantine/${forbidden.id}/dismiss`,
      );
      expect(dismissed.status).toBe(201);
      expect(dismissed.body.dismissedAt).toBeGreaterThan(0);
      expect((await owner.get<{ total: number }>('/api/v1/quarantine')).body.total).toBe(0);
      const all = await owner.get<string>('/api/v1/quarantine?includeDismissed=true&format=csv');
      expect(all.text).toContain('forbidden_event');
    });

    it('keeps tenants sealed and refuses bad input', async () => {
      const [any] = await conflicts();
      const before = await storedCounts(server, shop.shopId);
      const foreign = await stranger.post(
        `/api/v1/conflicts/${encodeURIComponent(any?.id ?? '')}/resolve`,
        { action: 'acknowledge', note: 'x' },
      );
      expect(foreign.status).toBe(404);
      expect((await resolve('oversell:nothing', { action: 'acknowledge', note: '' })).status).toBe(
        404,
      );
      expect((await resolve(any?.id ?? '', { action: 'delete' })).status).toBe(422);
      expect((await resolve(any?.id ?? '', { action: 'recount' })).status).toBe(422);
      expect((await resolve(any?.id ?? '', { action: 'write-off', qty: -1 })).status).toBe(422);
      expect((await owner.get('/api/v1/conflicts?status=closed')).status).toBe(422);
      expect((await owner.post('/api/v1/quarantine/not-an-id/dismiss')).status).toBe(422);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });
  });
}
