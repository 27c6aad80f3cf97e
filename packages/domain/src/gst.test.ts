import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gstinSchema,
  isoDateSchema,
  isValidGstinChecksum,
  rateOn,
  slabsOn,
  splitInclusive,
  supplyKind,
  taxOf,
  taxOnExclusive,
  withGstinChecksum,
  type RateStep,
  type SupplyKind,
} from './gst.ts';

const GSTIN_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

describe('splitInclusive worked examples', () => {
  it('₹105 at 5 %: intra-state is ₹100 + ₹2.50 CGST + ₹2.50 SGST, inter-state ₹5 IGST', () => {
    expect(splitInclusive(10500, 500, 'intra')).toEqual({
      taxable: 10000,
      cgst: 250,
      sgst: 250,
      igst: 0,
    });
    expect(splitInclusive(10500, 500, 'inter')).toEqual({
      taxable: 10000,
      cgst: 0,
      sgst: 0,
      igst: 500,
    });
  });

  it.each([
    // [slab %, gross paise, taxable, each of CGST/SGST, IGST] — ₹100 taxable plus tax in each slab
    [0, 10000, 10000, 0, 0],
    [5, 10500, 10000, 250, 500],
    [18, 11800, 10000, 900, 1800],
    [40, 14000, 10000, 2000, 4000],
    [12, 11200, 10000, 600, 1200], // legacy slab, before 22 Sep 2025
    [28, 12800, 10000, 1400, 2800], // legacy slab, before 22 Sep 2025
  ])(
    '%i %% slab: gross %i → taxable %i, CGST = SGST = %i, IGST %i',
    (pct, gross, taxable, half, igst) => {
      expect(splitInclusive(gross, pct * 100, 'intra')).toEqual({
        taxable,
        cgst: half,
        sgst: half,
        igst: 0,
      });
      expect(splitInclusive(gross, pct * 100, 'inter')).toEqual({
        taxable,
        cgst: 0,
        sgst: 0,
        igst,
      });
    },
  );

  it('rounds an awkward amount and gives the rounding to the taxable value', () => {
    // ₹99.99 at 18 %: 9999 / 1.18 = 8473.7 → 8474; 8474 × 9 % = 762.7 → 763 each; 9999 − 1526 = 8473
    expect(splitInclusive(9999, 1800, 'intra')).toEqual({
      taxable: 8473,
      cgst: 763,
      sgst: 763,
      igst: 0,
    });
    // a return (negative amount) splits as the mirror image
    expect(splitInclusive(-10500, 500, 'intra')).toEqual({
      taxable: -10000,
      cgst: -250,
      sgst: -250,
      igst: 0,
    });
  });
});

describe('splitInclusive properties', () => {
  const gross = fc.oneof(
    fc.integer({ min: 0, max: 100_000 }),
    fc.integer({ min: -(10 ** 12), max: 10 ** 12 }),
  );
  const rate = fc.oneof(
    fc.constantFrom(0, 500, 1200, 1800, 2800, 4000),
    fc.integer({ min: 0, max: 10_000 }),
  );
  const kind = fc.constantFrom<SupplyKind>('intra', 'inter');

  it('parts always add up to the gross; CGST = SGST intra-state and only IGST inter-state', () => {
    fc.assert(
      fc.property(gross, rate, kind, (g, r, k) => {
        const s = splitInclusive(g, r, k);
        expect(s.taxable + s.cgst + s.sgst + s.igst).toBe(g);
        expect(s.taxable + taxOf(s)).toBe(g);
        for (const v of Object.values(s)) expect(Number.isSafeInteger(v)).toBe(true);
        if (k === 'intra') {
          expect(s.cgst).toBe(s.sgst);
          expect(s.igst).toBe(0);
        } else {
          expect(s.cgst + s.sgst).toBe(0);
        }
        if (g >= 0) expect(Math.min(s.taxable, s.cgst, s.igst)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('tax is within 1.5 paise of gross × rate / (100 % + rate)', () => {
    fc.assert(
      fc.property(gross, rate, kind, (g, r, k) => {
        const tax = BigInt(taxOf(splitInclusive(g, r, k)));
        const den = BigInt(10_000 + r);
        // |tax − g·r/den| ≤ 1.5  ⇔  2·|tax·den − g·r| ≤ 3·den
        expect(2n * abs(tax * den - BigInt(g) * BigInt(r)) <= 3n * den).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('taxOnExclusive adds tax on top of a taxable value', () => {
    expect(taxOnExclusive(10000, 1800, 'intra')).toEqual({
      taxable: 10000,
      cgst: 900,
      sgst: 900,
      igst: 0,
    });
    expect(taxOnExclusive(10000, 1800, 'inter')).toEqual({
      taxable: 10000,
      cgst: 0,
      sgst: 0,
      igst: 1800,
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), rate, (taxable, r) => {
        const inter = taxOnExclusive(taxable, r, 'inter');
        const intra = taxOnExclusive(taxable, r, 'intra');
        expect(intra.cgst).toBe(intra.sgst);
        expect(Math.abs(taxOf(intra) - taxOf(inter))).toBeLessThanOrEqual(1);
        expect(
          2n * abs(BigInt(inter.igst) * 10_000n - BigInt(taxable) * BigInt(r)) <= 10_000n,
        ).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('effective-dated rates', () => {
  it('slabsOn switches to 0/5/18/40 on 22 Sep 2025', () => {
    expect(slabsOn('2017-06-30')).toEqual([]);
    expect(slabsOn('2017-07-01')).toEqual([0, 500, 1200, 1800, 2800]);
    expect(slabsOn('2025-09-21')).toEqual([0, 500, 1200, 1800, 2800]);
    expect(slabsOn('2025-09-22')).toEqual([0, 500, 1800, 4000]);
    expect(slabsOn('2030-01-01')).toEqual([0, 500, 1800, 4000]);
  });

  it('rateOn picks the step in force on the date, regardless of schedule order', () => {
    const biscuits: RateStep[] = [
      { from: '2017-07-01', rateBps: 1800 },
      { from: '2025-09-22', rateBps: 500 },
    ];
    expect(rateOn(biscuits, '2017-06-30')).toBeUndefined();
    expect(rateOn(biscuits, '2017-07-01')).toBe(1800);
    expect(rateOn(biscuits, '2025-09-21')).toBe(1800);
    expect(rateOn(biscuits, '2025-09-22')).toBe(500);
    expect(rateOn([...biscuits].reverse(), '2025-09-21')).toBe(1800);
    expect(rateOn([...biscuits].reverse(), '2026-01-01')).toBe(500);
    expect(rateOn([], '2026-01-01')).toBeUndefined();
  });

  it('rateOn agrees with "sort by date, keep the last step not after the date" (property)', () => {
    const day = fc
      .date({
        min: new Date('2017-01-01T00:00:00Z'),
        max: new Date('2030-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    const schedule = fc.uniqueArray(
      fc.record({ from: day, rateBps: fc.integer({ min: 0, max: 10_000 }) }),
      {
        selector: (s) => s.from,
        maxLength: 6,
      },
    );
    fc.assert(
      fc.property(schedule, day, (steps, date) => {
        const inForce = [...steps]
          .sort((a, b) => a.from.localeCompare(b.from))
          .filter((s) => s.from <= date);
        expect(rateOn(steps, date)).toBe(inForce.at(-1)?.rateBps);
      }),
      { numRuns: 200 },
    );
  });
});

describe('GSTIN checksum', () => {
  it('completes the published example 27AAPFU0939F1Z with V', () => {
    const gstin = withGstinChecksum('27AAPFU0939F1Z');
    expect(gstin).toBe('27AAPFU0939F1ZV');
    expect(isValidGstinChecksum(gstin)).toBe(true);
    expect(gstinSchema.safeParse(gstin).success).toBe(true);
  });

  it('rejects a one-character change anywhere', () => {
    expect(isValidGstinChecksum('27AAPFU0939F1ZW')).toBe(false); // check character
    expect(isValidGstinChecksum('29AAPFU0939F1ZV')).toBe(false); // state code
    expect(isValidGstinChecksum('27AAPFU0938F1ZV')).toBe(false); // PAN digit
    expect(gstinSchema.safeParse('27AAPFU0939F1ZW').success).toBe(false);
  });

  it('rejects wrong lengths and characters outside 0-9 A-Z', () => {
    expect(isValidGstinChecksum('27AAPFU0939F1Z')).toBe(false);
    expect(isValidGstinChecksum('27AAPFU0939F1ZVV')).toBe(false);
    expect(isValidGstinChecksum('27aapfu0939f1zv')).toBe(false);
    expect(() => withGstinChecksum('27aapfu0939f1z')).toThrow(RangeError);
  });

  it('every built GSTIN is valid and every single substitution is caught (property)', () => {
    const first14 = fc.stringMatching(/^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z$/);
    fc.assert(
      fc.property(first14, fc.nat(14), fc.nat(34), (head, pos, shift) => {
        const gstin = withGstinChecksum(head);
        expect(gstin.slice(0, 14)).toBe(head);
        expect(isValidGstinChecksum(gstin)).toBe(true);
        expect(gstinSchema.safeParse(gstin).success).toBe(true);
        const old = GSTIN_CHARS.indexOf(gstin.charAt(pos));
        const replacement = GSTIN_CHARS.charAt((old + 1 + shift) % 36); // any other character
        const changed = gstin.slice(0, pos) + replacement + gstin.slice(pos + 1);
        expect(changed).not.toBe(gstin);
        expect(isValidGstinChecksum(changed)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('supplyKind', () => {
  it('is intra-state only when the place of supply is the shop’s state', () => {
    expect(supplyKind('27', '27')).toBe('intra');
    expect(supplyKind('27', '29')).toBe('inter');
    expect(supplyKind('29', '97')).toBe('inter');
  });
});

describe('isoDateSchema', () => {
  it('accepts exactly the YYYY-MM-DD strings that name a calendar day', () => {
    const exists = (d: string) => {
      const t = Date.parse(`${d}T00:00:00Z`);
      return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
    };
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          expect(isoDateSchema.safeParse(text).success, text).toBe(exists(text));
        },
      ),
      { numRuns: 5000 },
    );
    for (const leap of ['2024-02-29', '2000-02-29', '2400-02-29'])
      expect(isoDateSchema.safeParse(leap).success, leap).toBe(true);
    for (const none of ['2026-02-29', '1900-02-29', '2100-02-29', '2026-04-31', '2026-4-01'])
      expect(isoDateSchema.safeParse(none).success, none).toBe(false);
  });
});
