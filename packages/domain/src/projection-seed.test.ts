import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from './event-envelope.ts';
import type { DomainEvent } from './events.ts';
import { snapshotProjection } from './projection-snapshot.ts';
import { projectionSeedSchema, seededProjection, seedOf } from './projection-seed.ts';
import { khataBalances } from './reports-parties.ts';
import { ShopProjection } from './shop-projection.ts';
import { generateShop } from './testing/generator.ts';
import { Rng } from './testing/rng.ts';

function project(events: Iterable<DomainEvent>): ShopProjection {
  const p = new ShopProjection();
  p.apply(events);
  return p;
}

/** What a seeded projection must get exactly right: everything a till sells and reports from. */
function sellingView(p: ShopProjection) {
  const s = snapshotProjection(p);
  return {
    balances: s.balances,
    stock: s.stock,
    products: s.products,
    customers: s.customers,
    suppliers: s.suppliers,
    staff: s.staff,
    devices: s.devices,
    orders: s.orders,
    shop: s.shop,
    khata: s.khata,
    payables: s.payables,
    rates: [...p.products.ids()].sort().map((id) => p.rateSchedule(id)),
  };
}

/** Events that refer back to a sale before the split, which a seed cannot know (see the module). */
function referencesBefore(e: DomainEvent, before: ReadonlySet<string>): boolean {
  return (
    (e.type === 'v1.SaleVoided' || e.type === 'v1.SaleReturned') && before.has(e.payload.saleId)
  );
}

describe('projection seed', () => {
  it('seed, then the rest of the history, gives the same books, stock and catalogue (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (seed, at, orderSeed) => {
          const { events } = generateShop({ seed, tills: 3, days: 2, salesPerDay: 6 });
          // The server's log up to a point in canonical order, then everything after it.
          const sorted = [...events].sort((a, b) => (canonicalKey(a) < canonicalKey(b) ? -1 : 1));
          const split = Math.floor(at * sorted.length);
          const sales = new Set(
            sorted.slice(0, split).flatMap((e) => (e.type === 'v1.SaleCompleted' ? [e.id] : [])),
          );
          const kept = sorted.filter((e) => !referencesBefore(e, sales));
          const head = kept.filter((e) => sorted.indexOf(e) < split);
          const tail = new Rng(orderSeed).shuffle(kept.filter((e) => sorted.indexOf(e) >= split));

          // The seed travels as JSON and is checked on arrival, as a till receives it.
          const wire = JSON.parse(JSON.stringify(seedOf(project(head)))) as unknown;
          const seeded = seededProjection(projectionSeedSchema.parse(wire));
          seeded.apply(tail);
          const full = project(kept);

          expect(sellingView(seeded)).toEqual(sellingView(full));
          expect(khataBalances(seeded)).toEqual(khataBalances(full));
          expect(seeded.maxKey).toBe(full.maxKey);
          expect(seeded.seeded?.events).toBe(head.length);
          expect(seedOf(seeded).events).toBe(kept.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a seed that is not one', () => {
    const seed = seedOf(project(generateShop({ seed: 3, tills: 1, days: 1 }).events));
    expect(projectionSeedSchema.safeParse(seed).success).toBe(true);
    expect(projectionSeedSchema.safeParse({ ...seed, version: 2 }).success).toBe(false);
    expect(projectionSeedSchema.safeParse({ ...seed, khata: [['x', 0.5]] }).success).toBe(false);
    expect(projectionSeedSchema.safeParse({ ...seed, extra: 1 }).success).toBe(false);
  });

  it('only seeds an empty projection', () => {
    const p = project(generateShop({ seed: 4, tills: 1, days: 1 }).events);
    expect(() => p.startFrom({ events: 1, maxKey: '' })).toThrow();
  });
});
