/**
 * What a benchmark run reports: one row per measure, the machine it ran on, and the table printed
 * (plain text for the terminal, Markdown for docs/benchmarks.md).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { PG_BASE_URL } from '@smartkirana/server/testing';

/** How a row's figure reads: a rate, a duration or a size. */
export type Unit = 'events/s' | 'ms' | 's' | 'MiB';

export interface MeasureRow {
  measure: string;
  /** The figure the bar is about (for latencies, the quantile the bar names). */
  figure: number;
  unit: Unit;
  /** Further figures of the same measure, e.g. "p50 3 ms, p99 9 ms". */
  detail?: string;
  baseline: { label: string; figure: number } | null;
  /** figure / baseline: for a rate, the share of the raw speed; for a time, the multiple of the raw floor. */
  ratio: number | null;
  bar: string;
  /** Whether the bar is met; null when the measure has no bar of its own. */
  met: boolean | null;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  sqlite: string;
  sqlitePragmas: string;
  postgres: string | null;
  chromium: string | null;
}

export async function describeMachine(withPostgres: boolean): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const mem = new SQLite(':memory:');
  const sqlite = (mem.prepare('select sqlite_version() as v').get() as { v: string }).v;
  mem.close();
  let postgres: string | null = null;
  if (withPostgres) {
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    try {
      const res = await client.query<{ v: string }>(
        "select current_setting('server_version') as v",
      );
      postgres = res.rows[0]?.v ?? 'unknown';
    } finally {
      await client.end();
    }
  }
  return {
    cpu,
    cores: availableParallelism(),
    node: process.version,
    sqlite,
    sqlitePragmas:
      'journal_mode=WAL, synchronous=NORMAL or FULL (per row), busy_timeout=5000, foreign_keys=ON',
    postgres,
    chromium: null,
  };
}

const HEADERS = ['measure', 'figure', 'baseline', 'ratio', 'bar', 'met'] as const;

function cells(row: MeasureRow): string[] {
  const figure = formatFigure(row.figure, row.unit);
  return [
    row.measure,
    row.detail ? `${figure} (${row.detail})` : figure,
    row.baseline ? `${formatFigure(row.baseline.figure, row.unit)} (${row.baseline.label})` : '—',
    row.ratio === null ? '—' : `${(row.ratio * 100).toFixed(0)} %`,
    row.bar,
    row.met === null ? '—' : row.met ? 'met' : 'NOT MET',
  ];
}

/** A figure with its unit: rates and sizes to three significant figures, times in ms or s. */
export function formatFigure(value: number, unit: Unit): string {
  switch (unit) {
    case 'events/s':
      return `${rate(value)}/s`;
    case 'ms':
      return `${value < 10 ? value.toFixed(1) : rate(value)} ms`;
    case 's':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} s`;
    case 'MiB':
      return `${rate(value)} MiB`;
  }
}

/** Rounded to three significant figures with thousands separators. */
export function rate(perSecond: number): string {
  const digits = Math.max(0, Math.floor(Math.log10(Math.max(perSecond, 1))) - 2);
  const rounded = Math.round(perSecond / 10 ** digits) * 10 ** digits;
  return rounded.toLocaleString('en-US');
}

/** Quantile `q` (0–1) of `samples` by nearest rank; `samples` need not be sorted. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('quantile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** "p50 3.1 ms, p95 5.0 ms, p99 9.2 ms" for latency samples in ms. */
export function latencyDetail(samples: readonly number[], qs: readonly number[]): string {
  return qs
    .map((q) => `p${Math.round(q * 100)} ${formatFigure(quantile(samples, q), 'ms')}`)
    .join(', ');
}

/** A fixed-width table for the terminal. */
export function textTable(rows: readonly MeasureRow[]): string {
  const grid = [[...HEADERS], ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...grid.map((r) => (r[i] ?? '').length)));
  return grid
    .map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | '))
    .join('\n')
    .replace(/\n/, `\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
}

/** The same table in Markdown. */
export function markdownTable(rows: readonly MeasureRow[]): string {
  // Columns padded to their widest cell, as the repository's formatter lays tables out. Every
  // character in these cells (digits, ≥, —, µ, ×) is one UTF-16 unit and one column wide.
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) =>
    Math.max(3, h.length, ...body.map((r) => (r[i] ?? '').length)),
  );
  const line = (cellsOf: readonly string[]) =>
    `| ${cellsOf.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function machineLines(m: Machine): string[] {
  return [
    `CPU: ${m.cpu}, ${m.cores} cores; Node ${m.node}`,
    `SQLite ${m.sqlite} (better-sqlite3); pragmas: ${m.sqlitePragmas}`,
    `Postgres: ${m.postgres ?? 'not reachable, skipped'}`,
    `Chromium: ${m.chromium ?? 'not used in this run'}`,
  ];
}
