/**
 * The harness runs end to end in smoke mode: every measure is present with a positive figure.
 * No timing thresholds: the bars are for `pnpm bench` on a quiet machine, not for CI.
 */
import { describe, expect, it } from 'vitest';
import { dialects } from '@smartkirana/server/testing';
import { markdownTable, textTable } from './report.ts';
import { runBenchmarks } from './run.ts';

describe('benchmark harness', () => {
  it('runs every measure in smoke mode', async () => {
    const result = await runBenchmarks({ mode: 'smoke' });
    const measures = result.rows.map((r) => r.measure.replace(/ \(.*\)$/, ''));
    const expected = [
      'ingest over HTTP, SQLite NORMAL, batches of 100',
      'ingest over HTTP, SQLite FULL, batches of 100',
      'ingest over HTTP, SQLite NORMAL, batches of 1',
      'ingest over HTTP, SQLite NORMAL, batches of 10',
      'ingest over HTTP, SQLite NORMAL, batches of 1000',
      'pull, SQLite, pages of 500',
      'pull, SQLite, pages of 5000',
    ];
    if ((await dialects()).includes('postgres'))
      expected.push('ingest over HTTP, Postgres, batches of 100');
    expect(measures.sort()).toEqual(expected.sort());
    for (const row of result.rows) {
      expect(row.figure, row.measure).toBeGreaterThan(0);
      if (row.measure.startsWith('ingest')) {
        expect(row.baseline?.figure, row.measure).toBeGreaterThan(0);
        expect(row.ratio, row.measure).toBeGreaterThan(0);
      }
    }
    expect(result.eventBytes).toBeGreaterThan(0);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(textTable(result.rows).split('\n')).toHaveLength(result.rows.length + 2);
    expect(markdownTable(result.rows)).toContain('| measure | figure |');
  });
});
