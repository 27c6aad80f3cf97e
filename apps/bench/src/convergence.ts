/**
 * Convergence: tills that sold offline reconnect together; how long until every replica and the
 * server agree. The tills are real (RxDB replica, replication, live stream, the product's retry
 * interval), a few per child process (`till-hosts.ts`); the server is a real process. Each till
 * reaches the server through a TCP proxy of its own. Online, every till pulls the catalogue; then
 * every proxy is cut (open connections, the live streams among them, die; new ones are refused)
 * and each till rings up its sales: realistic sales from a simulated device of its own (own
 * device sequence, invoice series and clock; all tills sell over the same stretch of simulated
 * time), written into its replica as its local writer would. The clock starts when every proxy
 * heals at once and stops when the last replica holds every event of the shop and has every one
 * of its own acknowledged by the server: the tills notice
 * the network is back on their own. Then, untimed, agreement is checked in full: the server's log
 * has every event once; every replica holds that many events and derives exactly the state a fold
 * of the server's log derives; the server's own derived stock matches that fold; no till has an
 * unacknowledged event. A run that does not agree within its time limit fails.
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import {
  snapshotProjection,
  type ProjectionSnapshot,
} from '@smartkirana/domain/projection-snapshot';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { LinkProxy, syncHeaders } from '@smartkirana/server/testing';
import { cpuSeconds, head, nextSale, pidListeningOn, startFleet, type Fleet } from './fleet.ts';
import type { HostedReport } from './till-host.ts';
import { TillHosts } from './till-hosts.ts';
import { snapshotHash } from './tills.ts';
import type { MeasureRow } from './report.ts';
import type { MeasureGroup, Mode } from './run.ts';

/** The bar's 20 tills × 2,000 sales in quick and full mode (under a minute); a toy in smoke. */
const SIZES: Record<Mode, { tills: number; sales: number; limitSeconds: number }> = {
  smoke: { tills: 3, sales: 20, limitSeconds: 120 },
  quick: { tills: 20, sales: 2_000, limitSeconds: 600 },
  full: { tills: 20, sales: 2_000, limitSeconds: 1_800 },
};
const BAR_SECONDS = 10;

export const convergenceGroup: MeasureGroup = {
  name: 'convergence',
  async run({ mode, log }) {
    const size = SIZES[mode];
    const run = await convergence({ ...size, seed: 71 }, log);
    const atBar = size.tills === 20 && size.sales === 2_000;
    const row: MeasureRow = {
      measure: `convergence after reconnecting (${size.tills} tills × ${size.sales.toLocaleString('en-US')} offline sales, ${run.events.toLocaleString('en-US')} events)`,
      figure: run.seconds,
      unit: 's',
      detail:
        `the server held every event after ${run.serverSeconds.toFixed(1)} s; CPU meanwhile: ` +
        `tills ${run.tillCpuSeconds.toFixed(0)} s, server ${run.serverCpuSeconds.toFixed(0)} s`,
      baseline: null,
      ratio: null,
      bar: atBar ? `≤ ${BAR_SECONDS} s` : `≤ ${BAR_SECONDS} s at 20 × 2,000`,
      met: atBar ? run.seconds <= BAR_SECONDS : null,
    };
    log(`convergence: ${run.seconds.toFixed(1)} s; ${row.detail ?? ''}`);
    return [row];
  },
};

export interface ConvergenceCase {
  tills: number;
  /** Offline sales per till. */
  sales: number;
  seed: number;
  /** Give up (and fail the run) after this long. */
  limitSeconds: number;
}

export interface ConvergenceRun {
  /** From the network coming back for every till until every replica holds every event. */
  seconds: number;
  /** From the same start until the server's log held every event. */
  serverSeconds: number;
  events: number;
  /** CPU time the till processes (all tills together) and the server used meanwhile. */
  tillCpuSeconds: number;
  serverCpuSeconds: number;
}

/** Run one convergence case; throws if the replicas and the server do not agree. */
export async function convergence(
  c: ConvergenceCase,
  log: (line: string) => void,
): Promise<ConvergenceRun> {
  const fleet = await startFleet({ dialect: 'sqlite', tills: c.tills, seed: c.seed });
  const links: LinkProxy[] = [];
  let hosts: TillHosts | undefined;
  try {
    const server = fleet.servers[0] as { url: string; process: { port: number } };
    const url = server.url;
    for (let i = 0; i < c.tills; i++) links.push(await LinkProxy.start(server.process.port));
    hosts = await TillHosts.open(
      fleet.tills.map((t, i) => ({
        ...fleet.credential(t),
        serverUrl: (links[i] as LinkProxy).url,
      })),
    );
    for (const link of links) link.cut();
    const offline: DomainEvent[][] = fleet.tills.map(() => []);
    for (let n = 0; n < c.sales; n++)
      for (const [i, device] of fleet.tills.entries())
        offline[i]?.push(nextSale(device.sim, fleet.productIds));
    const perHost = hosts.split(offline);
    await hosts.all((h) => ({ cmd: 'sell-offline', events: perHost[h] ?? [] }), 300);
    const total = fleet.setupEvents + c.tills * c.sales;
    log(`convergence: ${c.tills} tills with ${c.sales} offline sales each reconnect`);

    const serverPid = pidListeningOn(server.process.port);
    const cpu = async () => ({
      tills: sum(await hosts?.all<number>(() => ({ cmd: 'cpu' }), 60)),
      server: cpuSeconds(serverPid),
    });
    const cpuBefore = await cpu();
    const started = performance.timeOrigin + performance.now();
    for (const link of links) link.heal();
    const replicas = hosts.all<number>(
      () => ({ cmd: 'hold', total, seconds: c.limitSeconds }),
      c.limitSeconds + 30,
    );
    const serverAt = await serverHolds(url, fleet.shop.ownerToken, total, replicas);
    const done = Math.max(...(await replicas));
    const cpuAfter = await cpu();
    await checkAgreement(
      url,
      fleet,
      await hosts.all<HostedReport>(() => ({ cmd: 'report' }), 120),
      total,
    );
    return {
      seconds: (done - started) / 1000,
      // Polled, so it may be noticed after the last replica (which cannot be ahead of the server).
      serverSeconds: (Math.min(serverAt ?? done, done) - started) / 1000,
      events: total,
      tillCpuSeconds: cpuAfter.tills - cpuBefore.tills,
      serverCpuSeconds: cpuAfter.server - cpuBefore.server,
    };
  } finally {
    await hosts?.close();
    for (const link of links) await link.close();
    await fleet.close();
  }
}

/**
 * When (ms since the epoch) the server's log first held `total` events, polled every 50 ms;
 * undefined if `until` settles first.
 */
async function serverHolds(
  url: string,
  token: string,
  total: number,
  until: Promise<unknown>,
): Promise<number | undefined> {
  // An object, so the flag set by the callback is not narrowed away by the compiler.
  const state = { settled: false };
  const settle = (): void => {
    state.settled = true;
  };
  until.then(settle, settle);
  while (!state.settled) {
    if ((await head(url, token)) >= total) return performance.timeOrigin + performance.now();
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

function sum(values: readonly number[] = []): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Every check of agreement; throws on the first disagreement. */
async function checkAgreement(url: string, fleet: Fleet, reports: HostedReport[], total: number) {
  const headers = syncHeaders(fleet.shop.ownerToken);
  const events: DomainEvent[] = [];
  for (let after = 0; ;) {
    const res = await fetch(`${url}/sync/v1/pull?after=${after}&limit=5000`, { headers });
    const page = (await res.json()) as {
      documents: DomainEvent[];
      checkpoint: { seq: number };
      hasMore: boolean;
    };
    events.push(...page.documents);
    after = page.checkpoint.seq;
    if (!page.hasMore) break;
  }
  const ids = new Set(events.map((e) => e.id));
  if (events.length !== total || ids.size !== total)
    throw new Error(
      `the server's log has ${events.length} events (${ids.size} distinct), not ${total}`,
    );
  const folded = new ShopProjection();
  folded.apply(events);
  await checkServerStock(url, fleet, snapshotProjection(folded));
  const expected = snapshotHash(folded);
  for (const r of reports) {
    if (r.events !== total) throw new Error(`till ${r.code} holds ${r.events} of ${total} events`);
    if (r.snapshot !== expected)
      throw new Error(`till ${r.code} derives another state than the server's log`);
    if (r.unsynced > 0) throw new Error(`till ${r.code} has ${r.unsynced} unacknowledged events`);
  }
}

/** The server's own derived stock equals the fold of its log. */
async function checkServerStock(url: string, fleet: Fleet, expected: ProjectionSnapshot) {
  const res = await fetch(`${url}/api/v1/inventory?limit=500`, {
    headers: syncHeaders(fleet.shop.ownerToken),
  });
  const body = (await res.json()) as {
    items: { productId: string; qty: number; stockValue: number }[];
  };
  const server = new Map(body.items.map((r) => [r.productId, r]));
  for (const [productId, { qty, value }] of expected.stock) {
    const row = server.get(productId);
    if (!row || row.qty !== qty || row.stockValue !== value)
      throw new Error(
        `the server's stock of ${productId} is ${JSON.stringify(row)}, the log folds to ${qty} (${value})`,
      );
  }
}
