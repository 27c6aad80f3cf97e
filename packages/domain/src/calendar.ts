/**
 * Business dates. Shops keep Indian Standard Time (UTC+05:30, no daylight saving); the financial
 * year runs 1 April to 31 March and is written with two two-digit years ("2526" = FY 2025-26).
 */
const IST_OFFSET_MS = 330 * 60_000;

const DAY_MS = 86_400_000;

/** The last IST day `istDate` computed, as [first instant, first instant of the next day). */
let lastDay = { from: 0, to: 0, date: '' };

/** The IST calendar date (`YYYY-MM-DD`) of an instant. */
export function istDate(epochMs: number): string {
  // Folds ask for the dates of many instants in a row on the same day: remember the last one.
  if (epochMs >= lastDay.from && epochMs < lastDay.to) return lastDay.date;
  const date = new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 10);
  const from = Math.floor((epochMs + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
  if (Number.isFinite(from)) lastDay = { from, to: from + DAY_MS, date };
  return date;
}

/** The IST hour (0–23) of an instant. */
export function istHour(epochMs: number): number {
  return new Date(epochMs + IST_OFFSET_MS).getUTCHours();
}

/** The financial-year code of a date: 2025-04-01 … 2026-03-31 → "2526". */
export function financialYear(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const start = month >= 4 ? year : year - 1;
  return `${String(start % 100).padStart(2, '0')}${String((start + 1) % 100).padStart(2, '0')}`;
}

/** First and last date of the financial year a date falls in. */
export function financialYearBounds(date: string): { from: string; to: string } {
  const year = Number(date.slice(0, 4));
  const start = Number(date.slice(5, 7)) >= 4 ? year : year - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The `YYYY-MM` month of a date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}
