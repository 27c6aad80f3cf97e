/**
 * The harness runs end to end in smoke mode: every measure is present with a positive figure.
 * No timing thresholds: the bars are for `pnpm bench` on a quiet machine, not for CI.
 */
import { describe, expect, it } from 'vitest';
import { dialects } from '@smartkirana/server/testing';
import { chromiumAvailable } from './browser-harness.ts';
import * as prettier from 'prettier';
import { DOC_PATH, generatedSection, replaceSection } from './doc.ts';
import { markdownTable, quantile, textTable } from './report.ts';
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
    if (chromiumAvailable())
      expected.push(
        'local sale commit in Chromium, catalogue only',
        'local sale commit in Chromium, with history',
        'local sale commit in Chromium, every till view live',
        'fresh till ready to sell',
        'fresh till ready to sell',
        'fresh till backfill',
        'fresh till backfill',
        'till JS heap',
      );
    expected.push(
      'ack latency, SQLite NORMAL',
      'ack latency, SQLite FULL',
      'live latency, SQLite, 1 subscriber',
      'live latency, SQLite, 50 subscribers',
      'live latency, SQLite, 500 subscribers',
      'convergence after reconnecting',
      'server memory, SQLite',
    );
    if ((await dialects()).includes('postgres'))
      expected.push(
        'ack latency, Postgres',
        'live latency, Postgres, sale to one of two server instances, observer on the other, 1 subscriber',
      );
    expect(measures.sort()).toEqual(expected.sort());
    for (const row of result.rows) {
      expect(row.figure, row.measure).toBeGreaterThan(0);
      if (row.measure.startsWith('ingest') || row.measure.startsWith('fresh till backfill')) {
        expect(row.baseline?.figure, row.measure).toBeGreaterThan(0);
        expect(row.ratio, row.measure).toBeGreaterThan(0);
      }
    }
    if (chromiumAvailable()) expect(result.machine.chromium).toMatch(/^\d+\.\d+/);
    for (const row of result.rows.filter((r) => /latency/.test(r.measure))) {
      expect(row.unit, row.measure).toBe('ms');
      expect(row.detail, row.measure).toMatch(/p50 .* ms.*p99 .* ms/);
    }
    const memory = result.rows.find((r) => r.measure.startsWith('server memory'));
    expect(memory?.unit).toBe('MiB');
    expect(memory?.detail).toMatch(/idle after start [1-9].*after serving a full pull [1-9]/);
    expect(result.notes.join('\n')).toMatch(/mean [1-9]\d* bytes of JSON/);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(textTable(result.rows).split('\n')).toHaveLength(result.rows.length + 2);
    expect(markdownTable(result.rows)).toMatch(/^\| measure +\| figure +\|/);
    // The page as written passes the repository's format check unchanged.
    const section = generatedSection(result);
    const options = await prettier.resolveConfig(DOC_PATH);
    expect(await prettier.format(section, { ...options, parser: 'markdown' })).toBe(`${section}\n`);

    // The generated part of the doc is replaced in place; the hand-written text around it stays.
    const doc = '# Benchmarks\n\nIntro.\n\n## Method\n\nKept.\n';
    const once = replaceSection(doc, generatedSection(result));
    const twice = replaceSection(once, generatedSection({ ...result, rows: [] }));
    expect(once).toContain('| ingest over HTTP, SQLite NORMAL, batches of 100');
    expect(twice).not.toContain('| ingest over HTTP');
    expect(twice.startsWith('# Benchmarks\n\n')).toBe(true);
    expect(twice).toContain('## Method\n\nKept.');
    expect(twice.match(/bench:start/g)).toHaveLength(1);
  }, 300_000);

  it('takes quantiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(samples, 0.5)).toBe(50);
    expect(quantile(samples, 0.95)).toBe(95);
    expect(quantile(samples, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
  });
});
