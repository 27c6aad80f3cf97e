/**
 * What a benchmark run reports: one row per measure, the machine it ran on, and the table printed
 * (plain text for the terminal, Markdown for docs/benchmarks.md).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { PG_BASE_URL } from '@smartkirana/server/testing';

export interface MeasureRow {
  measure: string;
  /** Events per second. */
  figure: number;
  baseline: { label: string; figure: number } | null;
  /** figure / baseline. */
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
  };
}

const HEADERS = ['measure', 'figure', 'baseline', 'ratio', 'bar', 'met'] as const;

function cells(row: MeasureRow): string[] {
  return [
    row.measure,
    `${rate(row.figure)}/s`,
    row.baseline ? `${rate(row.baseline.figure)}/s (${row.baseline.label})` : '—',
    row.ratio === null ? '—' : `${(row.ratio * 100).toFixed(0)} %`,
    row.bar,
    row.met === null ? '—' : row.met ? 'met' : 'NOT MET',
  ];
}

/** Events per second, rounded to three significant figures with thousands separators. */
export function rate(perSecond: number): string {
  const digits = Math.max(0, Math.floor(Math.log10(Math.max(perSecond, 1))) - 2);
  const rounded = Math.round(perSecond / 10 ** digits) * 10 ** digits;
  return rounded.toLocaleString('en-US');
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
  const lines = [
    `| ${HEADERS.join(' | ')} |`,
    `| ${HEADERS.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cells(r).join(' | ')} |`),
  ];
  return lines.join('\n');
}

export function machineLines(m: Machine): string[] {
  return [
    `CPU: ${m.cpu}, ${m.cores} cores; Node ${m.node}`,
    `SQLite ${m.sqlite} (better-sqlite3); pragmas: ${m.sqlitePragmas}`,
    `Postgres: ${m.postgres ?? 'not reachable, skipped'}`,
  ];
}
