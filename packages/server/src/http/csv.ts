/**
 * CSV export of every list (`?format=csv`). RFC 4180: comma-separated, CRLF line ends, fields with
 * a comma, quote or line break are quoted with inner quotes doubled. Text cells that a spreadsheet
 * would run as a formula (starting with = + - @, tab or CR) get a leading `'`; numbers are written
 * as they are, so negative amounts stay numbers. A UTF-8 byte-order mark lets Excel read names in
 * Hindi or with ₹ correctly.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { pageQuery } from './route.ts';

/** Output format of a list route. */
export const formatQuery = z.object({
  format: z.enum(['json', 'csv']).default('json'),
});

/** Pagination plus `format`: the query every list route accepts. */
export const listQuery = pageQuery.extend(formatQuery.shape);

export type ListQuery = z.infer<typeof listQuery>;

/** A page of a list as JSON. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * Answer a list: a page of `rows` as JSON, or every row as CSV (an export is the whole filtered
 * list, not one page). `flat` turns a row into the CSV columns; by default nested values are JSON.
 */
export function sendList<T extends object>(
  c: Context<AppEnv>,
  query: { limit: number; offset: number; format: 'json' | 'csv' },
  rows: readonly T[],
  opts: { name: string; flat?: (row: T) => Record<string, unknown>[] | Record<string, unknown> },
): Page<T> | Response {
  if (query.format === 'csv') {
    const flat = opts.flat;
    const table: readonly object[] = flat
      ? rows.flatMap((r): Record<string, unknown>[] => {
          const out = flat(r);
          return Array.isArray(out) ? out : [out];
        })
      : rows;
    return csvResponse(c, opts.name, toCsv(table));
  }
  return {
    items: rows.slice(query.offset, query.offset + query.limit),
    total: rows.length,
    limit: query.limit,
    offset: query.offset,
  };
}

/**
 * Answer a party's statement (khata or supplier): its lines as a page under who the party is and
 * the closing balance, or every line as CSV.
 */
export function sendStatement<P extends object, T extends object>(
  c: Context<AppEnv>,
  query: ListQuery,
  party: P,
  statement: { lines: readonly T[]; balance: number },
  name: string,
): (P & { balance: number } & Page<T>) | Response {
  const page = sendList(c, query, statement.lines, { name });
  if (page instanceof Response) return page;
  return { ...party, balance: statement.balance, ...page };
}

/** A CSV download response. */
export function csvResponse(c: Context<AppEnv>, name: string, csv: string): Response {
  return c.body(csv, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name.replace(/[^a-z0-9-]/gi, '_')}.csv"`,
  });
}

/** Rows as CSV text; columns are the union of the rows' keys in first-seen order. */
export function toCsv(rows: readonly object[], columns?: readonly string[]): string {
  const cols = columns ?? unionKeys(rows);
  const lines = [cols.map((c) => cell(c)).join(',')];
  for (const row of rows) {
    const values = row as Record<string, unknown>;
    lines.push(cols.map((c) => cell(values[c])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** One CSV field. */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function unionKeys(rows: readonly object[]): string[] {
  const keys = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) keys.add(k);
  return [...keys];
}
