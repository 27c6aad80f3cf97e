/**
 * Date ranges in report and list queries: `from` / `to` (business days, `YYYY-MM-DD`, both
 * inclusive) or `days=N` (the last N business days up to today, IST). Business days are IST dates.
 */
import { addDays, financialYearBounds } from '@smartkirana/domain/calendar';
import { isoDateSchema } from '@smartkirana/domain/gst';
import type { DateRange } from '@smartkirana/domain/reports-books';
import { z } from 'zod';
import { invalid, today } from './api-support.ts';

/** `from`, `to` and `days` query fields. */
export const rangeQuery = z.object({
  from: isoDateSchema.optional(),
  to: isoDateSchema.optional(),
  days: z.coerce.number().int().min(1).max(3660).optional(),
});

export type RangeInput = z.infer<typeof rangeQuery>;

/** A business day in a query (`asOf`, `day`). */
export const dayQuery = isoDateSchema;

/** What a route does when the query names no range. */
export type RangeDefault = 'all' | 'month' | 'financial-year';

/** Resolve a range query; 422 when `from` is after `to` or `days` is mixed with dates. */
export function resolveRange(q: RangeInput, fallback: RangeDefault = 'all'): DateRange {
  if (q.days !== undefined) {
    if (q.from !== undefined || q.to !== undefined)
      throw invalid(['query', 'days'], 'give either days or from/to, not both');
    const to = today();
    return { from: addDays(to, -(q.days - 1)), to };
  }
  if (q.from !== undefined && q.to !== undefined && q.from > q.to)
    throw invalid(['query', 'from'], 'from is after to');
  if (q.from !== undefined || q.to !== undefined) {
    return { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) };
  }
  const now = today();
  if (fallback === 'month') return { from: `${now.slice(0, 7)}-01`, to: now };
  if (fallback === 'financial-year') return { from: financialYearBounds(now).from, to: now };
  return {};
}
