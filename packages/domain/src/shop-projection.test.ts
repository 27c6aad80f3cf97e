import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateShop } from './testing/generator.ts';
import { Rng } from './testing/rng.ts';
import { ShopProjection } from './shop-projection.ts';
import { snapshotProjection } from './projection-snapshot.ts';
import { decodeEvent, type DomainEvent } from './events.ts';
import { trialBalance } from './reports-books.ts';
import { sumPaise } from './money.ts';

function project(events: Iterable<DomainEvent>): ShopProjection {
  const p = new ShopProjection();
  p.apply(events);
  return p;
}

describe('generated histories are valid events', () => {
  it('every generated event decodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { events } = generateShop({ seed, tills: 3, days: 2 });
        for (const e of events) {
          const decoded = decodeEvent(JSON.parse(JSON.stringify(e)));
          if (!decoded.ok) throw new Error(`${e.type}: ${JSON.stringify(decoded.issues)}`);
        }
        expect(events.length).toBeGreaterThan(50);
      }),
      { numRuns: 25 },
    );
  });
});

describe('convergence (BRIEF invariant 3)', () => {
  it('any permutation, duplication and batching gives the same snapshot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (seed, orderSeed) => {
          const { events } = generateShop({
            seed,
            tills: 3,
            days: 1,
            salesPerDay: 8,
            stockFactor: 0.5,
          });
          const reference = snapshotProjection(project(events));
          const rng = new Rng(orderSeed);
          const shuffled = rng.shuffle([...events, ...events.filter(() => rng.chance(0.2))]);
          const p = new ShopProjection();
          for (let i = 0; i < shuffled.length;) {
            const size = rng.int(1, 40);
            p.apply(shuffled.slice(i, i + size));
            i += size;
          }
          expect(snapshotProjection(p)).toEqual(reference);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('incremental derivation, one event at a time, equals a full rebuild from the log', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { events } = generateShop({
          seed,
          tills: 3,
          days: 2,
          salesPerDay: 6,
          stockFactor: 0.5,
        });
        const incremental = new ShopProjection();
        for (const e of events) incremental.apply([e]);
        expect(snapshotProjection(incremental)).toEqual(snapshotProjection(project(events)));
      }),
      { numRuns: 25 },
    );
  });

  it('re-applying events is idempotent', () => {
    const { events } = generateShop({ seed: 11, tills: 2, days: 1 });
    const p = project(events);
    const before = snapshotProjection(p);
    expect(p.apply(events).every((r) => r === 'duplicate')).toBe(true);
    expect(snapshotProjection(p)).toEqual(before);
  });
});

describe('books balance (BRIEF invariant 4)', () => {
  it('the trial balance is zero and every journal entry balances', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { events } = generateShop({
          seed,
          tills: 2,
          days: 1,
          salesPerDay: 10,
          stockFactor: 0.5,
        });
        const p = project(events);
        for (const e of events) {
          const entry = p.journalFor(e);
          expect(sumPaise(entry.postings.map((x) => x.amount))).toBe(0);
          for (const x of entry.postings) expect(Number.isSafeInteger(x.amount)).toBe(true);
        }
        const tb = trialBalance(p);
        expect(tb.totalDebit).toBe(tb.totalCredit);
        // Money never leaves integers.
        for (const day of p.balances.values())
          for (const amount of day.values()) expect(Number.isSafeInteger(amount)).toBe(true);
        for (const t of p.timelines.values())
          for (const m of t.movements) expect(Number.isSafeInteger(m.outcome.cost)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('stock on hand is the sum of movements, and inventory value matches the ledger', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const { events } = generateShop({
          seed,
          tills: 3,
          days: 1,
          salesPerDay: 10,
          stockFactor: 0.4,
        });
        const p = project(events);
        let value = 0;
        for (const t of p.timelines.values()) {
          expect(t.state.qty).toBe(t.movements.reduce((s, m) => s + m.outcome.delta, 0));
          value += t.state.value;
        }
        const inventory = [...p.balances.values()].reduce(
          (s, day) => s + (day.get('inventory') ?? 0),
          0,
        );
        expect(inventory).toBe(value);
      }),
      { numRuns: 40 },
    );
  });
});
