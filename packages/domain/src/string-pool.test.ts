/**
 * The string pool changes no value, pools only the fields that recur, and stays bounded whatever a
 * sender makes up. (What it saves in memory is measured by `pnpm bench`, memory.)
 */
import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from './demo-catalog.ts';
import { decodeEvent, type DomainEvent } from './events.ts';
import { ShopSim } from './testing/index.ts';
import { MAX_POOLED, StringPool } from './string-pool.ts';

function decoded(e: DomainEvent): DomainEvent {
  const d = decodeEvent(JSON.parse(JSON.stringify(e)));
  if (!d.ok) throw new Error('invalid event');
  return d.event;
}

function shopWithSales(count: number) {
  const shop = new ShopSim({ seed: 9 });
  const till = shop.addDevice('T01');
  const products = DEMO_PRODUCTS.slice(0, 4).map((spec) => till.createProduct(spec));
  const sales = Array.from({ length: count }, (_, i) => {
    const product = products[i % products.length]?.payload;
    if (!product) throw new Error('no product');
    return till.sell([{ productId: product.productId, qty: product.unit === 'pc' ? 1 : 1000 }], {
      pay: 'cash',
    });
  });
  return { till, products, sales };
}

describe('StringPool', () => {
  it('changes no value of an event', () => {
    const { products, sales } = shopWithSales(20);
    const pool = new StringPool();
    for (const e of [...products, ...sales]) {
      const copy = decoded(e);
      expect(pool.internEvent(copy)).toEqual(decoded(e));
    }
  });

  it('pools the recurring fields only: not ids, clocks or invoice numbers', () => {
    const { products, sales } = shopWithSales(200);
    const pool = new StringPool();
    for (const e of products) pool.internEvent(decoded(e));
    const afterCatalogue = pool.size;
    for (const e of sales.slice(0, 10)) pool.internEvent(decoded(e));
    const recurring = pool.size;
    // 190 more sales on the same day, products and till: nothing new to pool.
    for (const e of sales.slice(10)) pool.internEvent(decoded(e));
    expect(pool.size).toBe(recurring);
    // The first sales add the sale's codes and the lines' names, HSN codes and units: a handful,
    // not one string per sale.
    expect(recurring - afterCatalogue).toBeLessThan(20);
  });

  it('passes malformed events through unchanged', () => {
    const pool = new StringPool();
    const odd = [
      null,
      7,
      { type: 'v1.SaleCompleted' },
      { shopId: 5, payload: null },
      { payload: { lines: [null, 3, { productId: 9, name: 'Salt' }] } },
    ];
    const before = JSON.stringify(odd);
    for (const e of odd) pool.internEvent(e as unknown as DomainEvent);
    expect(JSON.stringify(odd)).toBe(before);
  });

  it('stops growing at its bound, and never pools long strings', () => {
    const { till, products } = shopWithSales(0);
    const product = products[0]?.payload;
    if (!product) throw new Error('no product');
    const pool = new StringPool();
    const qty = product.unit === 'pc' ? 1 : 1000;
    const sale = decoded(till.sell([{ productId: product.productId, qty }], { pay: 'cash' }));
    const line = (sale.payload as { lines: { name: string }[] }).lines[0];
    if (!line) throw new Error('no line');
    for (let i = 0; i < MAX_POOLED + 500; i++) {
      line.name = `name ${i}`;
      pool.internEvent(sale);
    }
    expect(pool.size).toBe(MAX_POOLED);
    const fresh = new StringPool();
    expect(fresh.intern('x'.repeat(81))).toBe('x'.repeat(81));
    expect(fresh.size).toBe(0);
  });
});
