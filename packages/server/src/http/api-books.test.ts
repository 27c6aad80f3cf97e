/**
 * Accounting routes on SQLite and Postgres after a mix of writes (opening stock, a credit purchase,
 * cash / UPI / khata sales, a refund, payments both ways, an expense, a write-off): the trial
 * balance is zero, P&L and balance sheet agree, every journal entry balances, the debtor ledger
 * equals the khata, and the chart names its sub-ledgers. Plus role refusal, bad input and CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { istDate } from '@smartkirana/domain/calendar';
import { dialects, type TestServer } from '../testing/index.ts';
import { idOf, receiveOpeningStock, startApiShop, type Caller } from './api-testing.ts';

interface Row {
  account: string;
  name: string;
  balance: number;
}
interface Entry {
  eventId: string;
  type: string;
  postings: { account: string; amount: number; name: string }[];
}

const expectOk = <T extends { status: number; text: string }>(res: T): T => {
  expect(res.status, res.text).toBeLessThan(300);
  return res;
};

for (const dialect of await dialects()) {
  describe(`accounting API (${dialect})`, () => {
    let server: TestServer;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let customerId: string;
    let strangerCustomer: string;
    let ids: Map<string, string>;
    const day = istDate(Date.now());

    beforeAll(async () => {
      ({ server, owner, cashier, stranger, ids } = await startApiShop(dialect));
      const asha = await owner.post<{ customerId: string }>('/api/v1/customers', {
        name: 'Asha',
        creditLimit: 500_000,
      });
      customerId = asha.body.customerId;
      strangerCustomer = (
        await stranger.post<{ customerId: string }>('/api/v1/customers', {
          name: 'Elsewhere',
          creditLimit: 0,
        })
      ).body.customerId;
      const supplier = await owner.post<{ supplierId: string }>('/api/v1/suppliers', {
        name: 'Gupta Traders',
        stateCode: '27',
      });
      const tea = idOf(ids, 'TEA-250');
      const rice = idOf(ids, 'RICE-BSM');
      const oil = idOf(ids, 'OIL-1L');
      await receiveOpeningStock(owner, ids, { 'RICE-BSM': 50_000, 'TEA-250': 20 });
      expectOk(
        await owner.post('/api/v1/inventory/receipts', {
          supplierId: supplier.body.supplierId,
          supplierInvoiceNo: 'GT-77',
          lines: [{ productId: oil, qty: 10, unitCost: 15_000 }],
        }),
      );
      const cashSale = await owner.post<{ saleId: string }>('/api/v1/sales', {
        lines: [
          { productId: tea, qty: 2 },
          { productId: rice, qty: 1500 },
        ],
      });
      expectOk(cashSale);
      expectOk(
        await owner.post('/api/v1/sales', {
          lines: [{ productId: oil, qty: 1 }],
          payments: [{ mode: 'upi', amount: 17_500 }],
        }),
      );
      expectOk(
        await owner.post('/api/v1/sales', {
          customerId,
          lines: [{ productId: tea, qty: 1 }],
          payments: [{ mode: 'khata', amount: 14_500 }],
        }),
      );
      expectOk(
        await owner.post(`/api/v1/sales/${cashSale.body.saleId}/refund`, {
          lines: [{ line: 0, qty: 1 }],
        }),
      );
      expectOk(
        await owner.post(`/api/v1/customers/${customerId}/payments`, {
          amount: 10_000,
          mode: 'cash',
        }),
      );
      expectOk(
        await owner.post(`/api/v1/suppliers/${supplier.body.supplierId}/payments`, {
          amount: 100_000,
          mode: 'bank',
        }),
      );
      expectOk(
        await owner.post('/api/v1/expenses', {
          category: 'electricity',
          amount: 5000,
          mode: 'cash',
        }),
      );
      expectOk(
        await owner.post('/api/v1/inventory/adjustments', {
          productId: tea,
          qtyDelta: -1,
          reason: 'damage',
        }),
      );
    });
    afterAll(async () => {
      await server.close();
    });

    it('keeps the trial balance at zero', async () => {
      const tb = await owner.get<{ totalDebit: number; totalCredit: number; difference: number }>(
        '/api/v1/reports/trial-balance',
      );
      expect(tb.status).toBe(200);
      expect(tb.body.totalDebit).toBeGreaterThan(0);
      expect(tb.body.difference).toBe(0);
      expect(tb.body.totalDebit).toBe(tb.body.totalCredit);
      const csv = await owner.get<string>('/api/v1/reports/trial-balance?format=csv');
      expect(csv.type).toContain('text/csv');
      expect(csv.text).toContain('Stock Loss');
    });

    it('agrees between profit and loss and the balance sheet', async () => {
      const pl = await owner.get<{ netSales: number; grossProfit: number; netProfit: number }>(
        '/api/v1/reports/profit-loss',
      );
      const sameDay = await owner.get<{ netProfit: number }>('/api/v1/reports/profit-loss?days=1');
      const bs = await owner.get<{
        profit: number;
        totalAssets: number;
        totalLiabilitiesAndEquity: number;
        balanced: boolean;
      }>(`/api/v1/reports/balance-sheet?asOf=${day}`);
      expect(pl.status).toBe(200);
      expect(pl.body.netSales).toBeGreaterThan(0);
      expect(sameDay.body.netProfit).toBe(pl.body.netProfit);
      expect(bs.body.balanced).toBe(true);
      expect(bs.body.totalAssets).toBe(bs.body.totalLiabilitiesAndEquity);
      expect(bs.body.profit).toBe(pl.body.netProfit);
      const monthly = await owner.get<{ items: { netProfit: number }[] }>(
        '/api/v1/reports/monthly',
      );
      expect(monthly.body.items.map((m) => m.netProfit)).toEqual([pl.body.netProfit]);
      const before = await owner.get<{ totalAssets: number }>(
        '/api/v1/reports/balance-sheet?asOf=2020-01-01',
      );
      expect(before.body.totalAssets).toBe(0);
    });

    it('names the chart of accounts and its sub-ledgers', async () => {
      const chart = await owner.get<{ items: { code: string; name: string; kind: string }[] }>(
        '/api/v1/accounts',
      );
      const names = new Map(chart.body.items.map((a) => [a.code, a.name]));
      expect(chart.body.items.filter((a) => a.kind === 'standard')).toHaveLength(20);
      expect(names.get(`debtor:${customerId}`)).toBe('Debtor: Asha');
      expect([...names.values()]).toContain('Creditor: Gupta Traders');
      expect([...names.values()]).toContain('Cash (S01)');
      expect(names.get('expense:electricity')).toBe('Expenses: electricity');
      const balances = await owner.get<{ items: Row[] }>(`/api/v1/accounts/balances?from=${day}`);
      expect(balances.body.items.reduce((s, r) => s + r.balance, 0)).toBe(0);
    });

    it('lists balanced journal entries, filters by account, and the day book agrees', async () => {
      const journal = await owner.get<{ items: Entry[]; total: number }>(
        '/api/v1/journal?limit=500',
      );
      expect(journal.status).toBe(200);
      expect(journal.body.total).toBe(10);
      for (const e of journal.body.items)
        expect(
          e.postings.reduce((s, x) => s + x.amount, 0),
          e.type,
        ).toBe(0);
      const cash = await owner.get<{ items: Entry[] }>('/api/v1/journal?account=cash');
      expect(cash.body.items.map((e) => e.type).sort()).toEqual([
        'v1.ExpenseRecorded',
        'v1.KhataPaymentReceived',
        'v1.SaleCompleted',
        'v1.SaleReturned',
      ]);
      const sales = await owner.get<{ total: number }>('/api/v1/journal?type=v1.SaleCompleted');
      expect(sales.body.total).toBe(3);
      const book = await owner.get<{ total: number }>(`/api/v1/reports/day-book?day=${day}`);
      expect(book.body.total).toBe(journal.body.total);
      const csv = await owner.get<string>('/api/v1/journal?format=csv');
      const postings = journal.body.items.reduce((s, e) => s + e.postings.length, 0);
      expect(csv.text.trimEnd().split('\r\n')).toHaveLength(1 + postings);
      const old = await owner.get<{ total: number }>(
        '/api/v1/journal?from=2020-01-01&to=2020-12-31',
      );
      expect(old.body.total).toBe(0);
    });

    it('gives a debtor ledger equal to the khata balance', async () => {
      const ledger = await owner.get<{ opening: number; closing: number; items: unknown[] }>(
        `/api/v1/ledger?account=debtor:${customerId}`,
      );
      expect(ledger.status).toBe(200);
      expect(ledger.body).toMatchObject({ opening: 0, closing: 4500 });
      expect(ledger.body.items).toHaveLength(2);
      const khata = await owner.get<{ balance: number }>(`/api/v1/customers/${customerId}`);
      expect(khata.body.balance).toBe(4500);
      const later = await owner.get<{ opening: number; items: unknown[] }>(
        `/api/v1/ledger?account=debtor:${customerId}&from=2099-01-01`,
      );
      expect(later.body).toMatchObject({ opening: 4500, items: [] });
      const foreign = await owner.get(`/api/v1/ledger?account=debtor:${strangerCustomer}`);
      expect(foreign.status).toBe(404);
      expect((await owner.get('/api/v1/ledger?account=nonsense')).status).toBe(422);
      expect((await owner.get('/api/v1/ledger')).status).toBe(422);
    });

    it('summarises sales', async () => {
      const summary = await owner.get<{ bills: number; total: number; byMode: { key: string }[] }>(
        '/api/v1/reports/sales-summary?days=7',
      );
      expect(summary.body.bills).toBe(3);
      expect(summary.body.total).toBe(29_000 + 16_500 + 17_500 + 14_500);
      expect(summary.body.byMode.map((m) => m.key)).toEqual(['cash', 'khata', 'upi']);
      const profit = await owner.get<string>('/api/v1/reports/item-profit?format=csv');
      expect(profit.text).toContain('Assam Tea 250 g');
    });

    it('gives the dashboard KPIs', async () => {
      const res = await owner.get<{
        sales: { today: { bills: number; total: number } };
        stock: { value: number };
        khata: { outstanding: number; customersOwing: number };
        payables: { outstanding: number };
        attention: { openConflicts: number; quarantined: number };
      }>('/api/v1/reports/dashboard');
      expect(res.status).toBe(200);
      expect(res.body.sales.today).toMatchObject({ bills: 3, total: 77_500 });
      expect(res.body.khata).toEqual({ outstanding: 4500, customersOwing: 1, overLimit: 0 });
      expect(res.body.payables.outstanding).toBe(157_500 - 100_000);
      expect(res.body.stock.value).toBeGreaterThan(0);
      expect(res.body.attention).toEqual({ openConflicts: 0, quarantined: 0 });
    });

    it('keeps the books from a cashier and refuses bad queries', async () => {
      for (const path of [
        '/api/v1/reports/trial-balance',
        '/api/v1/reports/profit-loss',
        '/api/v1/journal',
        '/api/v1/accounts',
        '/api/v1/reports/sales-summary',
        '/api/v1/reports/dashboard',
      ])
        expect((await cashier.get(path)).status, path).toBe(403);
      for (const path of [
        '/api/v1/reports/profit-loss?days=0',
        '/api/v1/reports/profit-loss?days=3&from=2026-01-01',
        '/api/v1/reports/profit-loss?from=2026-02-01&to=2026-01-01',
        '/api/v1/reports/balance-sheet?asOf=yesterday',
        '/api/v1/reports/day-book?day=2026-13-01',
        '/api/v1/journal?type=v1.Nope',
        '/api/v1/journal?limit=100000',
      ])
        expect((await owner.get(path)).status, path).toBe(422);
    });
  });
}
