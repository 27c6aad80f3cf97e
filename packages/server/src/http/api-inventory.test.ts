/**
 * Inventory routes on SQLite and Postgres: receipts with input tax (intra and inter-state), value at
 * moving-average cost, adjustments and counts, movement history, status filters, alerts with
 * expiring perishables, reorder suggestions, role refusal, tenancy, bad input and CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, type TestServer, type TestShop } from '../testing/index.ts';
import { idOf, productView, startApiShop, storedCounts, type Caller } from './api-testing.ts';
import type { ProductView } from './api-product-view.ts';

interface Receipt {
  receiptId: string;
  total: number;
  lines: { taxable: number; cgst: number; sgst: number; igst: number; expiry?: string }[];
}

for (const dialect of await dialects()) {
  describe(`inventory API (${dialect})`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let ids: Map<string, string>;

    const product = (sku: string): Promise<ProductView> => productView(owner, ids, sku);

    beforeAll(async () => {
      ({ server, shop, owner, cashier, stranger, ids } = await startApiShop(dialect));
    });
    afterAll(async () => {
      await server.close();
    });

    it('receives stock with input tax and values it at cost', async () => {
      const res = await owner.post<Receipt>('/api/v1/inventory/receipts', {
        supplierInvoiceNo: 'HUL/1234',
        paidBy: 'bank',
        lines: [
          { productId: idOf(ids, 'TEA-250'), qty: 24, unitCost: 12_000 },
          { productId: idOf(ids, 'MILK-500'), qty: 15 },
          { productId: idOf(ids, 'OIL-1L'), qty: 50, cost: 700_000, batch: 'B7' },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body.lines.map((l) => [l.taxable, l.cgst, l.sgst, l.igst])).toEqual([
        [288_000, 7200, 7200, 0],
        [39_000, 0, 0, 0],
        [700_000, 17_500, 17_500, 0],
      ]);
      expect(res.body.total).toBe(302_400 + 39_000 + 735_000);
      expect(res.body.lines[1]?.expiry).toBeDefined();
      const tea = await product('TEA-250');
      expect(tea).toMatchObject({
        qty: 24,
        stockValue: 288_000,
        avgCost: 12_000,
        status: 'normal',
      });

      const inter = await owner.post<Receipt>('/api/v1/inventory/receipts', {
        supply: 'inter',
        lines: [{ productId: idOf(ids, 'SUGAR'), qty: 1000, unitCost: 4000 }],
      });
      expect(inter.body.lines[0]).toMatchObject({ taxable: 4000, cgst: 0, sgst: 0, igst: 200 });
    });

    it('adjusts and counts, with the movement history', async () => {
      const tea = idOf(ids, 'TEA-250');
      const adjusted = await owner.post<ProductView>('/api/v1/inventory/adjustments', {
        productId: tea,
        qtyDelta: -2,
        reason: 'damage',
        note: 'box crushed',
      });
      expect(adjusted.status).toBe(201);
      expect(adjusted.body).toMatchObject({ qty: 22, stockValue: 264_000 });
      const counted = await owner.post<ProductView>('/api/v1/inventory/counts', {
        productId: tea,
        countedQty: 20,
      });
      expect(counted.body.qty).toBe(20);
      const moves = await owner.get<{ items: { kind: string; delta: number; qtyAfter: number }[] }>(
        `/api/v1/inventory/${tea}/movements`,
      );
      expect(moves.body.items.map((m) => [m.kind, m.delta, m.qtyAfter])).toEqual([
        ['receipt', 24, 24],
        ['adjust', -2, 22],
        ['count', -2, 20],
      ]);
      const csv = await owner.get<string>(`/api/v1/inventory/${tea}/movements?format=csv`);
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(4);
    });

    it('reports status, alerts and reorder suggestions', async () => {
      const statusOf = async (status: string): Promise<string[]> =>
        (await owner.get<{ items: ProductView[] }>(`/api/v1/inventory?status=${status}`)).body.items
          .map((r) => r.sku)
          .sort();
      expect(await statusOf('critical')).toEqual(['RICE-BSM', 'SALT-1K', 'SUGAR']);
      expect(await statusOf('low')).toEqual(['MILK-500']);
      expect(await statusOf('overstocked')).toEqual(['OIL-1L']);
      expect(await statusOf('normal')).toEqual(['TEA-250']);
      const all = await owner.get<{ totalValue: number; total: number }>('/api/v1/inventory');
      expect(all.body.total).toBe(6);
      expect(all.body.totalValue).toBe(240_000 + 39_000 + 700_000 + 4000);

      const alerts = await owner.get<{
        lowStock: unknown[];
        expiring: { productId: string }[];
        counts: Record<string, number>;
      }>('/api/v1/inventory/alerts');
      expect(alerts.body.counts).toMatchObject({ critical: 3, low: 1, expiring: 1 });
      expect(alerts.body.expiring[0]?.productId).toBe(idOf(ids, 'MILK-500'));
      const reorder = await owner.get<{ items: { sku: string; suggestedQty: number }[] }>(
        '/api/v1/inventory/reorder-suggestions',
      );
      expect(reorder.body.items.find((r) => r.sku === 'RICE-BSM')?.suggestedQty).toBe(100_000);
      expect(reorder.body.items.find((r) => r.sku === 'MILK-500')?.suggestedQty).toBe(105);
      const csv = await owner.get<string>('/api/v1/inventory/reorder-suggestions?format=csv');
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(5);
      const expiring = await owner.get<string>('/api/v1/inventory/expiring?format=csv');
      expect(expiring.text).toContain('Toned Milk 500 ml');
    });

    it('refuses a cashier’s adjustment and stores nothing', async () => {
      const before = await storedCounts(server, shop.shopId);
      const res = await cashier.post('/api/v1/inventory/adjustments', {
        productId: idOf(ids, 'TEA-250'),
        qtyDelta: -1,
        reason: 'theft',
      });
      expect(res.status).toBe(403);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
      // Reading stock is fine for a cashier.
      expect((await cashier.get('/api/v1/inventory')).status).toBe(200);
    });

    it('keeps tenants sealed', async () => {
      const tea = idOf(ids, 'TEA-250');
      const before = await storedCounts(server, shop.shopId);
      const adjust = await stranger.post('/api/v1/inventory/adjustments', {
        productId: tea,
        qtyDelta: -1,
        reason: 'theft',
      });
      expect(adjust.status).toBe(404);
      const count = await stranger.post('/api/v1/inventory/counts', {
        productId: tea,
        countedQty: 0,
      });
      expect(count.status).toBe(404);
      const receipt = await stranger.post('/api/v1/inventory/receipts', {
        lines: [{ productId: tea, qty: 1 }],
      });
      expect(receipt.status).toBe(404);
      expect((await stranger.get(`/api/v1/inventory/${tea}/movements`)).status).toBe(404);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });

    it('refuses bad input with 4xx and stores nothing', async () => {
      const tea = idOf(ids, 'TEA-250');
      const before = await storedCounts(server, shop.shopId);
      const cases: [string, unknown][] = [
        ['/api/v1/inventory/adjustments', { productId: tea, qtyDelta: 0, reason: 'damage' }],
        ['/api/v1/inventory/adjustments', { productId: tea, qtyDelta: -1, reason: 'lost' }],
        ['/api/v1/inventory/counts', { productId: tea, countedQty: -1 }],
        [
          '/api/v1/inventory/receipts',
          { lines: [{ productId: tea, qty: 1, cost: 1, unitCost: 1 }] },
        ],
        ['/api/v1/inventory/receipts', { paidBy: 'credit', lines: [{ productId: tea, qty: 1 }] }],
        [
          '/api/v1/inventory/receipts',
          { lines: [{ productId: tea, qty: 1, expiry: '2026-02-30' }] },
        ],
        ['/api/v1/inventory/receipts', { lines: [] }],
        // Arithmetic that would leave the safe-integer range is refused, never a 500.
        ['/api/v1/inventory/receipts', { lines: [{ productId: tea, qty: 1e12, unitCost: 1e13 }] }],
        ['/api/v1/inventory/adjustments', { productId: tea, qtyDelta: 1e12, reason: 'found' }],
      ];
      for (const [path, body] of cases) {
        const res = await owner.post(path, body);
        expect(res.status, JSON.stringify(body)).toBe(422);
      }
      expect((await owner.get('/api/v1/inventory?status=fine')).status).toBe(422);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });
  });
}
