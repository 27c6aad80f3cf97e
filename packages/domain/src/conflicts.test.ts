import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listConflicts } from './conflicts.ts';
import { DEMO_PRODUCTS } from './demo-catalog.ts';
import type { DomainEvent } from './events.ts';
import { ShopProjection } from './shop-projection.ts';
import { snapshotProjection } from './projection-snapshot.ts';
import { trialBalance } from './reports-books.ts';
import { salesSummary } from './reports-sales.ts';
import { generateShop } from './testing/generator.ts';
import { Rng } from './testing/rng.ts';
import { ShopSim } from './testing/shop-sim.ts';

const TEA = DEMO_PRODUCTS[1]!;

/** An owner, two tills and one product with `stock` units on the shelf; both tills have synced. */
function shop(stock: number) {
  const sim = new ShopSim({ seed: 3 });
  const owner = sim.addDevice('M01');
  const a = sim.addDevice('T01');
  const b = sim.addDevice('T02');
  const setup: DomainEvent[] = [owner.configureShop(), owner.enroll(a), owner.enroll(b)];
  const created = owner.createProduct(TEA);
  setup.push(created, owner.receiveStock([{ productId: created.payload.productId, qty: stock }]));
  a.receive(setup);
  b.receive(setup);
  return { sim, owner, a, b, setup, productId: created.payload.productId };
}

const project = (...batches: DomainEvent[][]): ShopProjection => {
  const p = new ShopProjection();
  for (const batch of batches) p.apply(batch);
  return p;
};

describe('oversell', () => {
  it('two offline tills sell the last unit: stock −1, conflict open; a recount resolves it', () => {
    const { owner, a, b, setup, productId } = shop(1);
    const saleA = a.sell([{ productId, qty: 1 }]);
    const saleB = b.sell([{ productId, qty: 1 }]);
    const p = project(setup, [saleB], [saleA]);
    expect(p.timeline(productId).state.qty).toBe(-1);
    const [conflict] = listConflicts(p).filter((c) => c.kind === 'oversell');
    expect(conflict).toMatchObject({ status: 'open', productId, figures: { lowest: -1 } });
    // Whichever sale is second in canonical order is the one that went below zero.
    expect([saleA.id, saleB.id]).toContain(conflict?.eventIds[0]);

    owner.receive([saleA, saleB]);
    const recount = owner.count(productId, 0, [conflict!.id]);
    p.apply([recount]);
    expect(p.timeline(productId).state.qty).toBe(0);
    expect(listConflicts(p).find((c) => c.id === conflict!.id)).toMatchObject({
      status: 'resolved',
      resolvedBy: recount.id,
    });
    const tb = trialBalance(p);
    expect(tb.totalDebit).toBe(tb.totalCredit);
  });

  it('a receipt that arrives late (earlier in canonical order) re-folds the product and clears the dip', () => {
    const { owner, a, setup, productId } = shop(0);
    const receipt = owner.receiveStock([{ productId, qty: 5 }]);
    a.receive([receipt]);
    const sale = a.sell([{ productId, qty: 2 }]);
    const late = project(setup, [sale], [receipt]);
    const inOrder = project(setup, [receipt, sale]);
    expect(listConflicts(late).filter((c) => c.kind === 'oversell')).toEqual([]);
    expect(snapshotProjection(late)).toEqual(snapshotProjection(inOrder));
    expect(late.timeline(productId).state.qty).toBe(3);
  });
});

describe('voids', () => {
  it('a voided sale contributes nothing, whether the void arrives before or after it', () => {
    const { a, setup, productId } = shop(5);
    const sale = a.sell([{ productId, qty: 2 }], { pay: 'upi' });
    const voided = a.voidSale(sale);
    const without = snapshotProjection(project(setup));
    const after = project(setup, [sale], [voided]);
    const before = project(setup, [voided], [sale]);
    expect(snapshotProjection(after)).toEqual(snapshotProjection(before));
    expect(after.timeline(productId).state.qty).toBe(5);
    expect(snapshotProjection(after).balances).toEqual(without.balances);
    expect(after.isVoided(sale.id)).toBe(true);
  });
});

describe('concurrent price edits', () => {
  it('last writer by HLC wins; the conflict shows until someone edits on top of the winner', () => {
    const { a, b, setup, productId } = shop(5);
    const basedOn = a.shop.product(productId).priceHlc;
    const editA = a.changePrice(productId, 15500, basedOn);
    const editB = b.changePrice(productId, 16000, basedOn);
    const p = project(setup, [editB, editA]);
    const winner = editA.hlc > editB.hlc ? editA : editB;
    expect(p.products.get(productId)?.get('sellingPrice')).toBe(winner.payload.sellingPrice);
    const conflict = listConflicts(p).find((c) => c.kind === 'price-edit');
    expect(conflict).toMatchObject({
      status: 'open',
      eventIds: [editA, editB].sort((x, y) => (x.hlc < y.hlc ? -1 : 1)).map((e) => e.id),
    });
    b.receive([editA]);
    a.receive([editB]);
    const settle = a.changePrice(productId, 15800, winner.hlc);
    p.apply([settle]);
    expect(listConflicts(p).find((c) => c.kind === 'price-edit')).toMatchObject({
      status: 'resolved',
      resolvedBy: settle.id,
    });
  });
});

describe('late events and khata', () => {
  it('an event for a closed day from beyond the watermark is flagged, and can be acknowledged', () => {
    const { owner, a, setup, productId } = shop(5);
    const early = a.sell([{ productId, qty: 1 }]);
    const close = owner.closeDay(a.shop.today(), { [a.deviceId]: early.deviceSeq });
    const late = a.sell([{ productId, qty: 1 }]);
    const p = project(setup, [early, close, late]);
    const flagged = listConflicts(p).filter((c) => c.kind === 'late-event');
    expect(flagged.map((c) => c.eventIds[0])).toEqual([late.id]);
    p.apply([owner.acknowledge(flagged[0]!.id, 'counted next morning')]);
    expect(listConflicts(p).find((c) => c.kind === 'late-event')?.status).toBe('acknowledged');
  });

  it('khata over the credit limit is a conflict while the balance stays above it', () => {
    const { owner, a, setup, productId } = shop(10);
    const customer = owner.createCustomer('Sunita', 20_000);
    a.receive([customer]);
    const sale = a.sell([{ productId, qty: 2 }], {
      pay: 'khata',
      customerId: customer.payload.customerId,
    });
    const p = project(setup, [customer, sale]);
    expect(listConflicts(p).find((c) => c.kind === 'khata-over-limit')).toMatchObject({
      figures: { balance: 29000, limit: 20_000 },
    });
    p.apply([a.khataPayment(customer.payload.customerId, 10_000)]);
    expect(listConflicts(p).find((c) => c.kind === 'khata-over-limit')).toBeUndefined();
  });

  it('an acknowledged khata episode does not hide the next one', () => {
    const { owner, a, setup, productId } = shop(10);
    const customer = owner.createCustomer('Sunita', 10_000);
    a.receive([customer]);
    const id = customer.payload.customerId;
    const p = project(setup, [
      customer,
      a.sell([{ productId, qty: 1 }], { pay: 'khata', customerId: id }),
    ]);
    const first = listConflicts(p).find((c) => c.kind === 'khata-over-limit')!;
    p.apply([owner.acknowledge(first.id)]);
    expect(listConflicts(p).find((c) => c.kind === 'khata-over-limit')?.status).toBe(
      'acknowledged',
    );
    p.apply([a.sell([{ productId, qty: 1 }], { pay: 'khata', customerId: id })]);
    expect(listConflicts(p).find((c) => c.kind === 'khata-over-limit')?.status).toBe('open');
  });

  it('an adjustment that names a conflict in `resolves` resolves it', () => {
    const { owner, a, setup, productId } = shop(5);
    const early = a.sell([{ productId, qty: 1 }]);
    const close = owner.closeDay(a.shop.today(), { [a.deviceId]: early.deviceSeq });
    const late = a.sell([{ productId, qty: 1 }]);
    const p = project(setup, [early, close, late]);
    const conflictId = `late:${late.id}`;
    const fix = owner.emit('v1.StockAdjusted', {
      productId,
      qtyDelta: -1,
      reason: 'correction',
      rateBps: 0,
      resolves: [conflictId],
    });
    p.apply([fix]);
    expect(listConflicts(p).find((c) => c.id === conflictId)).toMatchObject({
      status: 'resolved',
      resolvedBy: fix.id,
    });
  });
});

describe('views read as events arrive', () => {
  it('conflicts and a day’s sales read after every batch equal a fresh fold of what arrived', () => {
    let oversellsSeen = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (seed, orderSeed) => {
          const { events } = generateShop({
            seed,
            tills: 3,
            days: 2,
            salesPerDay: 10,
            stockFactor: 0.3,
          });
          const rng = new Rng(orderSeed);
          const shuffled = rng.shuffle([...events]);
          const days = [
            ...new Set(
              events.flatMap((e) => (e.type === 'v1.SaleCompleted' ? [e.payload.businessDay] : [])),
            ),
          ];
          const p = new ShopProjection();
          for (let i = 0; i < shuffled.length;) {
            const size = rng.int(1, 25);
            p.apply(shuffled.slice(i, i + size));
            i += size;
            // `p` has been read before (what it keeps between reads is in play); the fresh fold
            // has never been read.
            const fresh = project(shuffled.slice(0, i));
            const read = listConflicts(p);
            expect(read).toEqual(listConflicts(fresh));
            oversellsSeen += read.filter((c) => c.kind === 'oversell').length;
            for (const day of days) {
              const summary = salesSummary(p, { from: day, to: day });
              expect(summary).toEqual(salesSummary(fresh, { from: day, to: day }));
              const bills = [...fresh.sales.values()].filter(
                (sale) => sale.payload.businessDay === day && !fresh.isVoided(sale.id),
              );
              expect(summary.bills).toBe(bills.length);
              expect(summary.total).toBe(bills.reduce((sum, sale) => sum + sale.payload.total, 0));
            }
          }
        },
      ),
      { numRuns: 25 },
    );
    expect(oversellsSeen).toBeGreaterThan(0);
  });
});
