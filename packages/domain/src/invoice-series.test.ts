import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateNumber,
  deviceCodeSchema,
  seriesPrefix,
  formatInvoiceNumber,
  invoiceNumberSchema,
  parseInvoiceNumber,
  seriesGaps,
  type SeriesCounter,
  type SeriesKind,
} from './invoice-series.ts';

/** GST rule 46(b), written out independently of the module's own constant. */
const RULE_46B = /^[A-Z1-9][A-Z0-9/-]{0,15}$/;
const deviceCode = fc.stringMatching(/^[A-Z][0-9]{1,2}$/);
const kind = fc.constantFrom<SeriesKind>('invoice', 'credit-note');
const fy = fc
  .integer({ min: 0, max: 99 })
  .map((y) => `${String(y).padStart(2, '0')}${String((y + 1) % 100).padStart(2, '0')}`);
const seq = fc.oneof(fc.integer({ min: 1, max: 999_999 }), fc.constantFrom(1, 999_999));

describe('formatInvoiceNumber', () => {
  it('writes device / financial year / six-digit sequence, with C for credit notes', () => {
    expect(formatInvoiceNumber('T01', 'invoice', '2526', 123)).toBe('T01/2526/000123');
    expect(formatInvoiceNumber('T01', 'credit-note', '2526', 4)).toBe('T01C/2526/000004');
    expect(formatInvoiceNumber('S1', 'invoice', '2627', 999_999)).toBe('S1/2627/999999');
  });

  it('refuses sequences out of range and numbers that would break rule 46(b)', () => {
    for (const bad of [0, -1, 1.5, 1_000_000, NaN]) {
      expect(() => formatInvoiceNumber('T01', 'invoice', '2526', bad)).toThrow(RangeError);
    }
    expect(() => formatInvoiceNumber('t01', 'invoice', '2526', 1)).toThrow(RangeError);
    expect(() => formatInvoiceNumber('T012', 'credit-note', '2526', 1)).toThrow(RangeError); // 17 chars
  });

  it('every number is a legal GST invoice number of at most 16 characters (property)', () => {
    fc.assert(
      fc.property(deviceCode, kind, fy, seq, (device, k, year, n) => {
        expect(deviceCodeSchema.safeParse(device).success).toBe(true);
        const number = formatInvoiceNumber(device, k, year, n);
        expect(number.length).toBeLessThanOrEqual(16);
        expect(number).toMatch(RULE_46B);
        expect(invoiceNumberSchema.safeParse(number).success).toBe(true);
        expect(parseInvoiceNumber(number)).toEqual({
          prefix: k === 'invoice' ? device : `${device}C`,
          fy: year,
          seq: n,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('no device invoice prefix equals another device credit-note prefix', () => {
    fc.assert(
      fc.property(deviceCode, deviceCode, (a, b) => {
        expect(seriesPrefix(a, 'invoice')).not.toBe(seriesPrefix(b, 'credit-note'));
      }),
    );
  });

  it('the longest credit-note number fits exactly', () => {
    const longest = formatInvoiceNumber('M02', 'credit-note', '2526', 999_999);
    expect(longest).toBe('M02C/2526/999999');
    expect(longest).toHaveLength(16);
  });
});

describe('schemas and parsing', () => {
  it.each(['T01', 'S1', 'M02', 'Z9'])('accepts device code %s', (code) => {
    expect(deviceCodeSchema.safeParse(code).success).toBe(true);
  });

  it.each(['T', 'T012', 't01', '1T0', 'T-1', '', 'AB', 'T1C'])('rejects device code %j', (code) => {
    expect(deviceCodeSchema.safeParse(code).success).toBe(false);
  });

  it('invoiceNumberSchema enforces rule 46(b)', () => {
    expect(invoiceNumberSchema.safeParse('T01/2526/000001').success).toBe(true);
    expect(invoiceNumberSchema.safeParse('0T1/2526/000001').success).toBe(false); // leading 0
    expect(invoiceNumberSchema.safeParse('T01C/2526/0000001').success).toBe(false); // 17 chars
    expect(invoiceNumberSchema.safeParse('T01 2526 000001').success).toBe(false);
    expect(invoiceNumberSchema.safeParse('t01/2526/000001').success).toBe(false);
  });

  it.each([
    '',
    'INV-1',
    'T01/2526/1',
    'T01/25/000001',
    'T01/2526/0000001',
    't01/2526/000001',
    'T01/2526/000001 ',
  ])('parseInvoiceNumber(%j) is undefined', (s) => {
    expect(parseInvoiceNumber(s)).toBeUndefined();
  });
});

describe('allocateNumber', () => {
  it('starts at 1, counts up, and restarts each financial year', () => {
    const first = allocateNumber(undefined, 'T01', 'invoice', '2025-04-01');
    expect(first).toEqual({ number: 'T01/2526/000001', counter: { fy: '2526', last: 1 } });
    const second = allocateNumber(first.counter, 'T01', 'invoice', '2025-09-22');
    expect(second).toEqual({ number: 'T01/2526/000002', counter: { fy: '2526', last: 2 } });
    const lastDay = allocateNumber(second.counter, 'T01', 'invoice', '2026-03-31');
    expect(lastDay.number).toBe('T01/2526/000003');
    const newYear = allocateNumber(lastDay.counter, 'T01', 'invoice', '2026-04-01');
    expect(newYear).toEqual({ number: 'T01/2627/000001', counter: { fy: '2627', last: 1 } });
  });

  it('numbers credit notes in their own series', () => {
    expect(allocateNumber({ fy: '2526', last: 3 }, 'T01', 'credit-note', '2025-12-01').number).toBe(
      'T01C/2526/000004',
    );
  });

  it('refuses a document dated before the counter’s financial year', () => {
    const counter: SeriesCounter = { fy: '2627', last: 5 };
    expect(() => allocateNumber(counter, 'T01', 'invoice', '2026-03-31')).toThrow(RangeError);
    expect(allocateNumber(counter, 'T01', 'invoice', '2026-04-01').number).toBe('T01/2627/000006');
  });

  it('refuses to go past sequence 999999 rather than reuse or widen a number', () => {
    expect(() =>
      allocateNumber({ fy: '2526', last: 999_999 }, 'T01', 'invoice', '2025-06-01'),
    ).toThrow(RangeError);
  });

  it('issues consecutive, gapless numbers per year for any run of dates (property)', () => {
    const day = fc
      .integer({ min: 0, max: 3 * 365 })
      .map((d) => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        deviceCode,
        kind,
        fc.array(day, { minLength: 1, maxLength: 60 }),
        (device, k, days) => {
          const dates = [...days].sort();
          let counter: SeriesCounter | undefined;
          const issued = new Map<string, number[]>();
          for (const date of dates) {
            const result = allocateNumber(counter, device, k, date);
            counter = result.counter;
            const parsed = parseInvoiceNumber(result.number);
            expect(parsed).toBeDefined();
            expect(parsed!.fy).toBe(counter.fy);
            expect(parsed!.seq).toBe(counter.last);
            issued.set(parsed!.fy, [...(issued.get(parsed!.fy) ?? []), parsed!.seq]);
          }
          for (const seqs of issued.values()) {
            expect(seqs).toEqual(seqs.map((_, i) => i + 1));
            expect(seriesGaps(seqs)).toEqual([]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('seriesGaps', () => {
  it('lists the missing numbers between 1 and the highest issued', () => {
    expect(seriesGaps([])).toEqual([]);
    expect(seriesGaps([1, 2, 3])).toEqual([]);
    expect(seriesGaps([3, 1, 2])).toEqual([]);
    expect(seriesGaps([1, 3, 6])).toEqual([2, 4, 5]);
    expect(seriesGaps([2, 2, 4])).toEqual([1, 3]);
    expect(seriesGaps(new Set([5]))).toEqual([1, 2, 3, 4]);
  });

  it('finds exactly the numbers removed from a complete series (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (n, picks) => {
          const all = Array.from({ length: n }, (_, i) => i + 1);
          const removed = new Set(picks.map((p) => (p % n) + 1));
          removed.delete(n); // keep the highest so the series still ends at n
          const kept = all.filter((s) => !removed.has(s));
          expect(seriesGaps([...kept].reverse())).toEqual([...removed].sort((a, b) => a - b));
        },
      ),
      { numRuns: 200 },
    );
  });
});
