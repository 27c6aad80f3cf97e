/**
 * Orders on SQLite and Postgres: placed pending, moved forward only, completed as a sale that
 * names the order (stock goes down, payment status follows the sale), cancelled; a customer may
 * place one; tenancy, bad input and CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../auth/tokens.ts';
import { addStaff } from '../shops.ts';
import { dialects, type TestServer, type TestShop } from '../testing/index.ts';
import {
  caller,
  idOf,
  productView,
  receiveOpeningStock,
  startApiShop,
  storedCounts,
  type Caller,
} from './api-testing.ts';

interface Order {
  orderId: string;
  status: string;
  estimate: number;
  saleId?: string;
  payment: { paymentStatus: string; invoiceNo?: string; credit: number };
}

for (const dialect of await dialects()) {
  describe(`orders API (${dialect})`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let ids: Map<string, string>;
    let completed: string;

    const qty = async (sku: string): Promise<number> => (await productView(owner, ids, sku)).qty;

    beforeAll(async () => {
      ({ server, shop, owner, cashier, stranger, ids } = await startApiShop(dialect));
      await receiveOpeningStock(owner, ids, { 'TEA-250': 20, 'OIL-1L': 10 });
    });
    afterAll(async () => {
      await server.close();
    });

    it('takes an order through its statuses to a sale', async () => {
      const placed = await cashier.post<Order>('/api/v1/orders', {
        lines: [
          { productId: idOf(ids, 'TEA-250'), qty: 1 },
          { productId: idOf(ids, 'OIL-1L'), qty: 1 },
        ],
        note: 'deliver by 6',
      });
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({ status: 'pending', estimate: 14_500 + 17_500 });
      expect(placed.body.payment.paymentStatus).toBe('unpaid');
      completed = placed.body.orderId;
      const path = `/api/v1/orders/${completed}/status`;
      expect((await owner.post<Order>(path, { status: 'confirmed' })).body.status).toBe(
        'confirmed',
      );
      expect((await owner.post(path, { status: 'confirmed' })).status).toBe(409);
      expect((await owner.post<Order>(path, { status: 'packed' })).body.status).toBe('packed');
      expect((await owner.post(path, { status: 'confirmed' })).status).toBe(409);
      const done = await owner.post<Order>(path, {
        status: 'completed',
        sale: { payments: [{ mode: 'upi', amount: 32_000 }] },
      });
      expect(done.status).toBe(201);
      expect(done.body.status).toBe('completed');
      expect(done.body.payment.paymentStatus).toBe('paid');
      const sale = await owner.get<{ orderId: string; total: number }>(
        `/api/v1/sales/${done.body.saleId ?? ''}`,
      );
      expect(sale.body).toMatchObject({ orderId: completed, total: 32_000 });
      expect(await qty('OIL-1L')).toBe(9);
      expect(await qty('TEA-250')).toBe(19);
      expect((await owner.post(path, { status: 'cancelled' })).status).toBe(409);
      const payment = await owner.get<{ paymentStatus: string }>(
        `/api/v1/orders/${completed}/payment`,
      );
      expect(payment.body.paymentStatus).toBe('paid');
    });

    it('completes on credit, cancels, lists by status and exports CSV', async () => {
      const customer = await owner.post<{ customerId: string }>('/api/v1/customers', {
        name: 'Meena',
        creditLimit: 100_000,
      });
      const onCredit = await owner.post<Order>('/api/v1/orders', {
        customerId: customer.body.customerId,
        channel: 'online',
        lines: [{ productId: idOf(ids, 'TEA-250'), qty: 2 }],
      });
      const done = await owner.post<Order>(`/api/v1/orders/${onCredit.body.orderId}/status`, {
        status: 'completed',
        sale: { payments: [{ mode: 'khata', amount: 29_000 }] },
      });
      expect(done.body.payment).toMatchObject({ paymentStatus: 'on-credit', credit: 29_000 });
      const other = await owner.post<Order>('/api/v1/orders', {
        lines: [{ productId: idOf(ids, 'TEA-250'), qty: 1 }],
      });
      const cancelled = await owner.post<Order>(`/api/v1/orders/${other.body.orderId}/status`, {
        status: 'cancelled',
      });
      expect(cancelled.body.status).toBe('cancelled');
      expect(await qty('TEA-250')).toBe(17);
      const list = await owner.get<{ items: Order[] }>('/api/v1/orders?status=completed');
      expect(list.body.items.map((o) => o.orderId).sort()).toEqual(
        [completed, onCredit.body.orderId].sort(),
      );
      const csv = await owner.get<string>('/api/v1/orders?format=csv');
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(4);
      expect((await cashier.get('/api/v1/orders')).status).toBe(403);
    });

    it('lets a customer place an order but not read the books', async () => {
      const { userId } = await addStaff(server.services, shop.shopId, shop.ownerId, {
        name: 'Online buyer',
        phone: '6000000001',
        role: 'customer',
      });
      const token = await signAccessToken(server.services.jwtKey, {
        typ: 'user',
        sub: userId,
        shop: shop.shopId,
        role: 'customer',
      });
      const buyer = caller(server, token);
      const res = await buyer.post<Order>('/api/v1/orders', {
        channel: 'online',
        lines: [{ productId: idOf(ids, 'OIL-1L'), qty: 1 }],
      });
      expect(res.status).toBe(201);
      expect(
        (await buyer.post(`/api/v1/orders/${res.body.orderId}/status`, { status: 'packed' }))
          .status,
      ).toBe(403);
      expect((await buyer.get('/api/v1/sales')).status).toBe(403);
    });

    it('keeps tenants sealed and refuses bad input', async () => {
      const before = await storedCounts(server, shop.shopId);
      expect((await stranger.get(`/api/v1/orders/${completed}`)).status).toBe(404);
      expect((await stranger.get(`/api/v1/orders/${completed}/payment`)).status).toBe(404);
      const move = await stranger.post(`/api/v1/orders/${completed}/status`, { status: 'packed' });
      expect(move.status).toBe(404);
      const foreign = await stranger.post('/api/v1/orders', {
        lines: [{ productId: idOf(ids, 'TEA-250'), qty: 1 }],
      });
      expect(foreign.status).toBe(404);
      const tea = idOf(ids, 'TEA-250');
      for (const body of [
        { lines: [{ productId: tea, qty: -1 }] },
        { lines: [] },
        { lines: [{ productId: tea, qty: 1 }], channel: 'fax' },
        { lines: [{ productId: tea, qty: 1 }], extra: 1 },
        { lines: [{ productId: tea, qty: 1e12 }] },
      ])
        expect((await owner.post('/api/v1/orders', body)).status, JSON.stringify(body)).toBe(422);
      const bad = await owner.post(`/api/v1/orders/${completed}/status`, { status: 'pending' });
      expect(bad.status).toBe(422);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });
  });
}
