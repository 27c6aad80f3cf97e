import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  extendPrice,
  formatQty,
  parseQty,
  positiveQtySchema,
  pricePerUnits,
  qtySchema,
  type BaseUnit,
  type DisplayUnit,
} from './quantity.ts';

/** Write `n` base units as a decimal of the big unit, e.g. 1250 → "1.250" (built from digits, not division). */
function asThousandths(n: number): string {
  const digits = n.toString().padStart(4, '0');
  return `${digits.slice(0, -3)}.${digits.slice(-3)}`;
}

describe('parseQty', () => {
  it.each<[string, DisplayUnit, number]>([
    ['1.25', 'kg', 1250],
    ['1.5', 'kg', 1500],
    ['0.005', 'kg', 5],
    ['2', 'kg', 2000],
    ['250', 'g', 250],
    ['0', 'g', 0],
    ['2', 'l', 2000],
    ['0.75', 'l', 750],
    ['500', 'ml', 500],
    ['3', 'pc', 3],
    [' 2 ', 'pc', 2],
    ['999999999', 'kg', 999_999_999_000],
  ])('%j %s → %i base units', (text, unit, expected) => {
    expect(parseQty(text, unit)).toBe(expected);
  });

  it.each<[string, DisplayUnit]>([
    ['2.5', 'pc'],
    ['2.0', 'pc'],
    ['250.5', 'g'],
    ['1.5', 'ml'],
  ])('refuses %j %s as finer than the base unit', (text, unit) => {
    expect(() => parseQty(text, unit)).toThrow(/finer than one/);
  });

  it.each<[string, DisplayUnit]>([
    ['1.2345', 'kg'],
    ['-1', 'kg'],
    ['abc', 'g'],
    ['', 'pc'],
    ['1,000', 'g'],
    ['1e3', 'g'],
    ['.5', 'kg'],
    ['1.', 'kg'],
    ['1000000000', 'g'],
  ])('refuses %j %s', (text, unit) => {
    expect(() => parseQty(text, unit)).toThrow(RangeError);
  });

  it('reads a weight or volume written to the gram/millilitre (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), (n) => {
        const decimal = asThousandths(n);
        expect(parseQty(decimal, 'kg')).toBe(n);
        expect(parseQty(decimal, 'l')).toBe(n);
        // trailing zeros of the fraction mean nothing: 1.250 kg is 1.25 kg
        expect(parseQty(decimal.replace(/\.?0+$/, ''), 'kg')).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it('treats whole counts alike in every unit, scaled by the unit size (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => {
        const text = n.toString();
        expect(parseQty(text, 'pc')).toBe(n);
        expect(parseQty(text, 'g')).toBe(n);
        expect(parseQty(text, 'ml')).toBe(n);
        expect(parseQty(text, 'kg')).toBe(n * 1000);
        expect(parseQty(text, 'l')).toBe(n * 1000);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses any fourth decimal place of a kilogram (property)', () => {
    fc.assert(
      fc.property(fc.nat(999), fc.stringMatching(/^\d{4,6}$/), (whole, frac) => {
        expect(() => parseQty(`${whole}.${frac}`, 'kg')).toThrow(RangeError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('formatQty', () => {
  it.each<[number, BaseUnit, string]>([
    [1250, 'g', '1.25 kg'],
    [1000, 'g', '1 kg'],
    [1001, 'g', '1.001 kg'],
    [999, 'g', '999 g'],
    [0, 'g', '0 g'],
    [1005, 'ml', '1.005 L'],
    [2500, 'ml', '2.5 L'],
    [750, 'ml', '750 ml'],
    [-1500, 'g', '-1.5 kg'],
    [-500, 'g', '-500 g'],
    [3, 'pc', '3 pc'],
    [-2, 'pc', '-2 pc'],
  ])('%i %s → %j', (qty, base, text) => {
    expect(formatQty(qty, base)).toBe(text);
  });

  it('parseQty reads back what formatQty writes (property)', () => {
    const unitOf: Record<string, DisplayUnit> = { kg: 'kg', g: 'g', L: 'l', ml: 'ml', pc: 'pc' };
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(5000), fc.integer({ min: 0, max: 999_999_999_999 })),
        fc.constantFrom<BaseUnit>('g', 'ml', 'pc'),
        (anyQty, base) => {
          const qty = base === 'pc' ? anyQty % 1_000_000_000 : anyQty; // at most 9 digits are typed
          const [num, unit] = formatQty(qty, base).split(' ');
          expect(unitOf[unit!]).toBeDefined();
          expect(parseQty(num!, unitOf[unit!]!)).toBe(qty);
          expect(formatQty(-qty, base)).toBe(qty === 0 ? formatQty(0, base) : `-${num} ${unit}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('prices and extension', () => {
  it('quotes pieces per piece and loose goods per kg / litre', () => {
    expect(pricePerUnits('pc')).toBe(1);
    expect(pricePerUnits('g')).toBe(1000);
    expect(pricePerUnits('ml')).toBe(1000);
  });

  it.each([
    [24000, 250, 1000, 6000], // 250 g of ₹240/kg sugar = ₹60
    [10000, 333, 1000, 3330], // 333 g at ₹100/kg
    [500, 1, 1000, 1], // 1 g at ₹5/kg = 0.5 paise → rounds up
    [499, 1, 1000, 0], // 1 g at ₹4.99/kg = 0.499 paise → rounds down
    [4567, 1500, 1000, 6851], // 1.5 L at ₹45.67/L = 68.505 → 68.51
    [1500, 3, 1, 4500], // 3 pieces at ₹15
    [1500, -2, 1, -3000], // returned pieces
  ])('price %i × %i / %i = %i paise', (price, qty, per, expected) => {
    expect(extendPrice(price, qty, per)).toBe(expected);
  });

  it('is within half a paisa of the exact price and whole units cost exactly the price (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.constantFrom(1, 1000),
        (price, qty, per) => {
          const got = BigInt(extendPrice(price, qty, per));
          const exact2 = 2n * BigInt(price) * BigInt(qty); // 2 × exact × per
          expect(got * 2n * BigInt(per) - exact2 <= BigInt(per)).toBe(true);
          expect(exact2 - got * 2n * BigInt(per) < BigInt(per)).toBe(true); // a half rounds up
          expect(extendPrice(price, per, per)).toBe(price);
          expect(extendPrice(price, per * 7, per)).toBe(price * 7);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a non-integer price or quantity', () => {
    expect(() => extendPrice(100.5, 1, 1)).toThrow(RangeError);
    expect(() => extendPrice(100, 1.5, 1)).toThrow(RangeError);
  });

  it('validates quantities as bounded integers', () => {
    expect(qtySchema.safeParse(-5).success).toBe(true);
    expect(qtySchema.safeParse(1.5).success).toBe(false);
    expect(qtySchema.safeParse(1e12 + 1).success).toBe(false);
    expect(positiveQtySchema.safeParse(0).success).toBe(false);
    expect(positiveQtySchema.safeParse(1).success).toBe(true);
  });
});
