import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from './demo-catalog.ts';
import type { DomainEvent } from './events.ts';
import { ShopProjection } from './shop-projection.ts';
import { stockMovements } from './reports-stock.ts';
import { ShopSim } from './testing/shop-sim.ts';

const TEA = DEMO_PRODUCTS[1]!;
const RICE = DEMO_PRODUCTS[0]!;

function shop() {
  const sim = new ShopSim({ seed: 4 });
  const owner = sim.addDevice('M01');
  const till = sim.addDevice('T01');
  const p = new ShopProjection();
  const add = (...events: DomainEvent[]): void => {
    p.apply(events);
    till.receive(events);
  };
  return { sim, owner, till, p, add };
}

describe('stock timeline', () => {
  it('partial returns never put back more cost than the sale took out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 1, max: 5000 }),
        (sold, unitCost) => {
          const { owner, till, p, add } = shop();
          const product = owner.createProduct(TEA);
          const id = product.payload.productId;
          add(product, owner.receiveStock([{ productId: id, qty: 3 }], { paidBy: 'opening' }));
          add(owner.receiveStock([{ productId: id, qty: 7, unitCost }]));
          const sale = till.sell([{ productId: id, qty: sold }]);
          add(sale);
          const returned = new Map<number, number>();
          for (let i = 0; i < sold; i++) {
            add(
              till.returnSale(sale, [{ line: 0, qty: 1, restock: true }], {
                alreadyReturned: returned,
              }),
            );
            returned.set(0, i + 1);
          }
          const moves = stockMovements(p, id);
          const out = moves.filter((m) => m.kind === 'sale').reduce((s, m) => s + m.value, 0);
          const back = moves.filter((m) => m.kind === 'return').reduce((s, m) => s + m.value, 0);
          expect(back).toBe(out);
          expect(p.timeline(id).state.qty).toBe(10);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a later cost price values a sale from empty stock, per kilogram for loose goods', () => {
    const { owner, till, p, add } = shop();
    const rice = owner.createProduct(RICE);
    const id = rice.payload.productId;
    add(rice);
    add(
      owner.emit('v1.PriceChanged', {
        productId: id,
        sellingPrice: 11000,
        costPrice: 8000,
        basedOn: rice.hlc,
      }),
    );
    add(till.sell([{ productId: id, qty: 500 }]));
    const [sale] = stockMovements(p, id).filter((m) => m.kind === 'sale');
    expect(sale?.value).toBe(4000); // 500 g at ₹80/kg
  });
});
