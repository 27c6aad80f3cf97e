/**
 * The server side of the benchmarks, over real HTTP on loopback: push a shop's events to a fresh
 * server in sequential batches (dedupe, validation, permission checks and derivation included),
 * and pull the shop's log back page by page.
 *
 * The server under test is a real `smartkirana serve` process, as in a shop: it has a core of its
 * own, and the till side of the benchmark (this process: building requests, `fetch`, reading
 * answers) runs on the other core. Request bodies are serialised before timing starts, as a till
 * would have them ready.
 */
import { randomBytes } from 'node:crypto';
import type { DomainEvent } from '@smartkirana/domain/events';
import type { DialectName } from '@smartkirana/server/db/connect';
import {
  createTestShop,
  freshDatabase,
  pushRequest,
  ServerProcess,
  startTestServer,
  syncHeaders,
  type TestShop,
} from '@smartkirana/server/testing';
import { batches, buildWorkload, type Workload } from './workload.ts';

/** A server process on a fresh database, and how to stop it and drop the database. */
export interface BenchServer {
  url: string;
  process: ServerProcess;
  close(): Promise<void>;
}

export interface IngestRun {
  server: BenchServer;
  shop: TestShop;
  workload: Workload;
  /** Events per second over the timed pushes. */
  rate: number;
}

/**
 * A fresh database with one shop (owner, till, cashier) made in this process, then served by a
 * real server process sharing the JWT secret, so the shop's tokens are valid there.
 */
export async function startBenchServer(
  dialect: DialectName,
  env: Record<string, string>,
  seed: number,
): Promise<{ server: BenchServer; shop: TestShop }> {
  const { url: databaseUrl, drop } = await freshDatabase(dialect);
  const JWT_SECRET = randomBytes(32).toString('hex');
  const setup = await startTestServer(dialect, { ...env, JWT_SECRET }, { databaseUrl });
  let shop: TestShop;
  try {
    shop = await createTestShop(setup, { seed });
  } finally {
    await setup.close();
  }
  const process = new ServerProcess(
    `bench ${dialect}`,
    { ...env, DATABASE_URL: databaseUrl, JWT_SECRET, OTP_SENDER: 'memory', LOG_LEVEL: 'info' },
    // `BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` profiles the servers.
    (globalThis.process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  try {
    await process.start();
  } catch (err) {
    await drop();
    throw err;
  }
  const server: BenchServer = {
    url: `http://127.0.0.1:${process.port}`,
    process,
    async close() {
      await process.kill('SIGTERM');
      await drop();
    },
  };
  return { server, shop };
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
  /** Sales pushed before timing starts, to warm the server process's JIT (not counted). */
  warm: number;
}): Promise<IngestRun> {
  const { server, shop } = await startBenchServer(
    opts.dialect,
    { PUSH_RATE_PER_MINUTE: '1000000', SQLITE_SYNCHRONOUS: opts.synchronous },
    opts.seed,
  );
  try {
    const all = buildWorkload(shop.tillSim, {
      products: opts.products,
      sales: opts.warm + opts.sales,
    });
    const workload = { setup: all.setup, sales: all.sales.slice(opts.warm) };
    for (const chunk of batches(all.setup, 100)) await push(server, shop, chunk);
    for (const chunk of batches(all.sales.slice(0, opts.warm), 100))
      await push(server, shop, chunk);
    const requests = batches(workload.sales, opts.batch).map((chunk) =>
      pushRequest(shop.till.token, chunk),
    );
    const started = performance.now();
    for (const request of requests) await send(server, request);
    const seconds = (performance.now() - started) / 1000;
    return { server, shop, workload, rate: workload.sales.length / seconds };
  } catch (err) {
    await server.close();
    throw err;
  }
}

function push(server: BenchServer, shop: TestShop, events: readonly DomainEvent[]) {
  return send(server, pushRequest(shop.till.token, events));
}

async function send(server: BenchServer, request: RequestInit) {
  const res = await fetch(`${server.url}/sync/v1/push`, request);
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
  server: BenchServer,
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
