import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  financialYear,
  financialYearBounds,
  istDate,
  istHour,
  monthOf,
} from './calendar.ts';

/** Independent reference: the tz database's view of Asia/Kolkata. */
const kolkata = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Kolkata',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});
function inKolkata(epochMs: number): { date: string; hour: number } {
  const parts = Object.fromEntries(
    kolkata.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''}`,
    hour: Number(parts.hour),
  };
}

const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) });
const date = fc
  .date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2098-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));

describe('istDate and istHour', () => {
  it('turn over at 18:30 UTC, which is IST midnight', () => {
    expect(istDate(Date.UTC(2025, 2, 31, 18, 29, 59, 999))).toBe('2025-03-31');
    expect(istDate(Date.UTC(2025, 2, 31, 18, 30, 0, 0))).toBe('2025-04-01');
    expect(istHour(Date.UTC(2025, 2, 31, 18, 29, 59, 999))).toBe(23);
    expect(istHour(Date.UTC(2025, 2, 31, 18, 30))).toBe(0);
    expect(istDate(Date.UTC(2025, 3, 1, 0, 0))).toBe('2025-04-01'); // 05:30 IST
    expect(istHour(Date.UTC(2025, 3, 1, 0, 0))).toBe(5);
  });

  it('cross the year boundary at IST midnight', () => {
    expect(istDate(Date.UTC(2025, 11, 31, 18, 29, 59, 999))).toBe('2025-12-31');
    expect(istDate(Date.UTC(2025, 11, 31, 18, 30))).toBe('2026-01-01');
    expect(istDate(Date.UTC(2024, 1, 28, 18, 30))).toBe('2024-02-29');
  });

  it('agree with the Asia/Kolkata time zone (property)', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const expected = inKolkata(t);
        expect(istDate(t)).toBe(expected.date);
        expect(istHour(t)).toBe(expected.hour);
      }),
      { numRuns: 300 },
    );
  });

  it('agree with the time zone a millisecond either side of IST midnight (property)', () => {
    fc.assert(
      fc.property(date, fc.constantFrom(-1, 0, 1), (d, delta) => {
        const midnightIst = Date.parse(`${d}T00:00:00+05:30`);
        expect(istDate(midnightIst + delta)).toBe(inKolkata(midnightIst + delta).date);
        expect(istDate(midnightIst + delta)).toBe(delta < 0 ? addDays(d, -1) : d);
      }),
      { numRuns: 200 },
    );
  });
});

describe('financialYear', () => {
  it.each([
    ['2025-04-01', '2526'],
    ['2025-09-22', '2526'],
    ['2026-03-31', '2526'],
    ['2026-04-01', '2627'],
    ['2025-03-31', '2425'],
    ['2026-01-01', '2526'],
    ['2009-05-10', '0910'],
    ['2099-06-01', '9900'],
  ])('%s → %s', (d, fy) => {
    expect(financialYear(d)).toBe(fy);
  });

  it('financialYearBounds runs 1 April to 31 March', () => {
    expect(financialYearBounds('2025-09-22')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    expect(financialYearBounds('2026-03-31')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    expect(financialYearBounds('2026-04-01')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
  });

  it('a date lies inside its year’s bounds, and the days either side belong to other years (property)', () => {
    fc.assert(
      fc.property(date, (d) => {
        const { from, to } = financialYearBounds(d);
        expect(from <= d && d <= to).toBe(true);
        expect(financialYear(from)).toBe(financialYear(d));
        expect(financialYear(to)).toBe(financialYear(d));
        expect(financialYear(addDays(from, -1))).not.toBe(financialYear(d));
        expect(financialYear(addDays(to, 1))).not.toBe(financialYear(d));
        expect([365, 366]).toContain(daysBetween(from, to) + 1);
        // the code is the start year's last two digits followed by the next year's
        const start = Number(from.slice(0, 4));
        expect(financialYear(d)).toBe(`${from.slice(2, 4)}${String(start + 1).slice(2, 4)}`);
      }),
      { numRuns: 200 },
    );
  });
});

describe('daysBetween and addDays', () => {
  it.each([
    ['2025-04-01', '2026-04-01', 365],
    ['2024-04-01', '2025-04-01', 365],
    ['2023-04-01', '2024-04-01', 366],
    ['2024-02-28', '2024-03-01', 2],
    ['2025-02-28', '2025-03-01', 1],
    ['2025-09-22', '2025-09-22', 0],
    ['2026-01-01', '2025-12-31', -1],
  ])('from %s to %s is %i days', (from, to, n) => {
    expect(daysBetween(from, to)).toBe(n);
  });

  it.each([
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2025-03-01', -1, '2025-02-28'],
    ['2025-04-01', 0, '2025-04-01'],
    ['2025-04-01', 365, '2026-04-01'],
  ])('%s plus %i days is %s', (d, n, expected) => {
    expect(addDays(d, n)).toBe(expected);
  });

  it('addDays and daysBetween are inverse and keep date order (property)', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -800, max: 800 }), (d, n) => {
        const later = addDays(d, n);
        expect(later).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(daysBetween(d, later)).toBe(n);
        expect(daysBetween(later, d) + n).toBe(0);
        expect(addDays(later, -n)).toBe(d);
        expect(later > d).toBe(n > 0);
      }),
      { numRuns: 200 },
    );
  });

  it('monthOf keeps year and month', () => {
    expect(monthOf('2025-09-22')).toBe('2025-09');
  });
});
