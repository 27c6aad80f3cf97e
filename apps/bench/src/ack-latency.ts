/**
 * Ack latency: how long a till waits for the server's answer to a push while many tills push at
 * once. Each till is an enrolled device with a simulated till (its own device sequence and invoice
 * series) and sends its sales as a till's replication would: whatever it has rung up since its
 * last push, here 1–10 sales a push. Every till pushes back to back (the next push as soon as the
 * last is answered), so the server always has one request from each till in flight: a busy
 * moment, not a quiet one. Request bodies are built before timing starts.
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import { pushRequest } from '@smartkirana/server/testing';
import { nextSale, sendPush, type Fleet, type FleetServer, type FleetTill } from './fleet.ts';

export interface AckRun {
  /** Round trip of each timed push, ms. */
  latencies: number[];
  /** Sales acknowledged per second over the timed pushes. */
  rate: number;
}

/** Pushes per till before timing starts (connections opened, server code warm). */
const WARM_UP = 3;

/** Every till of `fleet` pushes `pushes` times at once with the others; time every round trip. */
export async function ackLatency(fleet: Fleet, pushes: number): Promise<AckRun> {
  const url = (fleet.servers[0] as FleetServer).url;
  const rng = fleet.shop.sim.rng;
  // Sales are rung up round the tills, so simulated time moves on for all of them together.
  const plans = fleet.tills.map(() => ({ warm: [] as RequestInit[], timed: [] as RequestInit[] }));
  let events = 0;
  for (let round = 0; round < WARM_UP + pushes; round++) {
    for (const [i, till] of fleet.tills.entries()) {
      const batch = sales(till, fleet.productIds, rng.int(1, 10));
      const plan = plans[i] as (typeof plans)[number];
      if (round < WARM_UP) plan.warm.push(pushRequest(till.token, batch));
      else {
        plan.timed.push(pushRequest(till.token, batch));
        events += batch.length;
      }
    }
  }
  await Promise.all(plans.map(async (p) => sequentially(url, p.warm, [])));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(plans.map(async (p) => sequentially(url, p.timed, latencies)));
  const seconds = (performance.now() - started) / 1000;
  return { latencies, rate: events / seconds };
}

function sales(till: FleetTill, productIds: readonly string[], count: number): DomainEvent[] {
  return Array.from({ length: count }, () => nextSale(till.sim, productIds));
}

/** Send one till's pushes one after another, adding each round trip to `latencies`. */
async function sequentially(url: string, requests: RequestInit[], latencies: number[]) {
  for (const request of requests) {
    const started = performance.now();
    await sendPush(url, request);
    latencies.push(performance.now() - started);
  }
}
