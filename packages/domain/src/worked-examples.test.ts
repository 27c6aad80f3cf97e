/**
 * BRIEF §3's journal table, line by line, through real events and the projection. Amounts are paise.
 */
import { describe, expect, it } from 'vitest';
import type { ProductSpec } from './demo-catalog.ts';
import { ShopSim } from './testing/shop-sim.ts';
import { ShopProjection } from './shop-projection.ts';
import type { DomainEvent } from './events.ts';
import { trialBalance } from './reports-books.ts';

const from = '2025-09-22';
const item = (name: string, price: number, rateBps: number): ProductSpec => ({
  sku: name.toUpperCase().replace(/\W/g, ''),
  name,
  category: 'test',
  unit: 'pc',
  mrp: price,
  sellingPrice: price,
  costPrice: 8000,
  gst: [{ from, rateBps }],
  minStock: 0,
  maxStock: 0,
  reorderQty: 0,
  perishable: false,
});

function setup(price = 10500, rateBps = 500) {
  const sim = new ShopSim({ seed: 42 });
  const owner = sim.addDevice('M01');
  const till = sim.addDevice('T01');
  const p = new ShopProjection();
  const log: DomainEvent[] = [];
  const record = <E extends DomainEvent>(e: E): E => {
    p.apply([e]);
    log.push(e);
    return e;
  };
  record(owner.configureShop());
  const product = record(owner.createProduct(item('Tea', price, rateBps))).payload.productId;
  const supplier = record(owner.createSupplier('Metro')).payload.supplierId;
  const customer = record(owner.createCustomer('Ramesh', 1_000_000)).payload.customerId;
  const purchase = record(
    owner.receiveStock([{ productId: product, qty: 10, unitCost: 8000 }], { supplierId: supplier }),
  );
  till.receive(owner.log);
  const entry = (e: DomainEvent) =>
    Object.fromEntries(p.journalFor(e).postings.map((x) => [x.account, x.amount]));
  return {
    sim,
    owner,
    till,
    p,
    record,
    product,
    supplier,
    customer,
    purchase,
    entry,
    log,
    cash: `cash:${till.deviceId}`,
  };
}

describe('journal entries of BRIEF §3', () => {
  it('purchase from a regular dealer: Inventory 800, In-CGST 20, In-SGST 20 / Supplier 840', () => {
    const { purchase, entry, supplier } = setup();
    expect(entry(purchase)).toEqual({
      inventory: 80000,
      'in-cgst': 2000,
      'in-sgst': 2000,
      [`creditor:${supplier}`]: -84000,
    });
  });

  it('cash sale ₹105 incl. 5 %: Cash 105 / Sales 100, CGST 2.50, SGST 2.50; COGS 80 / Inventory 80', () => {
    const { till, record, product, entry, cash } = setup();
    const sale = record(till.sell([{ productId: product, qty: 1 }], { pay: 'cash' }));
    expect(sale.payload.invoiceNo).toBe('T01/2627/000001');
    expect(entry(sale)).toEqual({
      [cash]: 10500,
      sales: -10000,
      'out-cgst': -250,
      'out-sgst': -250,
      cogs: 8000,
      inventory: -8000,
    });
  });

  it('UPI sale goes to UPI clearing', () => {
    const { till, record, product, entry } = setup();
    const sale = record(till.sell([{ productId: product, qty: 1 }], { pay: 'upi' }));
    expect(entry(sale)).toMatchObject({ upi: 10500, sales: -10000 });
  });

  it('khata sale debits the customer; repayment credits them', () => {
    const { till, record, product, customer, entry, cash } = setup();
    const sale = record(
      till.sell([{ productId: product, qty: 1 }], { pay: 'khata', customerId: customer }),
    );
    expect(entry(sale)).toMatchObject({ [`debtor:${customer}`]: 10500, sales: -10000 });
    const payment = record(till.khataPayment(customer, 10500, 'cash'));
    expect(entry(payment)).toEqual({ [cash]: 10500, [`debtor:${customer}`]: -10500 });
  });

  it('partial return with restock: Sales Returns 100, CGST 2.50, SGST 2.50 / Cash 105; Inventory 80 / COGS 80', () => {
    const { till, record, product, entry, cash } = setup();
    const sale = record(till.sell([{ productId: product, qty: 2 }], { pay: 'cash' }));
    const ret = record(till.returnSale(sale, [{ line: 0, qty: 1, restock: true }]));
    expect(ret.payload.creditNoteNo).toBe('T01C/2627/000001');
    expect(entry(ret)).toEqual({
      'sales-returns': 10000,
      'out-cgst': 250,
      'out-sgst': 250,
      [cash]: -10500,
      inventory: 8000,
      cogs: -8000,
    });
  });

  it('write-off of expired stock: Stock Loss / Inventory, and the input tax credit is reversed', () => {
    const { owner, record, product, entry } = setup();
    const loss = record(owner.adjust(product, -1, 'expiry'));
    expect(entry(loss)).toEqual({
      'stock-loss': 8400,
      inventory: -8000,
      'in-cgst': -200,
      'in-sgst': -200,
    });
  });

  it('till closed ₹10 short: Cash Short & Excess 10 / Cash 10', () => {
    const { till, record, entry, cash } = setup();
    const close = record(till.closeTill(100000, 99000));
    expect(entry(close)).toEqual({ 'cash-short-excess': 1000, [cash]: -1000 });
  });

  it('round-off 104.60 → 105: Cash 0.40 / Round Off 0.40', () => {
    const { till, record, product, entry, cash } = setup(10460);
    const sale = record(till.sell([{ productId: product, qty: 1 }], { pay: 'cash' }));
    expect(sale.payload).toMatchObject({ subtotal: 10460, roundOff: 40, total: 10500 });
    expect(entry(sale)).toMatchObject({
      [cash]: 10500,
      'round-off': -40,
      sales: -9962,
      'out-cgst': -249,
      'out-sgst': -249,
    });
  });

  it('every example leaves a zero trial balance', () => {
    const { till, owner, record, product, customer, p } = setup();
    const sale = record(
      till.sell([{ productId: product, qty: 3 }], { pay: 'khata', customerId: customer }),
    );
    record(till.returnSale(sale, [{ line: 0, qty: 1, restock: false }]));
    record(owner.adjust(product, -2, 'damage'));
    record(till.closeTill(5000, 5500));
    const tb = trialBalance(p);
    expect(tb.totalDebit).toBe(tb.totalCredit);
    expect(tb.totalDebit).toBeGreaterThan(0);
  });
});

describe('GST per slab (MRP-inclusive, intra- and inter-state)', () => {
  const cases: [number, number, Record<string, number>][] = [
    [0, 5000, { sales: -5000 }],
    [500, 10500, { sales: -10000, 'out-cgst': -250, 'out-sgst': -250 }],
    [1800, 11800, { sales: -10000, 'out-cgst': -900, 'out-sgst': -900 }],
    [4000, 14000, { sales: -10000, 'out-cgst': -2000, 'out-sgst': -2000 }],
  ];
  for (const [rate, price, expected] of cases) {
    it(`${rate / 100} % on ₹${price / 100}`, () => {
      const { till, record, product, entry } = setup(price, rate);
      const sale = record(till.sell([{ productId: product, qty: 1 }], { pay: 'card' }));
      expect(entry(sale)).toMatchObject({ card: price, ...expected });
    });
  }

  it('delivery to another state is IGST', () => {
    const { till, record, product, entry } = setup(11800, 1800);
    const sale = record(
      till.sell([{ productId: product, qty: 1 }], { pay: 'upi', placeOfSupply: '29' }),
    );
    expect(sale.payload.supply).toBe('inter');
    expect(entry(sale)).toMatchObject({ upi: 11800, sales: -10000, 'out-igst': -1800 });
    expect(entry(sale)['out-cgst']).toBeUndefined();
  });
});
