/**
 * Sales on SQLite and Postgres: a bill of the demo products gives the expected GST,
 * totals, invoice number and stock; split payments and round-off; oversell refused unless allowed;
 * void (owner only) and partial / full refunds restoring stock; concurrent numbering; role refusals
 * that store nothing; tenancy; bad input; CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { financialYear, istDate } from '@smartkirana/domain/calendar';
import { dialects, type TestServer, type TestShop } from '../testing/index.ts';
import {
  idOf,
  productView,
  receiveOpeningStock,
  startApiShop,
  storedCounts,
  type Caller,
} from './api-testing.ts';

interface Line {
  line: number;
  qty: number;
  taxable: number;
  cgst: number;
  sgst: number;
  returnedQty: number;
  returnableQty: number;
}
interface Sale {
  saleId: string;
  invoiceNo: string;
  total: number;
  subtotal: number;
  roundOff: number;
  status: string;
  lines: Line[];
  payments: { mode: string; amount: number }[];
  voids: { reason: string }[];
  returns: { creditNoteNo: string; total: number }[];
}
const FY = financialYear(istDate(Date.now()));

for (const dialect of await dialects()) {
  describe(`sales API (${dialect})`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let ids: Map<string, string>;
    let first: Sale;

    const qty = async (sku: string): Promise<number> => (await productView(owner, ids, sku)).qty;

    beforeAll(async () => {
      ({ server, shop, owner, cashier, stranger, ids } = await startApiShop(dialect));
      await receiveOpeningStock(owner, ids, {
        'RICE-BSM': 50_000,
        'TEA-250': 20,
        'MILK-500': 50,
        'OIL-1L': 10,
        SUGAR: 20_000,
      });
    });
    afterAll(async () => {
      await server.close();
    });

    it('rings up a bill of demo products with the right GST, total, number and stock', async () => {
      const res = await cashier.post<Sale>('/api/v1/sales', {
        lines: [
          { productId: idOf(ids, 'RICE-BSM'), qty: 1500 },
          { productId: idOf(ids, 'TEA-250'), qty: 2 },
          { productId: idOf(ids, 'MILK-500'), qty: 3 },
        ],
        tendered: 60_000,
      });
      expect(res.status).toBe(201);
      first = res.body;
      expect(first.invoiceNo).toBe(`S01/${FY}/000001`);
      expect(first).toMatchObject({ subtotal: 54_500, roundOff: 0, total: 54_500 });
      expect(first.payments).toEqual([{ mode: 'cash', amount: 54_500 }]);
      expect(res.body).toMatchObject({ tendered: 60_000, change: 5500, status: 'completed' });
      expect(first.lines.map((l) => [l.taxable, l.cgst, l.sgst])).toEqual([
        [15_714, 393, 393],
        [27_620, 690, 690],
        [9000, 0, 0],
      ]);
      expect(await qty('RICE-BSM')).toBe(48_500);
      expect(await qty('TEA-250')).toBe(18);
      expect(await qty('MILK-500')).toBe(47);
    });

    it('rounds to the rupee and splits payments', async () => {
      const sugar = await owner.post<Sale>('/api/v1/sales', {
        lines: [{ productId: idOf(ids, 'SUGAR'), qty: 333 }],
        payments: [{ mode: 'upi', amount: 1500, ref: 'UPI123' }],
      });
      expect(sugar.status).toBe(201);
      expect(sugar.body).toMatchObject({ subtotal: 1532, roundOff: -32, total: 1500 });
      expect(sugar.body.invoiceNo).toBe(`S01/${FY}/000002`);
      const wrong = await owner.post('/api/v1/sales', {
        lines: [{ productId: idOf(ids, 'OIL-1L'), qty: 2 }],
        payments: [
          { mode: 'cash', amount: 20_000 },
          { mode: 'upi', amount: 10_000 },
        ],
      });
      expect(wrong.status).toBe(422);
      const split = await owner.post<Sale>('/api/v1/sales', {
        lines: [{ productId: idOf(ids, 'OIL-1L'), qty: 2 }],
        payments: [
          { mode: 'cash', amount: 20_000 },
          { mode: 'card', amount: 15_000 },
        ],
      });
      expect(split.status).toBe(201);
      expect(split.body.total).toBe(35_000);
      const khata = await owner.post('/api/v1/sales', {
        lines: [{ productId: idOf(ids, 'OIL-1L'), qty: 1 }],
        payments: [{ mode: 'khata', amount: 17_500 }],
      });
      expect(khata.status).toBe(422);
    });

    it('refuses to oversell unless asked, and then records it', async () => {
      const before = await storedCounts(server, shop.shopId);
      const salt = { productId: idOf(ids, 'SALT-1K'), qty: 2 };
      const short = await owner.post('/api/v1/sales', { lines: [salt] });
      expect(short.status).toBe(409);
      expect(short.body).toMatchObject({ error: { code: 'conflict' } });
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
      const forced = await owner.post('/api/v1/sales', { lines: [salt], allowOversell: true });
      expect(forced.status).toBe(201);
      expect(await qty('SALT-1K')).toBe(-2);
    });

    it('numbers concurrent sales consecutively without gaps', async () => {
      const sugar = { productId: idOf(ids, 'SUGAR'), qty: 100 };
      const replies = await Promise.all(
        [1, 2, 3, 4].map(() => cashier.post<Sale>('/api/v1/sales', { lines: [sugar] })),
      );
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      const seqs = replies.map((r) => Number(r.body.invoiceNo.slice(-6))).sort((a, b) => a - b);
      expect(seqs).toEqual([5, 6, 7, 8]);
    });

    it('lists sales by range and status, and exports CSV', async () => {
      const day = istDate(Date.now());
      const list = await owner.get<{ items: { invoiceNo: string }[]; total: number }>(
        `/api/v1/sales?from=${day}&to=${day}`,
      );
      expect(list.body.total).toBe(8);
      expect(list.body.items.map((s) => s.invoiceNo)).toContain(`S01/${FY}/000008`);
      const none = await owner.get<{ total: number }>(
        '/api/v1/sales?from=2020-01-01&to=2020-01-31',
      );
      expect(none.body.total).toBe(0);
      const csv = await owner.get<string>('/api/v1/sales?format=csv');
      expect(csv.type).toContain('text/csv');
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(9);
      expect((await owner.get('/api/v1/sales?from=2026-02-01&to=2026-01-01')).status).toBe(422);
      expect((await cashier.get('/api/v1/sales')).status).toBe(403);
    });

    it('refunds part of a bill, then the rest, restoring stock', async () => {
      const part = await cashier.post<{ creditNoteNo: string; total: number; sale: Sale }>(
        `/api/v1/sales/${first.saleId}/refund`,
        { lines: [{ line: 0, qty: 500 }], reason: 'customer changed mind' },
      );
      expect(part.status).toBe(201);
      expect(part.body.creditNoteNo).toBe(`S01C/${FY}/000001`);
      expect(part.body.total).toBe(5238 + 131 + 131);
      expect(part.body.sale.status).toBe('partially-returned');
      expect(part.body.sale.lines[0]).toMatchObject({ returnedQty: 500, returnableQty: 1000 });
      expect(await qty('RICE-BSM')).toBe(49_000);
      const over = await owner.post(`/api/v1/sales/${first.saleId}/refund`, {
        lines: [{ line: 0, qty: 1001 }],
      });
      expect(over.status).toBe(409);
      const rest = await owner.post<{ total: number; sale: Sale }>(
        `/api/v1/sales/${first.saleId}/refund`,
        {},
      );
      expect(rest.status).toBe(201);
      expect(rest.body.total + part.body.total).toBe(54_500);
      expect(rest.body.sale.status).toBe('returned');
      expect(await qty('RICE-BSM')).toBe(50_000);
      expect(await qty('TEA-250')).toBe(20);
      expect((await owner.post(`/api/v1/sales/${first.saleId}/refund`, {})).status).toBe(409);
      const voidReturned = await owner.post(`/api/v1/sales/${first.saleId}/void`, {
        reason: 'x',
      });
      expect(voidReturned.status).toBe(409);
    });

    it('voids a sale (owner only), restoring stock and keeping the number', async () => {
      const sale = await owner.post<Sale>('/api/v1/sales', {
        lines: [{ productId: idOf(ids, 'TEA-250'), qty: 1 }],
      });
      expect(await qty('TEA-250')).toBe(19);
      const before = await storedCounts(server, shop.shopId);
      const refused = await cashier.post(`/api/v1/sales/${sale.body.saleId}/void`, {
        reason: 'wrong item',
      });
      expect(refused.status).toBe(403);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
      const voided = await owner.post<Sale>(`/api/v1/sales/${sale.body.saleId}/void`, {
        reason: 'wrong item',
      });
      expect(voided.status).toBe(201);
      expect(voided.body).toMatchObject({ status: 'voided', invoiceNo: sale.body.invoiceNo });
      expect(voided.body.voids[0]?.reason).toBe('wrong item');
      expect(await qty('TEA-250')).toBe(20);
      const again = await owner.post(`/api/v1/sales/${sale.body.saleId}/void`, { reason: 'x' });
      expect(again.status).toBe(409);
      const refund = await owner.post(`/api/v1/sales/${sale.body.saleId}/refund`, {});
      expect(refund.status).toBe(409);
    });

    it('keeps tenants sealed', async () => {
      const before = await storedCounts(server, shop.shopId);
      expect((await stranger.get(`/api/v1/sales/${first.saleId}`)).status).toBe(404);
      expect(
        (await stranger.post(`/api/v1/sales/${first.saleId}/void`, { reason: 'x' })).status,
      ).toBe(404);
      expect((await stranger.post(`/api/v1/sales/${first.saleId}/refund`, {})).status).toBe(404);
      const foreign = await stranger.post('/api/v1/sales', {
        lines: [{ productId: idOf(ids, 'TEA-250'), qty: 1 }],
        allowOversell: true,
      });
      expect(foreign.status).toBe(404);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });

    it('refuses bad input with 4xx and stores nothing', async () => {
      const before = await storedCounts(server, shop.shopId);
      const tea = idOf(ids, 'TEA-250');
      const bodies = [
        { lines: [] },
        { lines: [{ productId: tea, qty: 0 }] },
        { lines: [{ productId: tea, qty: 1.5 }] },
        { lines: [{ productId: tea, qty: 1 }], billDiscount: 100_000 },
        { lines: [{ productId: tea, qty: 1, lineDiscount: 20_000 }] },
        { lines: [{ productId: tea, qty: 1 }], placeOfSupply: '00' },
        { lines: [{ productId: tea, qty: 1 }], tendered: 100 },
        { lines: [{ productId: tea, qty: 1 }], payments: [{ mode: 'cheque', amount: 14_500 }] },
        { lines: [{ productId: tea, qty: 1e12 }], allowOversell: true },
      ];
      for (const body of bodies) {
        const res = await owner.post('/api/v1/sales', body);
        expect(res.status, JSON.stringify(body)).toBe(422);
      }
      const badRefund = await owner.post(`/api/v1/sales/${first.saleId}/refund`, {
        lines: [{ line: 7, qty: 1 }],
      });
      expect(badRefund.status).toBe(422);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });
  });
}
