/**
 * The ingest and pull measures: sales pushed over HTTP to SQLite and Postgres, each against its
 * raw baseline measured in the same run on the same rows, then the log pulled back in pages.
 */
import type { DialectName } from '@smartkirana/server/db/connect';
import { rawPostgresInsert, rawSqliteInsert } from './baselines.ts';
import type { MeasureRow } from './report.ts';
import type { MeasureGroup, Mode } from './run.ts';
import { ingestOverHttp, pullOverHttp, type IngestRun } from './server-runs.ts';
import { eventRows, meanBodyBytes } from './workload.ts';

interface IngestCase {
  dialect: DialectName;
  synchronous: 'NORMAL' | 'FULL';
  batch: number;
  sales: number;
}

/** How many sale events each case pushes, per mode. */
const SIZES: Record<Mode, { b1: number; b10: number; b100: number; b1000: number; pg: number }> = {
  smoke: { b1: 30, b10: 100, b100: 300, b1000: 300, pg: 300 },
  quick: { b1: 2_000, b10: 10_000, b100: 50_000, b1000: 50_000, pg: 20_000 },
  full: { b1: 5_000, b10: 20_000, b100: 100_000, b1000: 100_000, pg: 50_000 },
};

const PRODUCTS = 200;
/** Sales each server process ingests before its timed pushes (JIT warm-up, not reported). */
const WARM_SALES = 2_000;
const PULL_ROUNDS: Record<Mode, number> = { smoke: 1, quick: 3, full: 5 };

export const ingestGroup: MeasureGroup = {
  name: 'ingest',
  async run({ mode, log, withPostgres, note }) {
    const size = SIZES[mode];
    const rows: MeasureRow[] = [];

    if (mode !== 'smoke') {
      // Warm the JIT (client and baseline paths; each server process warms itself) so the first timed case is not cold.
      const warm = await ingestCase(
        { dialect: 'sqlite', synchronous: 'NORMAL', batch: 100, sales: 2_000 },
        mode,
        [],
        (line) => log(`warm-up, not reported: ${line}`),
      );
      await warm.server.close();
    }
    // The headline case first; its server then serves the pull measures.
    const headline = await ingestCase(
      { dialect: 'sqlite', synchronous: 'NORMAL', batch: 100, sales: size.b100 },
      mode,
      rows,
      log,
    );
    try {
      note(
        `Timed ingest events: v1.SaleCompleted, mean ${meanBodyBytes(eventRows(headline.workload.sales))} bytes of JSON`,
      );
      for (const limit of [500, 5000]) {
        const pulled = await pullOverHttp(headline.server, headline.shop, {
          limit,
          rounds: PULL_ROUNDS[mode],
        });
        rows.push({
          measure: `pull, SQLite, pages of ${limit} (${pulled.events} events)`,
          figure: pulled.rate,
          unit: 'events/s',
          baseline: null,
          ratio: null,
          bar: '≥ 100,000/s',
          met: pulled.rate >= 100_000,
        });
        log(`pull ${limit}: ${Math.round(pulled.rate)} events/s`);
      }
    } finally {
      await headline.server.close();
    }

    const others: IngestCase[] = [
      { dialect: 'sqlite', synchronous: 'FULL', batch: 100, sales: size.b100 },
      { dialect: 'sqlite', synchronous: 'NORMAL', batch: 1, sales: size.b1 },
      { dialect: 'sqlite', synchronous: 'NORMAL', batch: 10, sales: size.b10 },
      { dialect: 'sqlite', synchronous: 'NORMAL', batch: 1000, sales: size.b1000 },
    ];
    if (withPostgres)
      others.push({ dialect: 'postgres', synchronous: 'FULL', batch: 100, sales: size.pg });
    for (const c of others) {
      const run = await ingestCase(c, mode, rows, log);
      await run.server.close();
    }

    // Ingest rows first, pull rows last (a stable sort keeps the order within each group).
    rows.sort(
      (a, b) => Number(a.measure.startsWith('pull')) - Number(b.measure.startsWith('pull')),
    );
    return rows;
  },
};

/** Push one case over HTTP, then insert the same rows raw; add the row to `rows`. */
async function ingestCase(
  c: IngestCase,
  mode: Mode,
  rows: MeasureRow[],
  log: (line: string) => void,
): Promise<IngestRun> {
  const run = await ingestOverHttp({
    ...c,
    products: PRODUCTS,
    seed: c.batch + c.sales,
    warm: mode === 'smoke' ? 0 : WARM_SALES,
  });
  const raw = eventRows(run.workload.sales);
  const baseline =
    c.dialect === 'sqlite'
      ? await rawSqliteInsert(raw, { batch: c.batch, synchronous: c.synchronous })
      : await rawPostgresInsert(raw, { batch: c.batch });
  const ratio = run.rate / baseline;
  const headline = c.batch === 100;
  const floor = c.dialect === 'sqlite' ? 20_000 : 15_000;
  const where = c.dialect === 'sqlite' ? `SQLite ${c.synchronous}` : 'Postgres';
  rows.push({
    measure: `ingest over HTTP, ${where}, batches of ${c.batch} (${c.sales} sales)`,
    figure: run.rate,
    unit: 'events/s',
    baseline: {
      label:
        c.dialect === 'sqlite'
          ? `raw better-sqlite3, tx per ${c.batch}`
          : `raw pg UNNEST per ${c.batch}`,
      figure: baseline,
    },
    ratio,
    bar: headline ? `≥ 50 % and ≥ ${floor.toLocaleString('en-US')}/s` : '— (no bar)',
    met: headline ? ratio >= 0.5 && run.rate >= floor : null,
  });
  log(
    `ingest ${where} batch ${c.batch}: ${Math.round(run.rate)} events/s; raw ${Math.round(baseline)} events/s`,
  );
  return run;
}
