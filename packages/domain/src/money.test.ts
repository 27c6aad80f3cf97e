import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  assertPaise,
  formatINR,
  groupIndian,
  mulDiv,
  parseRupees,
  roundToRupee,
  sumPaise,
} from './money.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const sign = (n: bigint): number => (n < 0n ? -1 : n > 0n ? 1 : 0);
/** Safe integers, biased towards both everyday bills and the edges of the range. */
const anyPaise = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(0, 1, -1, MAX, -MAX, MAX - 1),
  fc.maxSafeInteger(),
);

describe('assertPaise and sumPaise refuse what is not an integer amount', () => {
  it.each([1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)])('assertPaise(%s) throws', (n) => {
    expect(() => assertPaise(n)).toThrow(RangeError);
  });

  it('sums exactly and refuses fractions or overflow', () => {
    expect(sumPaise([])).toBe(0);
    expect(sumPaise([10500, -500, 1])).toBe(10001);
    expect(sumPaise(new Set([1, 2, 3]))).toBe(6);
    expect(() => sumPaise([100, 0.5])).toThrow(RangeError);
    expect(() => sumPaise([MAX, 1])).toThrow(RangeError);
  });

  it('never returns a sum that differs from the exact BigInt sum', () => {
    fc.assert(
      fc.property(fc.array(anyPaise, { maxLength: 8 }), (xs) => {
        const exact = xs.reduce((s, x) => s + BigInt(x), 0n);
        let result: number | undefined;
        try {
          result = sumPaise(xs);
        } catch {
          return; // refusing is allowed; a wrong number is not
        }
        expect(BigInt(result)).toBe(exact);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mulDiv', () => {
  it('works through tax-inclusive worked examples', () => {
    expect(mulDiv(10500, 10_000, 10_500)).toBe(10000); // ₹105 at 5 % → ₹100 taxable
    expect(mulDiv(24000, 250, 1000)).toBe(6000); // 250 g at ₹240/kg
  });

  it('rounds halves away from zero, whatever the signs', () => {
    expect(mulDiv(5, 1, 2)).toBe(3);
    expect(mulDiv(-5, 1, 2)).toBe(-3);
    expect(mulDiv(5, -1, 2)).toBe(-3);
    expect(mulDiv(5, 1, -2)).toBe(-3);
    expect(mulDiv(-5, -1, 2)).toBe(3);
    expect(mulDiv(4, 1, 3)).toBe(1);
    expect(mulDiv(5, 1, 3)).toBe(2);
    expect(mulDiv(149, 1, 100)).toBe(1);
    expect(mulDiv(150, 1, 100)).toBe(2);
  });

  it('is exact where floating point is not', () => {
    expect(mulDiv(MAX, 3, 3)).toBe(MAX);
    expect(mulDiv(MAX, MAX, MAX)).toBe(MAX);
    expect(mulDiv(MAX - 1, 1, 2)).toBe(4503599627370495);
  });

  it('refuses non-integers, a zero denominator and results beyond the safe range', () => {
    expect(() => mulDiv(1.5, 1, 1)).toThrow(RangeError);
    expect(() => mulDiv(100, 0.5, 1)).toThrow(RangeError);
    expect(() => mulDiv(100, 1, 0.5)).toThrow(RangeError);
    expect(() => mulDiv(100, 1, 0)).toThrow(RangeError);
    expect(() => mulDiv(MAX, 2, 1)).toThrow(RangeError);
  });

  it('is the nearest integer, ties away from zero (property, against BigInt)', () => {
    const ratio = fc.integer({ min: -1_000_000, max: 1_000_000 });
    const den = ratio.filter((d) => d !== 0);
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), ratio, den, (a, n, d) => {
        const r = BigInt(mulDiv(a, n, d));
        const num = BigInt(a) * BigInt(n);
        const bd = BigInt(d);
        const err = abs(r * bd - num) * 2n; // 2·|r − a·n/d|·|d|
        expect(err <= abs(bd)).toBe(true);
        if (err === abs(bd)) {
          expect(sign(r)).toBe(sign(num) * sign(bd)); // tie: away from zero…
          expect(abs(r * bd) > abs(num)).toBe(true); // …i.e. the larger magnitude
        }
        expect(mulDiv(-a, n, d) + mulDiv(a, n, d)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
  it('gives the same answer on both sides of its plain-number bound (property)', () => {
    const reference = (a: number, n: number, d: number): number => {
      const num = BigInt(a) * BigInt(n);
      const bd = BigInt(d);
      const negative = num < 0n !== bd < 0n;
      const q = (abs(num) * 2n + abs(bd)) / (abs(bd) * 2n);
      return Number(negative ? -q : q);
    };
    // Products from a few units to past 2^50, where the plain path hands over to BigInt.
    const near = fc.integer({ min: 2 ** 49 - 5000, max: 2 ** 50 + 5000 });
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -(2 ** 26), max: 2 ** 26 }), near),
        fc.oneof(fc.integer({ min: -(2 ** 26), max: 2 ** 26 }), fc.constant(1)),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (a, n, d) => {
          if (!Number.isSafeInteger(reference(a, n, d))) return;
          expect(mulDiv(a, n, d)).toBe(reference(a, n, d));
          expect(mulDiv(a, n, -d)).toBe(reference(a, n, -d));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('allocate (largest remainder)', () => {
  it('splits with ties going to the earlier part', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(10, [1, 2])).toEqual([3, 7]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(7, [0, 1, 0])).toEqual([0, 7, 0]);
    expect(allocate(0, [3, 4])).toEqual([0, 0]);
    expect(allocate(0, [])).toEqual([]);
    // ₹10 bill discount over lines of ₹30, ₹30, ₹40 (weights in paise)
    expect(allocate(1000, [3000, 3000, 4000])).toEqual([300, 300, 400]);
  });

  it('refuses bad weights and impossible allocations', () => {
    expect(() => allocate(5, [])).toThrow(RangeError);
    expect(() => allocate(5, [0, 0])).toThrow(RangeError);
    expect(() => allocate(5, [-1, 2])).toThrow(RangeError);
    expect(() => allocate(5, [1.5, 1])).toThrow(RangeError);
    expect(() => allocate(0.5, [1])).toThrow(RangeError);
  });

  it('still sums to the total when the weights add up beyond the safe range', () => {
    const weights = [MAX, ...Array<number>(10).fill(127)];
    expect(sumPaise(allocate(MAX, weights))).toBe(MAX);
  });

  it('parts sum exactly to the total and each is the floor or ceiling of its share', () => {
    fc.assert(
      fc.property(
        anyPaise,
        fc
          .array(fc.oneof(fc.nat(1000), fc.maxSafeNat()), { minLength: 1, maxLength: 12 })
          .filter((ws) => ws.some((w) => w > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((s, p) => s + BigInt(p), 0n)).toBe(BigInt(total));
          const sumW = weights.reduce((s, w) => s + BigInt(w), 0n);
          parts.forEach((p, i) => {
            const w = BigInt(weights[i]!);
            expect(Number.isSafeInteger(p)).toBe(true);
            expect(abs(BigInt(p) * sumW - BigInt(total) * w) < sumW).toBe(true);
            if (w === 0n) expect(p).toBe(0);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseRupees and formatINR', () => {
  it.each([
    ['105', 10500],
    ['104.6', 10460],
    ['104.60', 10460],
    ['0.05', 5],
    ['1,23,456.78', 12345678],
    ['₹ 1,23,456.78', 12345678],
    ['-12.5', -1250],
    ['-₹1,000.00', -100000],
  ])('parses %j as %i paise', (text, paise) => {
    expect(parseRupees(text)).toBe(paise);
  });

  it.each(['', 'abc', '1.234', '12.', '.5', '1e3', '--1', '1-', '12345678901234'])(
    'refuses %j',
    (text) => {
      expect(() => parseRupees(text)).toThrow(RangeError);
    },
  );

  it.each([
    [0, '₹0.00'],
    [5, '₹0.05'],
    [100, '₹1.00'],
    [99999, '₹999.99'],
    [100000, '₹1,000.00'],
    [12345678, '₹1,23,456.78'],
    [1234567890, '₹1,23,45,678.90'],
    [-12345678, '-₹1,23,456.78'],
    [MAX, '₹9,00,71,99,25,47,409.91'],
  ])('formats %i paise as %s', (paise, text) => {
    expect(formatINR(paise)).toBe(text);
  });

  it('formats without the symbol, groups digits, and refuses fractions', () => {
    expect(formatINR(12345678, { symbol: false })).toBe('1,23,456.78');
    expect(groupIndian('123')).toBe('123');
    expect(groupIndian('1234567')).toBe('12,34,567');
    expect(() => formatINR(10.5)).toThrow(RangeError);
  });

  it('formats with Indian grouping and exact rupees/paise (property, against BigInt)', () => {
    fc.assert(
      fc.property(anyPaise, (p) => {
        const text = formatINR(p);
        const m = /^(-?)₹(\d{1,2}(?:,\d{2})*,\d{3}|\d{1,3})\.(\d{2})$/.exec(text);
        expect(m).not.toBeNull();
        const [, minus, grouped, paise] = m!;
        expect(minus).toBe(p < 0 ? '-' : '');
        const big = abs(BigInt(p));
        expect(grouped!.replaceAll(',', '')).toBe((big / 100n).toString());
        expect(paise).toBe((big % 100n).toString().padStart(2, '0'));
      }),
      { numRuns: 300 },
    );
  });

  it('parseRupees reads back what formatINR writes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }),
        fc.boolean(),
        (p, symbol) => {
          expect(parseRupees(formatINR(p, { symbol })) + 0).toBe(p + 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('roundToRupee', () => {
  it.each([
    [10049, 10000, -49],
    [10050, 10100, 50],
    [10099, 10100, 1],
    [10000, 10000, 0],
    [0, 0, 0],
    [50, 100, 50],
    [49, 0, -49],
  ])('%i paise → %i (round-off %i)', (total, rounded, roundOff) => {
    expect(roundToRupee(total)).toEqual({ rounded, roundOff });
  });

  it('refuses fractions and totals whose rounding would leave the safe range', () => {
    expect(() => roundToRupee(100.5)).toThrow(RangeError);
    expect(() => roundToRupee(MAX)).toThrow(RangeError);
  });

  it('rounds a bill to the nearest rupee, 50 paise up, round-off in −49..+50', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(1_000_000), fc.nat(MAX - 100)), (total) => {
        const { rounded, roundOff } = roundToRupee(total);
        expect(rounded % 100).toBe(0);
        expect(rounded - total).toBe(roundOff);
        expect(roundOff).toBeGreaterThanOrEqual(-49);
        expect(roundOff).toBeLessThanOrEqual(50);
        expect(BigInt(rounded)).toBe(((BigInt(total) + 50n) / 100n) * 100n);
      }),
      { numRuns: 300 },
    );
  });

  it('rounds a refund (negative total) as the mirror image of the same bill', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), (total) => {
        const pos = roundToRupee(total);
        const neg = roundToRupee(-total);
        expect(neg.rounded + pos.rounded).toBe(0);
        expect(neg.roundOff + pos.roundOff).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
