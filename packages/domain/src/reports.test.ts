import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from './demo-catalog.ts';
import type { DomainEvent } from './events.ts';
import { withGstinChecksum } from './gst.ts';
import { balanceSheet, profitAndLoss, trialBalance } from './reports-books.ts';
import { gstr1, gstSummary } from './reports-gst.ts';
import { ageing, khataAgeing, khataBalances, khataStatement } from './reports-parties.ts';
import { deviceStatus, salesSummary } from './reports-sales.ts';
import { expiryList, reorderSuggestions, stockStatus, stockSummary } from './reports-stock.ts';
import { dayBook } from './reports-journal.ts';
import { ShopProjection } from './shop-projection.ts';
import { generateShop } from './testing/generator.ts';
import { ShopSim } from './testing/shop-sim.ts';

function world() {
  const sim = new ShopSim({ seed: 9 });
  const owner = sim.addDevice('M01');
  const till = sim.addDevice('T01');
  const events: DomainEvent[] = [owner.configureShop(), owner.enroll(till)];
  const ids = DEMO_PRODUCTS.map((spec) => {
    const e = owner.createProduct(spec);
    events.push(e);
    return e.payload.productId;
  });
  const [rice, tea, milk] = ids as [string, string, string];
  events.push(
    owner.receiveStock([
      { productId: tea, qty: 30 },
      { productId: milk, qty: 40, expiry: '2026-04-03' },
      { productId: rice, qty: 50_000 },
    ]),
  );
  till.receive(events);
  const p = new ShopProjection();
  const add = (...more: DomainEvent[]): void => {
    events.push(...more);
    p.apply(more);
  };
  p.apply(events);
  return { sim, owner, till, p, add, events, rice, tea, milk };
}

describe('stock reports', () => {
  it('classifies status against min and max', () => {
    expect(stockStatus(0, 10, 50)).toBe('critical');
    expect(stockStatus(5, 10, 50)).toBe('critical');
    expect(stockStatus(8, 10, 50)).toBe('low');
    expect(stockStatus(30, 10, 50)).toBe('normal');
    expect(stockStatus(60, 10, 50)).toBe('overstocked');
  });

  it('values stock at average cost and suggests reorders for low items', () => {
    const { p, till, add, tea } = world();
    add(till.sell([{ productId: tea, qty: 25 }]));
    const row = stockSummary(p).rows.find((r) => r.productId === tea)!;
    expect(row).toMatchObject({ qty: 5, value: 60000, avgCost: 12000, status: 'critical' });
    expect(reorderSuggestions(p).find((r) => r.productId === tea)?.suggestedQty).toBe(55);
  });

  it('lists batches near expiry that are still on the shelf', () => {
    const { p, till, add, milk } = world();
    add(till.sell([{ productId: milk, qty: 10 }]));
    expect(expiryList(p, '2026-04-01', 7)).toEqual([
      expect.objectContaining({ productId: milk, expiry: '2026-04-03', qty: 30, expired: false }),
    ]);
  });
});

describe('khata', () => {
  it('statement runs in canonical order and ageing settles the oldest bill first', () => {
    const { p, owner, till, add, tea } = world();
    const customer = owner.createCustomer('Ramesh', 1_000_000);
    till.receive([customer]);
    const id = customer.payload.customerId;
    add(customer, till.sell([{ productId: tea, qty: 1 }], { pay: 'khata', customerId: id }));
    till.shop.advance(40 * 86_400_000);
    add(
      till.sell([{ productId: tea, qty: 2 }], { pay: 'khata', customerId: id }),
      till.khataPayment(id, 10_000),
    );
    const statement = khataStatement(p, id);
    expect(statement.lines.map((l) => l.running)).toEqual([14500, 43500, 33500]);
    expect(khataBalances(p)[0]).toMatchObject({ customerId: id, balance: 33500, overLimit: false });
    const [row] = khataAgeing(p, till.shop.today());
    expect(row?.buckets).toEqual([29000, 4500, 0, 0]);
  });

  it('ageing depends only on totals, not on payment order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -5000, max: 5000 }).filter((n) => n !== 0),
          { maxLength: 12 },
        ),
        (amounts) => {
          const entries = amounts.map((amount, i) => ({
            key: String(i).padStart(3, '0'),
            eventId: String(i),
            day: `2026-04-${String((i % 28) + 1).padStart(2, '0')}`,
            kind: amount > 0 ? ('sale' as const) : ('payment' as const),
            ref: String(i),
            amount,
          }));
          const shuffled = [...entries]
            .reverse()
            .map((e, i) => (e.amount < 0 ? { ...e, key: `9${String(i).padStart(3, '0')}` } : e));
          const a = ageing(entries, '2026-06-01');
          const b = ageing(shuffled, '2026-06-01');
          expect(a.buckets).toEqual(b.buckets);
          expect(a.balance).toBe(amounts.reduce((s, x) => s + x, 0));
        },
      ),
    );
  });
});

describe('GST returns', () => {
  it('sorts invoices into b2b, b2cl and b2cs; credit notes into cdnr; counts cancelled documents', () => {
    const { p, till, add, tea, rice } = world();
    const gstin = withGstinChecksum('29AAPFU0939F1Z');
    const b2b = till.sell([{ productId: tea, qty: 2 }], {
      pay: 'upi',
      buyer: { name: 'Anil Traders', gstin },
    });
    // ₹1,10,000 of rice delivered to Karnataka: inter-state B2C above ₹1 lakh.
    const big = till.sell([{ productId: rice, qty: 1_000_000 }], {
      pay: 'upi',
      placeOfSupply: '29',
    });
    const small = till.sell([{ productId: tea, qty: 1 }]);
    const cancelled = till.sell([{ productId: tea, qty: 1 }]);
    add(b2b, big, small, cancelled, till.voidSale(cancelled));
    add(till.returnSale(b2b, [{ line: 0, qty: 1, restock: true }]));
    const r = gstr1(p, { from: '2026-04-01', to: '2026-04-30' });
    expect(r.b2b.map((i) => [i.invoiceNo, i.gstin])).toEqual([[b2b.payload.invoiceNo, gstin]]);
    expect(r.b2cl.map((i) => i.invoiceNo)).toEqual([big.payload.invoiceNo]);
    expect(r.b2cs).toEqual([
      expect.objectContaining({
        placeOfSupply: '27',
        supply: 'intra',
        rateBps: 500,
        taxable: 13810,
        cgst: 345,
        sgst: 345,
      }),
    ]);
    expect(r.cdnr).toHaveLength(1);
    expect(r.doc).toEqual([
      {
        series: 'T01/2627',
        kind: 'invoice',
        from: 'T01/2627/000001',
        to: 'T01/2627/000004',
        total: 4,
        cancelled: 1,
      },
      {
        series: 'T01C/2627',
        kind: 'credit-note',
        from: 'T01C/2627/000001',
        to: 'T01C/2627/000001',
        total: 1,
        cancelled: 0,
      },
    ]);
    expect(r.hsn.find((h) => h.hsn === '1006')).toMatchObject({ uqc: 'KGS', qty: 1000 });
    const summary = gstSummary(p, { from: '2026-04-01', to: '2026-04-30' });
    expect(summary.output.igst).toBe(r.b2cl[0]!.items[0]!.igst);
  });
});

describe('statements over generated histories', () => {
  it('balance sheet balances, P&L profit equals the balance sheet profit, day books balance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { events, sim } = generateShop({ seed, tills: 2, days: 2, salesPerDay: 8 });
        const p = new ShopProjection();
        p.apply(events);
        const today = sim.today();
        const bs = balanceSheet(p, today);
        expect(bs.totalAssets).toBe(bs.totalLiabilitiesAndEquity);
        expect(profitAndLoss(p, { to: today }).netProfit).toBe(bs.profit);
        const tb = trialBalance(p);
        expect(tb.totalDebit).toBe(tb.totalCredit);
        for (const day of p.balances.keys()) {
          const total = dayBook(p, events, day)
            .flatMap((e) => e.postings)
            .reduce((s, x) => s + x.amount, 0);
          expect(total).toBe(0);
        }
        const sales = salesSummary(p, {});
        expect(sales.byMode.reduce((s, b) => s + b.total, 0)).toBe(sales.total);
        expect(sales.byDevice.reduce((s, b) => s + b.bills, 0)).toBe(sales.bills);
        for (const d of deviceStatus(p)) expect(d.missingSeqs).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
