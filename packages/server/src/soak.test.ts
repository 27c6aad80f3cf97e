/**
 * A bounded soak: a real server process on SQLite serves 5 simulated tills, each pushing a batch of
 * sales and pulling the shop's log on a fixed schedule (4 rounds a second) for `SOAK_SECONDS` (20 by
 * default; set it higher to soak longer locally). Every tenth round a till sends its previous push
 * again, as after a lost answer. Latencies are kept per time window; at the end of each window the
 * server is made to collect garbage (a SIGUSR2 handler loaded with `--expose-gc`) and reports its heap
 * and resident set.
 *
 * Asserted, none of it timing: no request failed; first pushes are accepted and repeats answered as
 * duplicates; every event is stored exactly once; every till pulled the whole log, each event once;
 * no error was logged; and the heap after a full collection grew by no more than the shop's
 * projection legitimately grew (the server keeps each shop's projection in memory and it grows with
 * every event; its cost for the same events is measured here by folding them), plus a slack.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { DeviceSim } from '@smartkirana/domain/testing';
import { signAccessToken } from './auth/tokens.ts';
import { enrollDevice } from './shops.ts';
import {
  createTestShop,
  freshDatabase,
  pushRequest,
  ServerProcess,
  startTestServer,
  syncHeaders,
} from './testing/index.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const TILLS = 5;
const ROUND_MS = 250;
const SALES_PER_PUSH = 5;
const RETRY_EVERY = 10;
const WINDOW_MS = Math.max(5_000, Math.round((SECONDS * 1000) / 8));
const WINDOWS = Math.floor((SECONDS * 1000) / WINDOW_MS);
const MiB = 1024 * 1024;
/** Heap growth allowed beyond the projection's own: what a full collection leaves behind. */
const SLACK = 8 * MiB;

/** Loaded into the server with `--import`: on SIGUSR2, a full collection, then heap and RSS. */
const PROBE = `data:text/javascript,${encodeURIComponent(
  'let n = 0; process.on("SIGUSR2", () => { globalThis.gc(); const m = process.memoryUsage(); ' +
    'process.stdout.write(`heap-probe ${++n} ${m.heapUsed} ${m.rss}\\n`); });',
)}`;

interface Till {
  token: string;
  sim: DeviceSim;
  /** Pull checkpoint, and every id pulled so far. */
  after: number;
  pulled: Set<string>;
}

interface Sample {
  heap: number;
  rss: number;
  /** Events the server had acknowledged when the sample was taken. */
  events: number;
}

describe('soak', () => {
  let server: ServerProcess;
  let databaseUrl: string;
  let drop: () => Promise<void>;
  let shopId: string;
  let owner: { token: string; sim: DeviceSim };
  const tills: Till[] = [];

  beforeAll(async () => {
    ({ url: databaseUrl, drop } = await freshDatabase('sqlite'));
    const JWT_SECRET = randomBytes(32).toString('hex');
    // The shop, its owner and tills are made in this process; the server process serves them.
    const setup = await startTestServer('sqlite', { JWT_SECRET }, { databaseUrl });
    try {
      const shop = await createTestShop(setup, { seed: 7 });
      shopId = shop.shopId;
      owner = { token: shop.till.token, sim: shop.tillSim };
      for (let i = 0; i < TILLS; i++) {
        const till = await enrollDevice(setup.services, shopId, shop.ownerId, {
          name: `Soak ${i + 1}`,
          kind: 'till',
        });
        const token = await signAccessToken(setup.services.jwtKey, {
          typ: 'device',
          sub: till.deviceId,
          shop: shopId,
        });
        const sim = shop.sim.addDevice(till.code, {
          deviceId: till.deviceId,
          actorId: shop.ownerId,
        });
        tills.push({ token, sim, after: 0, pulled: new Set() });
      }
    } finally {
      await setup.close();
    }
    server = new ServerProcess(
      'soak',
      { DATABASE_URL: databaseUrl, JWT_SECRET, OTP_SENDER: 'memory', LOG_LEVEL: 'warn' },
      ['--expose-gc', `--import=${PROBE}`],
    );
    await server.start();
  }, 60_000);
  afterAll(async () => {
    await server.kill('SIGTERM');
    await drop();
  });

  it(
    `${TILLS} tills push and pull for ${SECONDS} s: no errors, once, flat memory`,
    async () => {
      const load = new Load(`http://127.0.0.1:${server.port}`);
      const [leader] = tills;
      if (!leader) throw new Error('the soak has no till');

      // The owner's till rings in the catalogue and opening stock; every till has seen it.
      const catalogue: DomainEvent[] = [];
      const productIds: string[] = [];
      for (const [i, spec] of [...DEMO_PRODUCTS, ...DEMO_PRODUCTS, ...DEMO_PRODUCTS].entries()) {
        const created = owner.sim.createProduct({ ...spec, sku: `${spec.sku}-${i}` });
        catalogue.push(created);
        productIds.push(created.payload.productId);
      }
      catalogue.push(
        owner.sim.receiveStock(productIds.map((productId) => ({ productId, qty: 1_000_000 }))),
      );
      await load.push(owner.token, catalogue, 'accepted');
      for (const till of tills) till.sim.receive(catalogue);
      const baseline = await probeMemory(server, load.acknowledged);

      // Each till: a push and a pull every round on a fixed schedule (a late round runs at once).
      const samples: Sample[] = [];
      const rounds = Math.round((SECONDS * 1000) / ROUND_MS);
      const t0 = load.start();
      const runTill = async (till: Till, index: number) => {
        let previous: DomainEvent[] = [];
        for (let round = 0; round < rounds; round++) {
          const due = t0 + round * ROUND_MS + (index * ROUND_MS) / TILLS;
          if (due > Date.now()) await sleep(due - Date.now());
          if (round % RETRY_EVERY === RETRY_EVERY - 1) {
            await load.push(till.token, previous, 'duplicate');
          } else {
            previous = Array.from({ length: SALES_PER_PUSH }, () => sale(till.sim, productIds));
            await load.push(till.token, previous, 'accepted');
          }
          await load.pull(till);
        }
      };
      const monitor = async () => {
        for (let w = 1; w <= WINDOWS; w++) {
          await sleep(Math.max(0, t0 + w * WINDOW_MS - Date.now()));
          samples.push(await probeMemory(server, load.acknowledged));
        }
      };
      await Promise.all([...tills.map(runTill), monitor()]);
      const duration = load.stop();
      for (const till of tills) while ((await load.pull(till)) > 0);

      expect(load.errors).toEqual([]);
      const everyId = new Set(leader.pulled);
      for (const e of [...catalogue, ...load.pushed]) expect(everyId.has(e.id)).toBe(true);
      for (const till of tills) expect(till.pulled).toEqual(everyId);
      expect(server.output.join('')).not.toMatch(/"level":"error"/);

      // Every event is in the log exactly once, read from the database file itself.
      await server.kill('SIGTERM');
      const db = new SQLite(databaseUrl.slice('sqlite:'.length), { readonly: true });
      try {
        const counts = db
          .prepare('select id, count(*) as n from events where shop_id = ? group by id')
          .all(shopId) as { id: string; n: number }[];
        expect(counts.filter((c) => c.n !== 1)).toEqual([]);
        expect(new Set(counts.map((c) => c.id))).toEqual(everyId);
      } finally {
        db.close();
      }

      // The heap after a full collection, against what the projection of the events taken between
      // the first and last sample costs when folded here. The log starts with the shop's set-up,
      // made before the server started; then come the events pushed, in the order stored.
      const [first] = samples;
      const last = samples.at(-1);
      if (!first || !last) throw new Error('no memory samples were taken');
      const between = last.events - first.events;
      const firstAt = load.log.length - load.acknowledged + first.events;
      const projection = foldCost(load.log, firstAt, between);
      const growth = last.heap - first.heap;
      const mib = (b: number) => (b / MiB).toFixed(1);
      console.log(
        `soak: ${duration.toFixed(1)} s, ${TILLS} tills, ${load.requests()} requests, ` +
          `${load.pushed.length - catalogue.length} sales (${everyId.size} events in the log), ` +
          `errors ${load.errors.length}; first → last ${WINDOW_MS / 1000} s window: ${load.summary('push')}, ` +
          `${load.summary('pull')}; heap after GC ${mib(baseline.heap)} idle, ${mib(first.heap)} → ` +
          `${mib(last.heap)} MiB (+${mib(growth)}; the projection of the ${between} events between ` +
          `costs ${mib(projection)} MiB, ${(projection / Math.max(1, between) / 1024).toFixed(1)} KiB ` +
          `an event); RSS ${mib(baseline.rss)} idle, ${mib(first.rss)} → ${mib(last.rss)} MiB`,
      );
      expect(growth).toBeLessThanOrEqual(projection * 1.5 + SLACK);
      // The resident set also holds SQLite's cache and V8's spare pages: a looser bound.
      expect(last.rss - first.rss).toBeLessThanOrEqual(projection * 3 + 64 * MiB);
    },
    90_000 + SECONDS * 3_000,
  );
});

/** The requests of the soak: what was pushed, the first till's copy of the log, errors, latencies. */
class Load {
  readonly url: string;
  readonly errors: string[] = [];
  readonly pushed: DomainEvent[] = [];
  /** The shop's log as the first till to pull pulled it, in order. */
  readonly log: DomainEvent[] = [];
  #logger: Till | undefined;
  acknowledged = 0;
  readonly #latency = { push: [] as number[][], pull: [] as number[][] };
  #t0 = 0;
  #timing = false;

  constructor(url: string) {
    this.url = url;
  }

  /** Start the timed run: from now, latencies count in windows of `WINDOW_MS`. */
  start(): number {
    this.#t0 = Date.now();
    this.#timing = true;
    return this.#t0;
  }

  /** End the timed run; returns its seconds. */
  stop(): number {
    this.#timing = false;
    return (Date.now() - this.#t0) / 1000;
  }

  requests(): number {
    return this.#latency.push.flat().length + this.#latency.pull.flat().length;
  }

  /** Push `events`; each must be answered `expected`. */
  async push(token: string, events: readonly DomainEvent[], expected: 'accepted' | 'duplicate') {
    const body = await this.#call<{ results: { id: string; status: string }[] }>(
      'push',
      '/sync/v1/push',
      pushRequest(token, events),
    );
    if (!body) return;
    for (const r of body.results)
      if (r.status !== expected) this.errors.push(`push: ${r.id} ${r.status}, not ${expected}`);
    if (expected === 'accepted') {
      this.pushed.push(...events);
      this.acknowledged += events.length;
    }
  }

  /** One pull from the till's checkpoint; returns how many events it brought. */
  async pull(till: Till): Promise<number> {
    const body = await this.#call<{ documents: DomainEvent[]; checkpoint: { seq: number } }>(
      'pull',
      `/sync/v1/pull?after=${till.after}&limit=1000`,
      { headers: syncHeaders(till.token) },
    );
    if (!body) return 0;
    for (const d of body.documents) {
      if (till.pulled.has(d.id)) this.errors.push(`pull: ${d.id} served twice`);
      till.pulled.add(d.id);
    }
    this.#logger ??= till;
    if (till === this.#logger) this.log.push(...body.documents);
    till.after = body.checkpoint.seq;
    return body.documents.length;
  }

  /** p50/p99 of the first and last window, and p50 of every window. */
  summary(kind: 'push' | 'pull'): string {
    const ws = this.#latency[kind];
    const series = ws.map((w) => percentile(w, 50)).join('/');
    return (
      `${kind} p50/p99 ${percentile(ws[0], 50)}/${percentile(ws[0], 99)} → ` +
      `${percentile(ws.at(-1), 50)}/${percentile(ws.at(-1), 99)} ms (p50 by window ${series})`
    );
  }

  /** Send one request; its JSON answer, or undefined after recording an error. */
  async #call<T>(kind: 'push' | 'pull', path: string, init: RequestInit): Promise<T | undefined> {
    const started = performance.now();
    // A round that fell behind the schedule still counts in the last window.
    const window = Math.min(WINDOWS - 1, Math.floor((Date.now() - this.#t0) / WINDOW_MS));
    const timed = this.#timing;
    try {
      const res = await fetch(`${this.url}${path}`, init);
      const body = (await res.json()) as T;
      if (timed) (this.#latency[kind][window] ??= []).push(performance.now() - started);
      if (res.status === 200) return body;
      this.errors.push(`${kind} ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    } catch (err) {
      this.errors.push(`${kind}: ${String(err)}`);
    }
    return undefined;
  }
}

/** One bill on `sim`: 1–3 lines, pieces or loose goods 250 g / ml at a time, cash or UPI. */
function sale(sim: DeviceSim, productIds: readonly string[]): DomainEvent {
  const { rng } = sim.shop;
  const picked = [...new Set([0, 1, 2].map(() => rng.pick(productIds)))];
  const lines = picked.slice(0, rng.int(1, 3)).map((productId) => ({
    productId,
    qty: rng.int(1, 3) * (sim.shop.product(productId).unit === 'pc' ? 1 : 250),
  }));
  sim.shop.advance(rng.int(5_000, 60_000));
  return sim.sell(lines, { pay: rng.chance(0.6) ? 'cash' : 'upi' });
}

const probes = new WeakMap<ServerProcess, number>();

/** Make the server collect garbage and report its heap and RSS (the `PROBE` it was started with). */
async function probeMemory(server: ServerProcess, events: number): Promise<Sample> {
  const pid = server.pid;
  if (pid === undefined) throw new Error('the server is not running');
  const n = (probes.get(server) ?? 0) + 1;
  probes.set(server, n);
  process.kill(pid, 'SIGUSR2');
  const answer = new RegExp(`heap-probe ${n} (\\d+) (\\d+)\\n`);
  for (let i = 0; i < 200; i++) {
    const m = answer.exec(server.output.join(''));
    if (m) return { heap: Number(m[1]), rss: Number(m[2]), events };
    await sleep(50);
  }
  throw new Error(`the server did not answer memory probe ${n}`);
}

/**
 * Heap bytes a projection retains for `count` events of `log` from `from` on, having folded the ones
 * before: measured after full collections, folding copies (as the server folds events it parsed).
 */
function foldCost(log: readonly DomainEvent[], from: number, count: number): number {
  const gc = forcedGc();
  const p = new ShopProjection();
  p.apply(log.slice(0, from).map((e) => structuredClone(e)));
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const e of log.slice(from, from + count)) p.apply([structuredClone(e)]);
  gc();
  const after = process.memoryUsage().heapUsed;
  expect(p.size).toBe(Math.min(log.length, from + count));
  return Math.max(0, after - before);
}

/**
 * A full garbage collection in this process. Test workers run without `--expose-gc`; setting the
 * flag at run time exposes `gc` in contexts created afterwards (as Jest's leak detector does).
 */
function forcedGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function percentile(xs: readonly number[] | undefined, p: number): string {
  const sorted = [...(xs ?? [])].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return (sorted[at] ?? Number.NaN).toFixed(1);
}
