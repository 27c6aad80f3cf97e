/**
 * Live latency: a sale committed on one till until it is in another till's replica. Both are real
 * tills (RxDB replica, replication, live stream) in this process; the server is a real process.
 * The clock starts just before `commands.sell` on the selling till (the local commit, its push
 * and the server's ingest are all inside) and stops when the sale is written into the observing
 * till's RxDB collection, having come through the server's SSE stream. Other subscribers, if any,
 * are plain SSE connections held open in a worker thread.
 */
import type { Till } from '@smartkirana/client/till';
import type { DialectName } from '@smartkirana/server/db/connect';
import { syncHeaders } from '@smartkirana/server/testing';
import { head, startFleet, type Fleet } from './fleet.ts';
import { SseLoad } from './sse-load.ts';
import { Arrivals, openBenchTill } from './tills.ts';

export interface LiveCase {
  dialect: DialectName;
  /** Server processes on one database: the seller pushes to the first, the observer follows the last. */
  instances: number;
  /**
   * Stream subscribers on the observer's server, the observing till included: one run of
   * `samples` sales per entry, in increasing order (extra subscribers are added between runs).
   */
  subscribers: readonly number[];
  samples: number;
  /** Sales rung up before each run's timing starts: connections up, code paths warm. */
  warmUp: number;
  seed: number;
}

export interface LiveRun {
  subscribers: number;
  /** Milliseconds from the start of the commit to the sale being in the observer's replica. */
  latencies: number[];
  /** Bytes the extra subscribers received while sales were measured (proof they were served). */
  loadBytes: number;
}

/** A pause between sales, so each is measured on its own rather than queued behind the last. */
const GAP_MS = 20;
const TIMEOUT_MS = 30_000;

/** Measure `samples` sales from one till to another for each subscriber count of `c`. */
export async function liveLatency(c: LiveCase, log: (line: string) => void): Promise<LiveRun[]> {
  const fleet = await startFleet({
    dialect: c.dialect,
    tills: 2,
    instances: c.instances,
    seed: c.seed,
  });
  const opened: Till[] = [];
  const loads: SseLoad[] = [];
  try {
    const [sellerDevice, observerDevice] = fleet.tills;
    if (!sellerDevice || !observerDevice) throw new Error('the fleet has no tills');
    // The seller only pushes here; without a stream of its own it is no subscriber.
    const seller = await openBenchTill(fleet.credential(sellerDevice, 0), { live: false });
    opened.push(seller);
    await seller.syncNow();
    await seller.refreshStaff();
    if (!(await seller.signIn(fleet.shop.cashierId, '1234')))
      throw new Error('the cashier cannot sign in on the selling till');
    const observer = await openBenchTill(fleet.credential(observerDevice, c.instances - 1));
    opened.push(observer);
    await observer.syncNow();
    const arrivals = new Arrivals(observer);
    const observed = fleet.servers[c.instances - 1];
    if (!observed) throw new Error('no server to observe');

    const runs: LiveRun[] = [];
    let connected = 1;
    for (const subscribers of c.subscribers) {
      if (subscribers > connected) {
        loads.push(
          await SseLoad.open({
            url: observed.url,
            headers: syncHeaders(fleet.shop.ownerToken),
            count: subscribers - connected,
            after: await head(observed.url, fleet.shop.ownerToken),
          }),
        );
        connected = subscribers;
      }
      log(`live: ${subscribers} subscribers on ${c.dialect} (${c.instances} instance(s))`);
      for (let i = 0; i < c.warmUp; i++) await sellAndWait(fleet, seller, arrivals);
      const before = await loadBytes(loads);
      const latencies: number[] = [];
      for (let i = 0; i < c.samples; i++) {
        latencies.push(await sellAndWait(fleet, seller, arrivals));
        await new Promise((r) => setTimeout(r, GAP_MS));
      }
      const received = (await loadBytes(loads)) - before;
      if (subscribers > 1 && received === 0)
        throw new Error('the extra subscribers received nothing');
      runs.push({ subscribers, latencies, loadBytes: received });
    }
    arrivals.stop();
    return runs;
  } finally {
    for (const load of loads) await load.close();
    for (const till of opened) await till.close();
    await fleet.close();
  }
}

async function loadBytes(loads: readonly SseLoad[]): Promise<number> {
  let total = 0;
  for (const load of loads) total += await load.bytes();
  return total;
}

/** Ring up one sale of 1–3 lines on `seller`; resolves with ms until `arrivals` has it. */
async function sellAndWait(fleet: Fleet, seller: Till, arrivals: Arrivals): Promise<number> {
  const rng = fleet.shop.sim.rng;
  const lines = rng.int(1, 3);
  const items = new Map<string, number>();
  while (items.size < lines) {
    const productId = rng.pick(fleet.productIds);
    const unit = fleet.shop.sim.product(productId).unit;
    items.set(productId, unit === 'pc' ? rng.int(1, 3) : rng.int(1, 10) * 250);
  }
  const started = performance.now();
  const sale = await seller.commands.sell({
    items: [...items].map(([productId, qty]) => ({ productId, qty })),
    pay: rng.chance(0.6) ? 'cash' : 'upi',
  });
  const arrived = await arrivals.wait(sale.id, TIMEOUT_MS);
  return arrived - started;
}
