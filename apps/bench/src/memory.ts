/**
 * Server memory with a big shop: the resident set (RSS, from /proc) of a real server process whose
 * database holds the shop's log. The log is seeded over HTTP (sales in pushes of 1000 from one
 * till); then the server process is restarted, so the figures are those of a server that starts
 * on a big database rather than one that has just ingested it. Read: after start-up (idle), after
 * serving a till a full pull of the log (and the peak while serving it), and after one more push,
 * which makes the server fold the shop's whole log into its in-memory projection.
 */
import { readFileSync } from 'node:fs';
import { syncHeaders } from '@smartkirana/server/testing';
import { nextSale, pidListeningOn, pushEvents, startFleet, type FleetServer } from './fleet.ts';
import { formatFigure, type MeasureRow } from './report.ts';
import type { MeasureGroup, Mode } from './run.ts';

/** Sales seeded per mode: the 1M of the measure in full mode, less to keep the others short. */
const SALES: Record<Mode, number> = { smoke: 2_000, quick: 100_000, full: 1_000_000 };

export const memoryGroup: MeasureGroup = {
  name: 'memory',
  async run({ mode, log }) {
    const run = await serverMemory({ events: SALES[mode], seed: 61 }, log);
    const mib = (v: number): string => formatFigure(v, 'MiB');
    const row: MeasureRow = {
      measure: `server memory, SQLite (${run.events.toLocaleString('en-US')} events stored${mode === 'full' ? '' : `, ${mode} size`})`,
      figure: run.afterPull,
      unit: 'MiB',
      detail:
        `RSS idle after start ${mib(run.idle)}; after serving a full pull ${mib(run.afterPull)} ` +
        `(peak ${mib(run.peak)}, pull ${run.pullSeconds.toFixed(1)} s); after one more push, with ` +
        `the shop's projection in memory, ${mib(run.afterPush)}`,
      baseline: null,
      ratio: null,
      bar: '— (no bar)',
      met: null,
    };
    log(`memory: ${row.detail ?? ''}`);
    return [row];
  },
};

export interface MemoryRun {
  events: number;
  /** MiB resident after start-up, idle. */
  idle: number;
  /** MiB resident after serving a full pull. */
  afterPull: number;
  /** Peak MiB resident up to the end of the pull. */
  peak: number;
  /** MiB resident after one more push (the shop's projection folded in memory). */
  afterPush: number;
  /** Seconds the full pull took. */
  pullSeconds: number;
}

const SEED_BATCH = 1000;
const PULL_PAGE = 5000;

/** Seed `events` sales, restart the server, and read its memory as the doc comment says. */
export async function serverMemory(
  c: { events: number; seed: number },
  log: (line: string) => void,
): Promise<MemoryRun> {
  const fleet = await startFleet({
    dialect: 'sqlite',
    tills: 1,
    env: { SQLITE_SYNCHRONOUS: 'NORMAL' },
    seed: c.seed,
  });
  try {
    const server = fleet.servers[0] as FleetServer;
    const till = fleet.tills[0];
    if (!till) throw new Error('the fleet has no till');
    const next = () =>
      Array.from({ length: SEED_BATCH }, () => nextSale(till.sim, fleet.productIds));
    const seeding = performance.now();
    let batch = next();
    for (let sent = 0; sent < c.events; sent += SEED_BATCH) {
      // The next batch is built while the server stores this one.
      const pushed = pushEvents(server.url, till.token, batch.slice(0, c.events - sent));
      batch = sent + SEED_BATCH < c.events ? next() : [];
      await pushed;
    }
    const events = fleet.setupEvents + c.events;
    log(
      `memory: ${c.events} sales seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );

    await fleet.restart({});
    const restarted = fleet.servers[0] as FleetServer;
    const pid = pidListeningOn(restarted.process.port);
    // Let start-up work (module loading, the first collections) finish before reading.
    await new Promise((r) => setTimeout(r, 2000));
    const idle = status(pid).rss;

    const started = performance.now();
    let pulled = 0;
    for (let after = 0; ;) {
      const res = await fetch(`${restarted.url}/sync/v1/pull?after=${after}&limit=${PULL_PAGE}`, {
        headers: syncHeaders(till.token),
      });
      if (res.status !== 200) throw new Error(`pull answered ${res.status}`);
      const page = tail(await res.text());
      pulled += page.seq - after;
      after = page.seq;
      if (!page.hasMore) break;
    }
    const pullSeconds = (performance.now() - started) / 1000;
    if (pulled !== events) throw new Error(`the pull served ${pulled} of ${events} events`);
    const afterPull = status(pid);

    await pushEvents(restarted.url, till.token, [nextSale(till.sim, fleet.productIds)]);
    const afterPush = status(pid).rss;
    return {
      events,
      idle,
      afterPull: afterPull.rss,
      peak: afterPull.hwm,
      afterPush,
      pullSeconds,
    };
  } finally {
    await fleet.close();
  }
}

/** Resident and peak resident memory of a process, MiB. */
function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) / 1024;
  };
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

const TAIL =
  /"checkpoint":\{"seq":(\d+)(?:,"log":"[^"]*")?\},"hasMore":(true|false)(?:,"head":\d+)?\}$/;

/** The checkpoint and `hasMore` from the end of a pull page, without parsing the page. */
function tail(text: string): { seq: number; hasMore: boolean } {
  const m = TAIL.exec(text.slice(-200));
  if (!m) throw new Error(`unexpected pull page ending ${text.slice(-200)}`);
  return { seq: Number(m[1]), hasMore: m[2] === 'true' };
}
