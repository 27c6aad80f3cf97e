/**
 * The whole topology with real processes: two tills → a shop server (SQLite) → a cloud of two
 * server processes on one Postgres ← the owner's phone on the second cloud instance. Every link
 * runs through a proxy that a random schedule (fast-check, fixed seed in CI) cuts and heals while
 * the tills sell (moving between the shop server and the cloud) and the owner restocks, and
 * processes are killed (SIGKILL) and restarted. After healing: no event lost, none duplicated,
 * each server's log gapless, the same books on every server and every replica, and a sale at the
 * shop reaches the phone on the other cloud instance through the live stream alone.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import {
  freshDatabase,
  LinkProxy,
  postgresAvailable,
  ServerProcess,
} from '@smartkirana/server/testing';
import { openTestTill } from './testing/index.ts';
import type { Till, TillCredential } from './till.ts';

const PIN = '246810';
const CASHIER_PIN = '1357';

type Link = 'till1' | 'till2' | 'upstream' | 'phone';
type Proc = 'shop' | 'cloudA' | 'cloudB';
type Step =
  | { kind: 'sell'; till: 0 | 1; qty: number }
  | { kind: 'restock' }
  | { kind: 'cut' | 'heal'; link: Link }
  | { kind: 'restart'; proc: Proc }
  | { kind: 'move'; till: 0 | 1 }
  | { kind: 'pause'; ms: number };

const LINKS: Link[] = ['till1', 'till2', 'upstream', 'phone'];
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('sell' as const),
      till: fc.constantFrom(0 as const, 1 as const),
      qty: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restock' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('cut' as const, 'heal' as const),
      link: fc.constantFrom(...LINKS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      till: fc.constantFrom(0 as const, 1 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('restart' as const),
      proc: fc.constantFrom('shop' as const, 'cloudA' as const, 'cloudB' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('pause' as const),
      ms: fc.integer({ min: 50, max: 400 }),
    }),
  },
);

interface Topology {
  shopId: string;
  ownerId: string;
  cashierId: string;
  ownerPhone: string;
  procs: Record<Proc, ServerProcess>;
  proxies: Record<Link | 'cloudA' | 'cloudB' | 'shop', LinkProxy>;
  tills: Till[];
  creds: TillCredential[];
  phone: Till;
  phoneCred: TillCredential;
  productId: string;
}

async function call<T>(url: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const { token, ...rest } = init;
  const res = await retrying(() =>
    fetch(url, {
      ...rest,
      headers: {
        'content-type': 'application/json',
        'x-smartkirana-protocol': '1',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    }),
  );
  const body = (await res.json()) as T;
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * A request of the test itself, retried when the connection drops: a pooled connection through a
 * proxy whose process was just killed fails once before the client notices.
 */
async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof TypeError) || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function login(base: string, phone: string): Promise<string> {
  return (
    await call<{ accessToken: string }>(`${base}/api/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ phone, password: 'correct horse battery' }),
    })
  ).accessToken;
}

/** Everything started, stopped in reverse order after the suite even if set-up failed midway. */
const cleanup: (() => Promise<unknown>)[] = [];

async function build(seed: number): Promise<Topology> {
  const db = await freshDatabase('postgres');
  cleanup.push(() => db.drop());
  const jwt = `topology-secret-${seed}-0123456789abcdefghijklmnop`;
  const cloudEnv = { DATABASE_URL: db.url, JWT_SECRET: jwt };
  const cloudA = new ServerProcess('cloud A', cloudEnv);
  const cloudB = new ServerProcess('cloud B', cloudEnv);
  cleanup.push(
    () => cloudA.kill(),
    () => cloudB.kill(),
  );
  await cloudA.start();
  await cloudB.start();
  const pa = await LinkProxy.start(cloudA.port);
  const pb = await LinkProxy.start(cloudB.port);
  const pp = await LinkProxy.start(cloudB.port);
  cleanup.push(
    () => pp.close(),
    () => pa.close(),
    () => pb.close(),
  );

  const ownerPhone = `9${String(seed).padStart(9, '0').slice(-9)}`;
  const session = await call<{ accessToken: string; shop: { id: string }; user: { id: string } }>(
    `${pa.url}/api/v1/auth/register`,
    {
      method: 'POST',
      body: JSON.stringify({
        shopName: 'Topology Kirana',
        stateCode: '27',
        ownerName: 'Owner',
        phone: ownerPhone,
        password: 'correct horse battery',
      }),
    },
  );
  const token = session.accessToken;
  const shopId = session.shop.id;
  const ownerId = session.user.id;
  await call(`${pa.url}/api/v1/staff/${ownerId}/pin`, {
    method: 'PUT',
    token,
    body: JSON.stringify({ pin: PIN }),
  });
  const cashier = await call<{ userId: string }>(`${pa.url}/api/v1/staff`, {
    method: 'POST',
    token,
    body: JSON.stringify({
      name: 'Cashier',
      phone: `8${ownerPhone.slice(1)}`,
      role: 'cashier',
      pin: CASHIER_PIN,
    }),
  });
  const enroll = (name: string, kind: string) =>
    call<{ deviceId: string; code: string; secret: string }>(`${pa.url}/api/v1/devices`, {
      method: 'POST',
      token,
      body: JSON.stringify({ name, kind }),
    });
  const box = await enroll('Shop box', 'server');
  const t1 = await enroll('Counter 1', 'till');
  const t2 = await enroll('Counter 2', 'till');
  const ph = await enroll("Owner's phone", 'phone');

  const pu = await LinkProxy.start(pa.port);
  cleanup.push(() => pu.close());
  const shopDb = await freshDatabase('sqlite');
  cleanup.push(() => shopDb.drop());
  const shop = new ServerProcess('shop server', {
    DATABASE_URL: shopDb.url,
    JWT_SECRET: `${jwt}-shop`,
    UPSTREAM_URL: pu.url,
    UPSTREAM_DEVICE_ID: box.deviceId,
    UPSTREAM_SECRET: box.secret,
    UPSTREAM_INTERVAL_MS: '300',
  });
  cleanup.push(() => shop.kill());
  await shop.start();
  const ps = await LinkProxy.start(shop.port);
  const p1 = await LinkProxy.start(shop.port);
  const p2 = await LinkProxy.start(shop.port);
  cleanup.push(
    () => ps.close(),
    () => p1.close(),
    () => p2.close(),
  );

  // The shop server comes up with the shop's people and devices from the cloud.
  await eventually(async () => {
    await login(ps.url, ownerPhone);
  }, 'the shop server to link');

  const cred = (url: string, d: { deviceId: string; code: string; secret: string }) => ({
    serverUrl: url,
    shopId,
    deviceId: d.deviceId,
    code: d.code,
    secret: d.secret,
  });
  const creds = [cred(p1.url, t1), cred(p2.url, t2)];
  const phoneCred = cred(pp.url, ph);
  const tills: Till[] = [];
  for (const c of creds) tills.push(await openTestTill(c, { retryMs: 100 }));
  const phone = await openTestTill(phoneCred, { retryMs: 100 });
  for (const t of [...tills, phone]) cleanup.push(() => t.close());
  for (const t of tills) await signIn(t, cashier.userId, CASHIER_PIN);
  await signIn(phone, ownerId, PIN);

  // The owner sets up a product on the phone (at the cloud); it reaches the tills via the shop.
  const productId = crypto.randomUUID();
  await phone.commands.record('v1.ProductCreated', {
    productId,
    ...(DEMO_PRODUCTS[1] as NonNullable<(typeof DEMO_PRODUCTS)[1]>),
  });
  await phone.commands.receiveStock([{ productId, qty: 50, unitCost: 9000 }]);
  await phone.syncNow();
  for (const t of tills)
    await eventually(async () => {
      await t.syncNow();
      if (!t.projection.timelines.has(productId)) throw new Error('product not yet here');
    }, 'the product to reach the tills');

  return {
    shopId,
    ownerId,
    cashierId: cashier.userId,
    ownerPhone,
    procs: { shop, cloudA, cloudB },
    proxies: { till1: p1, till2: p2, upstream: pu, phone: pp, cloudA: pa, cloudB: pb, shop: ps },
    tills,
    creds,
    phone,
    phoneCred,
    productId,
  };
}

async function signIn(t: Till, userId: string, pin: string): Promise<void> {
  await eventually(async () => {
    // Offline (a cut link) the till signs in from the staff it already holds.
    await t.refreshStaff().catch(() => undefined);
    if (!(await t.signIn(userId, pin))) throw new Error('sign-in refused');
  }, 'staff to reach the till');
}

/** Retry `work` until it succeeds; fail with its last error after `seconds`. */
async function eventually(work: () => Promise<void>, what: string, seconds = 30): Promise<void> {
  const until = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < until) {
    try {
      await work();
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(
    `waited ${seconds} s for ${what}: ${last instanceof Error ? last.message : String(last)}`,
  );
}

/** A till's sync, failing with its status instead of hanging if it does not settle in time. */
async function syncWithin(t: Till, seconds: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      t.syncNow(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void t.status().then((st) => {
            reject(new Error(`sync did not settle in ${seconds} s: ${JSON.stringify(st)}`));
          });
        }, seconds * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every event id of a server's log, read by pulling with a user token. */
async function logOf(base: string, token: string): Promise<{ ids: string[]; head: number }> {
  const ids: string[] = [];
  let after = 0;
  for (;;) {
    const page = await call<{
      documents: { id: string }[];
      checkpoint: { seq: number };
      hasMore: boolean;
    }>(`${base}/sync/v1/pull?after=${after}&limit=5000`, { token });
    ids.push(...page.documents.map((d) => d.id));
    after = page.checkpoint.seq;
    if (!page.hasMore) return { ids, head: after };
  }
}

async function restart(top: Topology, proc: Proc): Promise<void> {
  const p = top.procs[proc];
  await p.kill('SIGKILL');
  const port = await p.start();
  const targets: (keyof Topology['proxies'])[] =
    proc === 'shop'
      ? ['till1', 'till2', 'shop']
      : proc === 'cloudA'
        ? ['upstream', 'cloudA']
        : ['phone', 'cloudB'];
  for (const t of targets) top.proxies[t].retarget(port);
}

async function run(top: Topology, steps: Step[]): Promise<Set<string>> {
  const made = new Set<string>();
  for (const step of steps) {
    if (process.env.TOPOLOGY_TRACE) process.stderr.write(`STEP ${JSON.stringify(step)}\n`);
    switch (step.kind) {
      case 'sell': {
        const till = top.tills[step.till] as Till;
        const stock = till.projection.timeline(top.productId).state.qty;
        const sale = await till.commands.sell({
          items: [{ productId: top.productId, qty: Math.max(1, Math.min(step.qty, stock)) }],
          pay: 'cash',
        });
        made.add(sale.id);
        break;
      }
      case 'restock':
        await top.phone.commands.receiveStock([
          { productId: top.productId, qty: 5, unitCost: 9000 },
        ]);
        break;
      case 'cut':
        top.proxies[step.link].cut();
        break;
      case 'heal':
        top.proxies[step.link].heal();
        break;
      case 'restart':
        await restart(top, step.proc);
        break;
      case 'move': {
        // The till now syncs with the cloud instead of the shop server, or back: same replica.
        const i = step.till;
        const cred = top.creds[i] as TillCredential;
        const home = i === 0 ? top.proxies.till1.url : top.proxies.till2.url;
        const moved = {
          ...cred,
          serverUrl: cred.serverUrl === home ? top.proxies.cloudA.url : home,
        };
        await (top.tills[i] as Till).close();
        top.creds[i] = moved;
        const till = await openTestTill(moved, { retryMs: 100 });
        cleanup.push(() => till.close());
        top.tills[i] = till;
        await signIn(till, top.cashierId, CASHIER_PIN);
        break;
      }
      case 'pause':
        await new Promise((r) => setTimeout(r, step.ms));
        break;
    }
  }
  return made;
}

async function expectConverged(top: Topology, made: Set<string>): Promise<void> {
  for (const link of LINKS) top.proxies[link].heal();
  const { proxies } = top;
  const ownerAt = {
    shop: await login(proxies.shop.url, top.ownerPhone),
    cloudA: await login(proxies.cloudA.url, top.ownerPhone),
    cloudB: await login(proxies.cloudB.url, top.ownerPhone),
  };
  const replicas = [...top.tills, top.phone];
  await eventually(
    async () => {
      for (const t of replicas) await syncWithin(t, 10);
      const [shop, a, b] = await Promise.all([
        logOf(proxies.shop.url, ownerAt.shop),
        logOf(proxies.cloudA.url, ownerAt.cloudA),
        logOf(proxies.cloudB.url, ownerAt.cloudB),
      ]);
      const want = [...shop.ids].sort();
      if (JSON.stringify([...a.ids].sort()) !== JSON.stringify(want))
        throw new Error(`cloud has ${a.ids.length} events, shop server ${shop.ids.length}`);
      if (JSON.stringify([...b.ids].sort()) !== JSON.stringify(want))
        throw new Error('cloud instances disagree');
      for (const t of replicas) {
        if ((await t.unsynced()).length > 0) throw new Error('a replica still has unsynced events');
        if (t.projection.size !== want.length)
          throw new Error(`a replica holds ${t.projection.size} of ${want.length} events`);
      }
    },
    'every server and replica to agree',
    90,
  );

  const shop = await logOf(proxies.shop.url, ownerAt.shop);
  const cloud = await logOf(proxies.cloudA.url, ownerAt.cloudA);
  for (const log of [shop, cloud]) {
    // Exactly once, and each server numbers its log without gaps.
    expect(new Set(log.ids).size).toBe(log.ids.length);
    expect(log.head).toBe(log.ids.length);
  }
  for (const id of made) expect(shop.ids).toContain(id);

  const books = async (base: string, token: string) => ({
    trial: await call<unknown>(`${base}/api/v1/reports/trial-balance`, { token }),
    stock: await call<unknown>(`${base}/api/v1/inventory`, { token }),
  });
  const atShop = await books(proxies.shop.url, ownerAt.shop);
  expect(await books(proxies.cloudA.url, ownerAt.cloudA)).toEqual(atShop);
  expect(await books(proxies.cloudB.url, ownerAt.cloudB)).toEqual(atShop);
  const snapshot = snapshotProjection(top.phone.projection);
  for (const t of top.tills) expect(snapshotProjection(t.projection)).toEqual(snapshot);
}

const pg = await postgresAvailable();

describe.runIf(pg)('topology: tills → shop server → two cloud instances ← owner phone', () => {
  let top: Topology;
  beforeAll(async () => {
    top = await build(Number(process.env.TOPOLOGY_SEED ?? 20261122));
  }, 120_000);
  afterAll(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  it('a sale at the shop reaches the phone on the other cloud instance by the live stream', async () => {
    const till = top.tills[0] as Till;
    const sale = await till.commands.sell({
      items: [{ productId: top.productId, qty: 1 }],
      pay: 'upi',
    });
    // No syncNow on the phone: only its live stream (cloud B, woken by cloud A over Postgres).
    await eventually(
      () =>
        top.phone.projection.sales.has(sale.id)
          ? Promise.resolve()
          : Promise.reject(new Error('not on the phone yet')),
      'the sale to reach the phone',
      30,
    );
  }, 60_000);

  it('converges exactly once under random link cuts, process kills and tills moving', async ({
    onTestFailed,
  }) => {
    onTestFailed(() => {
      for (const [name, proxy] of Object.entries(top.proxies))
        process.stderr.write(`proxy ${name}: ${proxy.describe()}\n`);
      for (const p of Object.values(top.procs))
        process.stderr.write(
          `--- ${p.name} (${p.running ? `running on ${p.port}` : 'stopped'}):\n${p.output.slice(-30).join('')}\n`,
        );
    });
    const made = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 8, maxLength: 20 }), async (steps) => {
        const started = Date.now();
        for (const id of await run(top, steps)) made.add(id);
        await expectConverged(top, made);
        const count = (k: Step['kind']) => steps.filter((s) => s.kind === k).length;
        const moves = count('move');
        process.stdout.write(
          `topology run: ${steps.length} steps (${count('sell')} sales, ${count('cut')} cuts, ${count('restart')} kills, ${moves} till moves), ${made.size} sales so far, converged in ${Date.now() - started} ms\n`,
        );
      }),
      { numRuns: Number(process.env.TOPOLOGY_RUNS ?? 3), endOnFailure: true },
    );
  }, 600_000);
});
