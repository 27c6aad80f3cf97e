/**
 * The latency measures: how long a till waits for the server to acknowledge a push while many
 * tills push (SQLite with `synchronous` NORMAL and FULL, Postgres), and how long a sale takes from
 * one till's commit into another till's replica over the live stream, with more and more stream
 * subscribers, and across two server instances on one Postgres database.
 */
import type { DialectName } from '@smartkirana/server/db/connect';
import { ackLatency, type AckRun } from './ack-latency.ts';
import { startFleet } from './fleet.ts';
import { liveLatency, type LiveCase } from './live-latency.ts';
import { latencyDetail, quantile, type MeasureRow } from './report.ts';
import type { MeasureGroup, Mode } from './run.ts';

const SIZES: Record<Mode, { tills: number; pushes: number; sales: number; warmUp: number }> = {
  smoke: { tills: 5, pushes: 3, sales: 5, warmUp: 2 },
  quick: { tills: 50, pushes: 10, sales: 100, warmUp: 10 },
  full: { tills: 50, pushes: 40, sales: 1000, warmUp: 20 },
};

/** Stream subscribers on the observer's server, the observing till included. */
const SUBSCRIBERS = [1, 50, 500];
const LIVE_BAR_MS = 250;

export const latencyGroup: MeasureGroup = {
  name: 'latency',
  async run({ mode, log, withPostgres }) {
    const size = SIZES[mode];
    const rows: MeasureRow[] = [];

    const ackRow = (where: string, run: AckRun): void => {
      const detail = `${latencyDetail(run.latencies, [0.5, 0.99])}; ${Math.round(run.rate).toLocaleString('en-US')} sales/s acknowledged`;
      rows.push({
        measure: `ack latency, ${where} (${size.tills} tills at once, ${run.latencies.length} pushes of 1–10 sales)`,
        figure: quantile(run.latencies, 0.99),
        unit: 'ms',
        detail,
        baseline: null,
        ratio: null,
        bar: '— (no bar)',
        met: null,
      });
      log(`ack ${where}: ${detail}`);
    };
    // One shop and its tills; the server restarted with the other `synchronous` setting.
    const sqlite = await startFleet({
      dialect: 'sqlite',
      tills: size.tills,
      env: { SQLITE_SYNCHRONOUS: 'NORMAL' },
      seed: 41,
    });
    try {
      ackRow('SQLite NORMAL', await ackLatency(sqlite, size.pushes));
      await sqlite.restart({ SQLITE_SYNCHRONOUS: 'FULL' });
      ackRow('SQLite FULL', await ackLatency(sqlite, size.pushes));
    } finally {
      await sqlite.close();
    }
    if (withPostgres) {
      const postgres = await startFleet({ dialect: 'postgres', tills: size.tills, seed: 42 });
      try {
        ackRow('Postgres', await ackLatency(postgres, size.pushes));
      } finally {
        await postgres.close();
      }
    }

    const live = { samples: size.sales, warmUp: size.warmUp };
    const lives: LiveCase[] = [
      { dialect: 'sqlite', instances: 1, subscribers: SUBSCRIBERS, ...live, seed: 51 },
    ];
    if (withPostgres)
      lives.push({ dialect: 'postgres', instances: 2, subscribers: [1], ...live, seed: 52 });
    for (const c of lives) {
      for (const run of await liveLatency(c, log)) {
        const label = liveLabel(c.dialect, c.instances, run.subscribers);
        const p95 = quantile(run.latencies, 0.95);
        rows.push({
          measure: `live latency, ${label} (${run.latencies.length} sales)`,
          figure: p95,
          unit: 'ms',
          detail: latencyDetail(run.latencies, [0.5, 0.95, 0.99]),
          baseline: null,
          ratio: null,
          bar: `p95 ≤ ${LIVE_BAR_MS} ms`,
          met: p95 <= LIVE_BAR_MS,
        });
        log(`live ${label}: ${latencyDetail(run.latencies, [0.5, 0.95, 0.99])}`);
      }
    }
    return rows;
  },
};

function liveLabel(dialect: DialectName, instances: number, subscribers: number): string {
  const where = dialect === 'sqlite' ? 'SQLite' : 'Postgres';
  const across =
    instances > 1 ? ', sale to one of two server instances, observer on the other' : '';
  return `${where}${across}, ${subscribers} subscriber${subscribers === 1 ? '' : 's'}`;
}
