/**
 * Shrunk failing cases found by the property tests, kept as fixtures that replay on every run.
 */
import { describe, expect, it } from 'vitest';
import { decodeEvent, type DomainEvent } from './events.ts';
import { DEMO_PRODUCTS } from './demo-catalog.ts';
import { snapshotProjection } from './projection-snapshot.ts';
import { ShopProjection } from './shop-projection.ts';
import { generateShop } from './testing/generator.ts';
import { ShopSim } from './testing/shop-sim.ts';

describe('regressions', () => {
  it('a payment of −2^53 paise is refused, not thrown (fuzzing the push body)', () => {
    const { events } = generateShop({ seed: 5, tills: 3, days: 2 });
    const sale = JSON.parse(JSON.stringify(events.find((e) => e.type === 'v1.SaleCompleted'))) as {
      payload: { payments: { amount: number }[] };
    };
    sale.payload.payments[0]!.amount = -9007199254740992;
    expect(() => decodeEvent(sale)).not.toThrow();
    expect(decodeEvent(sale).ok).toBe(false);
  });

  it('a business day that is not a date is refused, not thrown (isoDateSchema refine ran on junk)', () => {
    const { events } = generateShop({ seed: 5, tills: 1, days: 1 });
    const sale = JSON.parse(JSON.stringify(events.find((e) => e.type === 'v1.SaleCompleted'))) as {
      payload: { businessDay: string };
    };
    for (const junk of ['yesterday', '2026-13-01', '2026-02-31', '']) {
      sale.payload.businessDay = junk;
      expect(() => decodeEvent(sale)).not.toThrow();
      expect(decodeEvent(sale).ok).toBe(false);
    }
  });

  it('generated till closes never count negative cash (seed 5 once did)', () => {
    const { events } = generateShop({ seed: 5, tills: 3, days: 2 });
    for (const e of events) expect(decodeEvent(JSON.parse(JSON.stringify(e))).ok).toBe(true);
  });

  it('voiding the only khata sale of a customer leaves no trace of the customer in khata', () => {
    const sim = new ShopSim({ seed: 1 });
    const owner = sim.addDevice('M01');
    const till = sim.addDevice('T01');
    const setup: DomainEvent[] = [owner.configureShop()];
    const product = owner.createProduct(DEMO_PRODUCTS[1]);
    const customer = owner.createCustomer('Ramesh');
    setup.push(
      product,
      customer,
      owner.receiveStock([{ productId: product.payload.productId, qty: 5 }]),
    );
    till.receive(setup);
    const sale = till.sell([{ productId: product.payload.productId, qty: 1 }], {
      pay: 'khata',
      customerId: customer.payload.customerId,
    });
    const voided = till.voidSale(sale);
    const a = new ShopProjection();
    a.apply([...setup, sale]);
    a.apply([voided]);
    const b = new ShopProjection();
    b.apply([...setup, voided, sale]);
    expect(snapshotProjection(a)).toEqual(snapshotProjection(b));
    expect(a.khata.has(customer.payload.customerId)).toBe(false);
  });
});
