/**
 * The till measures in real headless Chromium, on the real till code (`@smartkirana/client`):
 * how long a local sale takes to commit, how long a fresh till takes until it can sell and how
 * fast it backfills the shop's history against raw Dexie `bulkPut` of the same events in the same
 * browser, and the till's JS heap. The page is served by a real sync server on loopback.
 */
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '@smartkirana/server/testing';
import type { BulkPutResult, CommitResult, FreshTillResult } from '../browser/api.ts';
import {
  buildBenchPage,
  callPage,
  CHROMIUM,
  chromiumAvailable,
  enrollTill,
  fillShop,
  heapMiB,
  launchChromium,
  openBenchPage,
  type Chromium,
  type FilledShop,
} from './browser-harness.ts';
import { formatFigure, latencyDetail, quantile, type MeasureRow } from './report.ts';
import type { BenchContext, MeasureGroup, Mode } from './run.ts';

interface Sizes {
  products: number;
  /** Sales in the shops a fresh till starts on. */
  histories: number[];
  /** Of those, the shops where sale commits and the heap are also measured. */
  commitAt: number[];
  /** Of those, the shops where RxDB `bulkInsert` of the log is also timed (it takes long). */
  rxdbAt: number[];
  sales: number;
  /** Timed sales with every view of the till live (after the counter's sales). */
  everySales: number;
  warmup: number;
}

const SIZES: Record<Mode, Sizes> = {
  smoke: {
    products: 20,
    histories: [200, 500],
    commitAt: [500],
    rxdbAt: [200, 500],
    sales: 10,
    everySales: 5,
    warmup: 2,
  },
  quick: {
    products: 200,
    histories: [10_000, 100_000],
    commitAt: [100_000],
    rxdbAt: [10_000],
    sales: 500,
    everySales: 50,
    warmup: 20,
  },
  full: {
    products: 200,
    histories: [10_000, 100_000, 1_000_000],
    commitAt: [100_000, 1_000_000],
    rxdbAt: [10_000, 100_000],
    sales: 1000,
    everySales: 100,
    warmup: 50,
  },
};

/** The history size BRIEF §5's bars are set at. */
const BAR_AT = 100_000;
/** Pause after a sale is acknowledged, before the next customer. */
const GAP_MS = 10;
/** Events per raw `bulkPut` call: a full pull page (the server's largest, and the till's). */
const RAW_BATCH = 5000;
const CASHIER_PIN = '1234';

export const browserGroup: MeasureGroup = {
  name: 'browser',
  async run(ctx) {
    if (!chromiumAvailable()) {
      ctx.note(`Browser measures skipped: no Chromium at ${CHROMIUM}`);
      return [];
    }
    const size = SIZES[ctx.mode];
    const dir = await buildBenchPage();
    const server = await startTestServer('sqlite', {
      PUSH_RATE_PER_MINUTE: '1000000',
      STATIC_DIR: dir,
    });
    try {
      ctx.log('filling the shops over HTTP (not timed)');
      const catalogue = await fillShop(server, { products: size.products, sales: 0, seed: 7 });
      const shops: { sales: number; filled: FilledShop }[] = [];
      for (const sales of size.histories)
        shops.push({
          sales,
          filled: await fillShop(server, { products: size.products, sales, seed: sales }),
        });
      return await measure(ctx, size, server, catalogue, shops);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * Each shop gets a Chromium of its own with a fresh on-disk profile: a fresh till starts on empty
 * storage, and one case's IndexedDB work cannot spill into the next. The baselines of a shop run
 * in the same browser, right after its till.
 */
async function measure(
  ctx: BenchContext,
  size: Sizes,
  server: TestServer,
  catalogue: FilledShop,
  shops: { sales: number; filled: FilledShop }[],
): Promise<MeasureRow[]> {
  const rows: MeasureRow[] = [];
  // Sales on a shop with no history yet: only its catalogue and opening stock.
  const empty = await inChromium(ctx, (chrome) =>
    tillCase(ctx, size, server, chrome, catalogue, 'counter'),
  );
  if (empty.commits)
    rows.push(commitRow('catalogue only', empty.fresh.folded, empty.commits.counter, false));
  const emptyHeap = empty.heap;

  for (const { sales, filled } of shops) {
    const headline = sales === BAR_AT;
    const sell = size.commitAt.includes(sales) ? 'every' : 'none';
    const { run, raw, rxdb, puts } = await inChromium(ctx, async (chrome) => ({
      run: await tillCase(ctx, size, server, chrome, filled, sell),
      ...(await baselines(ctx, server, chrome, filled, {
        rxdb: size.rxdbAt.includes(sales),
        puts: sell === 'none' ? 0 : size.warmup + size.sales,
      })),
    }));
    const n = run.fresh.folded.toLocaleString('en-US');
    rows.push({
      measure: `fresh till ready to sell (${n} events)`,
      figure: run.fresh.readyMs / 1000,
      unit: 's',
      detail: freshDetail(run.fresh),
      baseline: null,
      ratio: null,
      bar: headline ? '≤ 2 s' : '— (no bar)',
      met: headline ? run.fresh.readyMs <= 2000 : null,
    });
    const rate = filled.events / (run.fresh.storedMs / 1000);
    rows.push({
      measure: `fresh till backfill (${n} events)`,
      figure: rate,
      unit: 'events/s',
      ...(rxdb === undefined
        ? {}
        : {
            detail: `RxDB bulkInsert alone ${formatFigure(rxdb, 'events/s')}, ${pct(rxdb / raw)} of raw`,
          }),
      baseline: { label: `raw Dexie bulkPut, ${RAW_BATCH} per call`, figure: raw },
      ratio: rate / raw,
      bar: headline ? '≥ 80 % of raw bulkPut' : '— (no bar)',
      met: headline ? rate >= 0.8 * raw : null,
    });
    ctx.log(
      `fresh till, ${n} events: ready ${run.fresh.readyMs.toFixed(0)} ms; backfill ${Math.round(rate)}/s, raw bulkPut ${Math.round(raw)}/s${rxdb === undefined ? '' : `, RxDB bulkInsert ${Math.round(rxdb)}/s`}`,
    );
    if (run.commits) {
      const floor = puts?.slice(size.warmup);
      if (floor)
        ctx.log(`raw single-event put into ${n} events: ${latencyDetail(floor, [0.5, 0.99])}`);
      rows.push(commitRow('with history', run.fresh.folded, run.commits.counter, headline, floor));
      if (run.commits.every)
        rows.push(commitRow('every till view live', run.fresh.folded, run.commits.every, false));
    }
    if (run.heap !== undefined)
      rows.push({
        measure: `till JS heap (${n} events stored)`,
        figure: run.heap,
        unit: 'MiB',
        ...(emptyHeap !== undefined
          ? { detail: `catalogue-only till ${emptyHeap.toFixed(1)} MiB` }
          : {}),
        baseline: null,
        ratio: null,
        bar: '— (no bar)',
        met: null,
      });
  }
  return rows;
}

/**
 * A fresh till on `filled`; then, unless `sell` is `none`, timed sales with the counter's view
 * live and the heap, and with `every`, timed sales with every view of the till live. The till is
 * closed after.
 */
async function tillCase(
  ctx: BenchContext,
  size: Sizes,
  server: TestServer,
  chrome: Chromium,
  filled: FilledShop,
  sell: 'none' | 'counter' | 'every',
): Promise<{
  fresh: FreshTillResult;
  commits?: { counter: CommitResult; every?: CommitResult };
  heap?: number;
}> {
  const credential = await enrollTill(server, filled);
  const page = await openBenchPage(chrome, server, 'till', ctx.log);
  try {
    const fresh = await withProgress(
      ctx,
      page,
      filled.events,
      callPage(page, 'freshTill', {
        credential,
        expected: filled.events,
        staff: { userId: filled.shop.cashierId, pin: CASHIER_PIN },
        seed: filled.events,
      }),
    );
    if (sell === 'none') return { fresh };
    const counter = await callPage(page, 'commitSales', {
      sales: size.sales,
      warmup: size.warmup,
      gapMs: GAP_MS,
      views: 'counter',
      seed: 11,
    });
    ctx.log(
      `${size.sales} sales on a till holding ${fresh.folded} events: ${latencyDetail(counter.samples, [0.5, 0.99])} (${counter.firstInvoice} … ${counter.lastInvoice})`,
    );
    // The heap of the till as the counter uses it, before the other views build their state.
    const heap = await heapMiB(page);
    if (sell === 'counter') return { fresh, commits: { counter }, heap };
    const every = await callPage(page, 'commitSales', {
      sales: size.everySales,
      warmup: 0,
      gapMs: GAP_MS,
      views: 'every',
      seed: 13,
    });
    ctx.log(
      `${size.everySales} sales with every view live: ${latencyDetail(every.samples, [0.5, 0.99])}`,
    );
    return { fresh, commits: { counter, every }, heap };
  } finally {
    await callPage(page, 'closeTill', undefined).catch(() => undefined);
    await closePage(page);
  }
}

/** Run `fn` in a freshly launched Chromium; the first launch records the version. */
async function inChromium<T>(ctx: BenchContext, fn: (chrome: Chromium) => Promise<T>): Promise<T> {
  const chrome = await launchChromium();
  try {
    if (ctx.machine.chromium === null) {
      ctx.machine.chromium = `${chrome.version} (Debian package, headless, on-disk profile)`;
      ctx.note(`Chromium ${chrome.version}: the till runs as the PWA opens it, IndexedDB on disk`);
    }
    return await fn(chrome);
  } finally {
    await chrome.close();
  }
}

/** Log how far a fresh till's backfill has come every 15 s until `work` settles. */
async function withProgress<T>(
  ctx: BenchContext,
  page: Page,
  expected: number,
  work: Promise<T>,
): Promise<T> {
  const started = performance.now();
  const timer = setInterval(() => {
    callPage(page, 'progress', undefined)
      .then(({ stored, folded, error }) => {
        const s = ((performance.now() - started) / 1000).toFixed(0);
        ctx.log(
          `  ${s} s: ${stored} of ${expected} events stored, ${folded} folded${error ? `; ${error}` : ''}`,
        );
      })
      .catch(() => undefined);
  }, 15_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/**
 * The same log written raw with Dexie `bulkPut` (the baseline) and, with `withRxdb`, with RxDB
 * `bulkInsert` into a till database (how much of the gap is RxDB's storage layer), each in a page
 * of its own.
 */
async function baselines(
  ctx: BenchContext,
  server: TestServer,
  chrome: Chromium,
  filled: FilledShop,
  want: { rxdb: boolean; puts: number },
): Promise<{ raw: number; rxdb?: number; puts?: number[] }> {
  const run = async (kind: 'raw' | 'till'): Promise<BulkPutResult> => {
    const credential = await enrollTill(server, filled);
    const page = await openBenchPage(chrome, server, kind, ctx.log);
    try {
      const input = { credential, expected: filled.events, batch: RAW_BATCH };
      return await (kind === 'raw'
        ? callPage(page, 'rawBulkPut', {
            ...input,
            ...(want.puts > 0 ? { puts: { count: want.puts, gapMs: GAP_MS } } : {}),
          })
        : callPage(page, 'rxdbBulkInsert', input));
    } finally {
      await closePage(page);
    }
  };
  const rate = (r: BulkPutResult): number => r.events / (r.ms / 1000);
  const raw = await run('raw');
  return {
    raw: rate(raw),
    ...(want.rxdb ? { rxdb: rate(await run('till')) } : {}),
    ...(raw.putSamples ? { puts: raw.putSamples } : {}),
  };
}

function commitRow(
  label: string,
  stored: number,
  commits: CommitResult,
  headline: boolean,
  floor?: number[],
): MeasureRow {
  const p99 = quantile(commits.samples, 0.99);
  const floorP99 = floor && floor.length > 0 ? quantile(floor, 0.99) : undefined;
  return {
    measure: `local sale commit in Chromium, ${label} (${stored.toLocaleString('en-US')} events stored, ${commits.samples.length} sales)`,
    figure: p99,
    unit: 'ms',
    detail: latencyDetail(commits.samples, [0.5, 0.95, 0.99]),
    baseline:
      floor && floorP99 !== undefined
        ? {
            label: `raw Dexie put of one sale per transaction (p99; ${latencyDetail(floor, [0.5])})`,
            figure: floorP99,
          }
        : null,
    ratio: floorP99 !== undefined ? p99 / floorP99 : null,
    bar: headline ? 'p99 ≤ 16 ms' : '— (no bar)',
    met: headline ? p99 <= 16 : null,
  };
}

function freshDetail(r: FreshTillResult): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const from = r.seeded ? 'from the server seed, ' : '';
  return `${from}cashier signed in ${s(r.signedInMs)}, first sale ${s(r.readyMs)}; history all stored ${s(r.storedMs)}, all folded ${s(r.foldedMs)}`;
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(0)} %`;
}

async function closePage(page: Page): Promise<void> {
  await page.close().catch(() => undefined);
}
