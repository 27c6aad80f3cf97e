/**
 * Khata, suppliers and expenses on SQLite and Postgres: customers with balances, statements,
 * ageing and payments; credit limits; suppliers with payables and payments; expenses by head;
 * role refusals that store nothing; tenancy; bad input; CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withGstinChecksum } from '@smartkirana/domain/gst';
import { dialects, type TestServer, type TestShop } from '../testing/index.ts';
import {
  idOf,
  receiveOpeningStock,
  startApiShop,
  storedCounts,
  type Caller,
} from './api-testing.ts';

interface Customer {
  customerId: string;
  name: string;
  balance: number;
  overLimit: boolean;
  creditLimit: number;
}
interface Supplier {
  supplierId: string;
  balance?: number;
  buckets?: number[];
}

for (const dialect of await dialects()) {
  describe(`khata, suppliers and expenses API (${dialect})`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let ids: Map<string, string>;
    let asha: Customer;
    let gupta: Supplier;

    beforeAll(async () => {
      ({ server, shop, owner, cashier, stranger, ids } = await startApiShop(dialect));
      await receiveOpeningStock(owner, ids, { 'TEA-250': 40 });
    });
    afterAll(async () => {
      await server.close();
    });

    it('creates customers (a cashier may) and keeps phones unique', async () => {
      const res = await cashier.post<Customer>('/api/v1/customers', {
        name: 'Asha Devi',
        phone: '9876543212',
        creditLimit: 50_000,
      });
      expect(res.status).toBe(201);
      asha = res.body;
      expect(asha).toMatchObject({ balance: 0, creditLimit: 50_000, overLimit: false });
      const dup = await owner.post('/api/v1/customers', { name: 'Other', phone: '9876543212' });
      expect(dup.status).toBe(409);
      const b2b = await owner.post<Customer>('/api/v1/customers', {
        name: 'Hotel Sagar',
        gstin: withGstinChecksum('27AAACH1234K1Z'),
        stateCode: '27',
      });
      expect(b2b.status).toBe(201);
      expect(b2b.body.creditLimit).toBe(0);
    });

    it('sells on khata within the limit, then takes a payment', async () => {
      const tea = idOf(ids, 'TEA-250');
      const sale = await cashier.post('/api/v1/sales', {
        customerId: asha.customerId,
        lines: [{ productId: tea, qty: 3 }],
        payments: [{ mode: 'khata', amount: 43_500 }],
      });
      expect(sale.status).toBe(201);
      const over = await cashier.post('/api/v1/sales', {
        customerId: asha.customerId,
        lines: [{ productId: tea, qty: 1 }],
        payments: [{ mode: 'khata', amount: 14_500 }],
      });
      expect(over.status).toBe(409);
      const forced = await owner.post('/api/v1/sales', {
        customerId: asha.customerId,
        lines: [{ productId: tea, qty: 1 }],
        payments: [{ mode: 'khata', amount: 14_500 }],
        allowOverLimit: true,
      });
      expect(forced.status).toBe(201);
      const owing = await owner.get<{ items: Customer[] }>('/api/v1/customers?owing=true');
      expect(owing.body.items).toEqual([
        expect.objectContaining({ name: 'Asha Devi', balance: 58_000, overLimit: true }),
      ]);
      const paid = await cashier.post<{ customer: Customer }>(
        `/api/v1/customers/${asha.customerId}/payments`,
        { amount: 20_000, mode: 'upi', note: 'GPay' },
      );
      expect(paid.status).toBe(201);
      expect(paid.body.customer.balance).toBe(38_000);

      const statement = await owner.get<{
        balance: number;
        items: { kind: string; amount: number; running: number }[];
      }>(`/api/v1/customers/${asha.customerId}/statement`);
      expect(statement.body.balance).toBe(38_000);
      expect(statement.body.items.map((l) => [l.kind, l.amount, l.running])).toEqual([
        ['sale', 43_500, 43_500],
        ['sale', 14_500, 58_000],
        ['payment', -20_000, 38_000],
      ]);
      const ageing = await owner.get<{ items: { balance: number; buckets: number[] }[] }>(
        '/api/v1/khata/ageing',
      );
      expect(ageing.body.items[0]).toMatchObject({ balance: 38_000, buckets: [38_000, 0, 0, 0] });
      const csv = await owner.get<string>('/api/v1/khata/ageing?format=csv');
      expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
        'customerId,name,balance,days0to30,days31to60,days61to90,over90',
      );
      const search = await owner.get<{ total: number }>('/api/v1/customers?q=sagar');
      expect(search.body.total).toBe(1);
    });

    it('lets only management edit a customer', async () => {
      const before = await storedCounts(server, shop.shopId);
      const path = `/api/v1/customers/${asha.customerId}`;
      expect((await cashier.patch(path, { creditLimit: 1_000_000 })).status).toBe(403);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
      const edited = await owner.patch<Customer>(path, { creditLimit: 100_000 });
      expect(edited.body).toMatchObject({ creditLimit: 100_000, overLimit: false });
    });

    it('tracks what the shop owes a supplier', async () => {
      const created = await owner.post<Supplier>('/api/v1/suppliers', {
        name: 'Gupta Traders',
        phone: '9822000000',
        stateCode: '27',
      });
      expect(created.status).toBe(201);
      gupta = created.body;
      const receipt = await owner.post<{ total: number }>('/api/v1/inventory/receipts', {
        supplierId: gupta.supplierId,
        lines: [{ productId: idOf(ids, 'OIL-1L'), qty: 12, unitCost: 15_000 }],
      });
      expect(receipt.body.total).toBe(189_000);
      const paid = await owner.post<{ supplier: Supplier }>(
        `/api/v1/suppliers/${gupta.supplierId}/payments`,
        { amount: 89_000, mode: 'bank' },
      );
      expect(paid.body.supplier.balance).toBe(100_000);
      const list = await owner.get<{ items: Supplier[] }>('/api/v1/suppliers');
      expect(list.body.items[0]).toMatchObject({ balance: 100_000, buckets: [100_000, 0, 0, 0] });
      const statement = await owner.get<{ balance: number; items: unknown[] }>(
        `/api/v1/suppliers/${gupta.supplierId}/statement`,
      );
      expect(statement.body).toMatchObject({ balance: 100_000 });
      expect(statement.body.items).toHaveLength(2);
      // A cashier sees suppliers, not what is owed to them, and cannot pay them.
      const seen = await cashier.get<{ items: Supplier[] }>('/api/v1/suppliers');
      expect(seen.status).toBe(200);
      expect(seen.body.items[0]?.balance).toBeUndefined();
      const before = await storedCounts(server, shop.shopId);
      const pay = await cashier.post(`/api/v1/suppliers/${gupta.supplierId}/payments`, {
        amount: 100,
        mode: 'cash',
      });
      expect(pay.status).toBe(403);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });

    it('records and lists expenses', async () => {
      for (const [category, amount] of [
        ['electricity', 120_000],
        ['rent', 1_500_000],
        ['electricity', 30_000],
      ] as const) {
        const res = await owner.post('/api/v1/expenses', { category, amount, mode: 'bank' });
        expect(res.status).toBe(201);
      }
      const all = await owner.get<{ total: number; totalAmount: number }>('/api/v1/expenses');
      expect(all.body).toMatchObject({ total: 3, totalAmount: 1_650_000 });
      const power = await owner.get<{ items: { amount: number }[]; totalAmount: number }>(
        '/api/v1/expenses?category=electricity',
      );
      expect(power.body.items.map((e) => e.amount)).toEqual([30_000, 120_000]);
      const csv = await owner.get<string>('/api/v1/expenses?format=csv');
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(4);
      const before = await storedCounts(server, shop.shopId);
      const refused = await cashier.post('/api/v1/expenses', {
        category: 'tea',
        amount: 100,
        mode: 'cash',
      });
      expect(refused.status).toBe(403);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });

    it('keeps tenants sealed', async () => {
      const before = await storedCounts(server, shop.shopId);
      const c = `/api/v1/customers/${asha.customerId}`;
      expect((await stranger.get(c)).status).toBe(404);
      expect((await stranger.patch(c, { name: 'x' })).status).toBe(404);
      expect((await stranger.get(`${c}/statement`)).status).toBe(404);
      expect((await stranger.post(`${c}/payments`, { amount: 1, mode: 'cash' })).status).toBe(404);
      const s = `/api/v1/suppliers/${gupta.supplierId}`;
      expect((await stranger.get(s)).status).toBe(404);
      expect((await stranger.get(`${s}/statement`)).status).toBe(404);
      expect((await stranger.post(`${s}/payments`, { amount: 1, mode: 'cash' })).status).toBe(404);
      const sale = await stranger.post('/api/v1/sales', {
        customerId: asha.customerId,
        lines: [{ productId: idOf(ids, 'TEA-250'), qty: 1 }],
      });
      expect(sale.status).toBe(404);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });

    it('refuses bad input with 4xx and stores nothing', async () => {
      const before = await storedCounts(server, shop.shopId);
      const pay = `/api/v1/customers/${asha.customerId}/payments`;
      const cases: [string, unknown][] = [
        [pay, { amount: 0, mode: 'cash' }],
        [pay, { amount: 100, mode: 'khata' }],
        [pay, { amount: 1.5, mode: 'cash' }],
        ['/api/v1/customers', { name: 'X', creditLimit: -1 }],
        ['/api/v1/customers', { name: 'X', phone: '12345' }],
        ['/api/v1/customers', { name: 'X', gstin: '27AAACH1234K1ZZ' }],
        ['/api/v1/customers', { name: '   ' }],
        ['/api/v1/suppliers', { name: 'X', stateCode: '00' }],
        ['/api/v1/expenses', { category: 'Rent!', amount: 100, mode: 'cash' }],
      ];
      for (const [path, body] of cases) {
        const res = await owner.post(path, body);
        expect(res.status, JSON.stringify(body)).toBe(422);
      }
      expect((await owner.get('/api/v1/khata/ageing?asOf=tomorrow')).status).toBe(422);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });
  });
}
