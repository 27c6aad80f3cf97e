/**
 * The server side of the benchmarks, over real HTTP on loopback: push a shop's events to a fresh
 * server in sequential batches (dedupe, validation, permission checks and derivation included),
 * and pull the shop's log back page by page.
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import type { DialectName } from '@smartkirana/server/db/connect';
import {
  createTestShop,
  pushRequest,
  startTestServer,
  syncHeaders,
  type TestServer,
  type TestShop,
} from '@smartkirana/server/testing';
import { batches, buildWorkload, type Workload } from './workload.ts';

export interface IngestRun {
  server: TestServer;
  shop: TestShop;
  workload: Workload;
  /** Events per second over the timed pushes. */
  rate: number;
}

interface PushResponse {
  results: { id: string; status: string }[];
}

/** Start a server, set up a shop and its catalogue, then time pushing the sales. */
export async function ingestOverHttp(opts: {
  dialect: DialectName;
  synchronous: 'NORMAL' | 'FULL';
  batch: number;
  sales: number;
  products: number;
  seed: number;
}): Promise<IngestRun> {
  const server = await startTestServer(opts.dialect, {
    PUSH_RATE_PER_MINUTE: '1000000',
    SQLITE_SYNCHRONOUS: opts.synchronous,
  });
  try {
    const shop = await createTestShop(server, { seed: opts.seed });
    const workload = buildWorkload(shop.tillSim, { products: opts.products, sales: opts.sales });
    for (const chunk of batches(workload.setup, 100)) await push(server, shop, chunk);
    const chunks = batches(workload.sales, opts.batch);
    const started = performance.now();
    for (const chunk of chunks) await push(server, shop, chunk);
    const seconds = (performance.now() - started) / 1000;
    return { server, shop, workload, rate: workload.sales.length / seconds };
  } catch (err) {
    await server.close();
    throw err;
  }
}

async function push(server: TestServer, shop: TestShop, events: readonly DomainEvent[]) {
  const res = await fetch(`${server.url}/sync/v1/push`, pushRequest(shop.till.token, events));
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as PushResponse;
  const refused = body.results.filter((r) => r.status !== 'accepted');
  if (refused.length > 0)
    throw new Error(`push did not accept ${refused.length} events: ${JSON.stringify(refused[0])}`);
}

/**
 * Pull the whole log with pages of `limit`, `rounds` times; the median round's events
 * per second.
 * The client reads each page as text and takes the checkpoint from its tail, so the figure is
 * what the server serves rather than how fast this process parses JSON.
 */
export async function pullOverHttp(
  server: TestServer,
  shop: TestShop,
  opts: { limit: number; rounds: number },
): Promise<{ rate: number; events: number }> {
  const rates: number[] = [];
  let events = 0;
  for (let round = 0; round < opts.rounds; round++) {
    let after = 0;
    const started = performance.now();
    for (;;) {
      const res = await fetch(`${server.url}/sync/v1/pull?after=${after}&limit=${opts.limit}`, {
        headers: syncHeaders(shop.till.token),
      });
      if (res.status !== 200) throw new Error(`pull answered ${res.status}`);
      const page = tail(await res.text());
      after = page.seq;
      if (!page.hasMore) break;
    }
    const seconds = (performance.now() - started) / 1000;
    events = after;
    rates.push(after / seconds);
  }
  rates.sort((a, b) => a - b);
  return { rate: rates[Math.floor(rates.length / 2)] ?? 0, events };
}

const TAIL =
  /"checkpoint":\{"seq":(\d+)(?:,"log":"[^"]*")?\},"hasMore":(true|false)(?:,"head":\d+)?\}$/;

function tail(text: string): { seq: number; hasMore: boolean } {
  const m = TAIL.exec(text.slice(-200));
  if (!m) throw new Error(`unexpected pull page ending ${text.slice(-200)}`);
  return { seq: Number(m[1]), hasMore: m[2] === 'true' };
}
