/**
 * The change feed across server processes: two servers on one Postgres database wake each other's
 * live streams through LISTEN/NOTIFY, ingest through both keeps the log gapless, and a dropped
 * listening connection comes back. On SQLite the feed stays in-process.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@smartkirana/domain/events';
import { signAccessToken } from './auth/tokens.ts';
import { createChangeFeed, LocalChangeFeed, PgChangeFeed } from './change-feed.ts';
import { loadConfig } from './config.ts';
import { connect, type Db } from './db/connect.ts';
import { createLogger } from './logger.ts';
import { startServer, type RunningServer } from './server.ts';
import { enrollDevice } from './shops.ts';
import {
  createTestShop,
  dialects,
  pushRequest,
  startTestServer,
  syncHeaders,
  type TestServer,
  type TestShop,
} from './testing/index.ts';

// Under CI an unreachable Postgres makes `dialects()` throw, so this file fails instead of skipping.
const onPostgres = (await dialects()).includes('postgres');

/** Failure bound for things that should happen promptly; never a performance assertion. */
const PATIENCE_MS = 10_000;

interface PushResponse {
  results: { id: string; status: string; seq?: number }[];
  checkpoint: { seq: number };
}

async function push(
  server: RunningServer,
  token: string,
  events: readonly DomainEvent[],
): Promise<PushResponse> {
  const res = await fetch(
    `${server.url}/sync/v1/push`,
    pushRequest(
      token,
      events.map((e) => ({ ...e, _deleted: false })),
    ),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as PushResponse;
}

/** A second server process on the same database as `first`, sharing its JWT secret. */
async function startPeer(first: TestServer): Promise<RunningServer & { logs: string[] }> {
  const logs: string[] = [];
  const secret = first.services.config.JWT_SECRET;
  if (!secret) throw new Error('the test server has no JWT secret');
  const server = await startServer(
    loadConfig({
      DATABASE_URL: first.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: secret,
      OTP_SENDER: 'memory',
    }),
    { log: createLogger('debug', (line) => logs.push(line)) },
  );
  return Object.assign(server, { logs });
}

/** An open live stream; `until` waits for text to appear on it. */
async function openStream(server: RunningServer, token: string, after: number) {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/sync/v1/stream?after=${after}`, {
    headers: syncHeaders(token),
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  if (!res.body) throw new Error('no stream');
  const chunks = (res.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  let text = '';
  const until = async (needle: string): Promise<void> => {
    const deadline = Date.now() + PATIENCE_MS;
    while (!text.includes(needle)) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`"${needle}" did not arrive on the stream`)),
          Math.max(0, deadline - Date.now()),
        );
      });
      try {
        const next = await Promise.race([chunks.next(), timeout]);
        if (next.done === true) throw new Error(`stream ended before "${needle}"`);
        text += decoder.decode(next.value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  };
  return { until, close: () => controller.abort() };
}

/** Backends of this database that have run LISTEN and are idle (the listen is in place). */
async function listeningBackends(db: Db): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity
     where datname = current_database() and state = 'idle' and query like 'LISTEN%'
     order by pid`.execute(db.db);
  return rows.map((r) => r.pid);
}

async function run(db: Db, text: string): Promise<void> {
  await sql.raw(text).execute(db.db);
}

async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The shop's log as stored: every sequence number and event id. */
async function storedLog(db: Db, shopId: string) {
  return db.db
    .selectFrom('events')
    .select(['seq', 'id'])
    .where('shop_id', '=', shopId)
    .orderBy('seq')
    .execute();
}

/** Enroll another till of the shop: its simulated device and a token. */
async function addTill(server: RunningServer, shop: TestShop, name: string) {
  const till = await enrollDevice(server.services, shop.shopId, shop.ownerId, {
    name,
    kind: 'till',
  });
  const token = await signAccessToken(server.services.jwtKey, {
    typ: 'device',
    sub: till.deviceId,
    shop: shop.shopId,
  });
  const sim = shop.sim.addDevice(till.code, { deviceId: till.deviceId, actorId: shop.ownerId });
  return { token, sim };
}

describe('change feed on sqlite', () => {
  it('stays in-process', async () => {
    const db = await connect(':memory:');
    try {
      const feed = createChangeFeed(db);
      expect(feed).toBeInstanceOf(LocalChangeFeed);
      const seen: number[] = [];
      const unsubscribe = feed.subscribe('shop', (seq) => seen.push(seq));
      feed.publish('shop', 3);
      feed.publish('other', 4);
      unsubscribe();
      feed.publish('shop', 5);
      expect(seen).toEqual([3]);
      await feed.close();
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!onPostgres)('change feed across two servers on postgres', () => {
  let a: TestServer;
  let b: RunningServer & { logs: string[] };
  let shop: TestShop;
  beforeAll(async () => {
    a = await startTestServer('postgres');
    b = await startPeer(a);
    shop = await createTestShop(a);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('uses LISTEN/NOTIFY on postgres', () => {
    expect(a.services.feed).toBeInstanceOf(PgChangeFeed);
    expect(b.services.feed).toBeInstanceOf(PgChangeFeed);
  });

  it('an event pushed through one server arrives on a live stream of the other', async () => {
    const start = (await storedLog(a.services.db, shop.shopId)).length;
    const stream = await openStream(b, shop.till.token, start);
    try {
      await stream.until('RESYNC');
      // Only B has a live stream, so only B listens; wait until its LISTEN is in place.
      await eventually('B listening', async () =>
        (await listeningBackends(a.services.db)).length === 1 ? true : undefined,
      );
      shop.tillSim.actorId = shop.ownerId;
      const e = shop.tillSim.emit('v1.StaffClockedIn', { userId: shop.ownerId });
      const { results } = await push(a, shop.till.token, [e]);
      expect(results[0]?.status).toBe('accepted');
      await stream.until(e.id);
    } finally {
      stream.close();
    }
  });

  it('concurrent pushes through both servers get gapless, unique sequence numbers', async () => {
    const other = await createTestShop(a, { seed: 7 });
    const tills = [
      { sim: other.tillSim, token: other.till.token },
      await addTill(a, other, 'Counter 2'),
    ];
    const before = (await storedLog(a.services.db, other.shopId)).length;
    const pushes: Promise<PushResponse>[] = [];
    const pushed: string[] = [];
    for (let i = 0; i < 50; i++) {
      // Each till pushes through both servers, alternately.
      for (const [server, till] of [
        [i % 2 === 0 ? a : b, tills[0]],
        [i % 2 === 0 ? b : a, tills[1]],
      ] as const) {
        if (!till) throw new Error('no till');
        const e = till.sim.emit('v1.StaffClockedIn', { userId: other.ownerId });
        pushed.push(e.id);
        pushes.push(push(server, till.token, [e]));
      }
    }
    const responses = await Promise.all(pushes);
    expect(responses.flatMap((r) => r.results.map((x) => x.status))).toEqual(
      pushed.map(() => 'accepted'),
    );
    const log = await storedLog(b.services.db, other.shopId);
    expect(log.map((r) => r.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log).toHaveLength(before + 100);
    expect(new Set(log.map((r) => r.id)).size).toBe(log.length);
    expect(new Set(log.map((r) => r.id))).toEqual(
      new Set([...log.slice(0, before).map((r) => r.id), ...pushed]),
    );
  });

  it('listens again after the listening connection is killed, and later events still arrive', async () => {
    const start = (await storedLog(a.services.db, shop.shopId)).length;
    const stream = await openStream(b, shop.till.token, start);
    try {
      await stream.until('RESYNC');
      const [old] = await eventually('B listening', async () => {
        const pids = await listeningBackends(a.services.db);
        return pids.length === 1 ? pids : undefined;
      });
      await run(a.services.db, `select pg_terminate_backend(${String(old)})`);
      await eventually('B listening again', async () => {
        const pids = await listeningBackends(a.services.db);
        return pids.length === 1 && pids[0] !== old ? true : undefined;
      });
      expect(b.logs.some((l) => l.includes('listening connection lost'))).toBe(true);
      shop.tillSim.actorId = shop.ownerId;
      const e = shop.tillSim.emit('v1.StaffClockedIn', { userId: shop.ownerId });
      await push(a, shop.till.token, [e]);
      await stream.until(e.id);
    } finally {
      stream.close();
    }
  });
});

describe.skipIf(!onPostgres)('postgres change feed on its own', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgres');
  });
  afterAll(async () => {
    await server.close();
  });

  it('wakes subscribers once it listens again, and stops for good on close', async () => {
    const db = await connect(server.databaseUrl, { migrate: false });
    const warnings: string[] = [];
    const feed = new PgChangeFeed(db, {
      retryMinMs: 500,
      log: { info: () => undefined, warn: (msg) => warnings.push(msg) },
    });
    try {
      const shop = await createTestShop(server);
      const { seq } = await db.db
        .selectFrom('shops')
        .select('seq')
        .where('id', '=', shop.shopId)
        .executeTakeFirstOrThrow();
      // A shop nobody publishes for counts the feed's own wake-ups exactly.
      const quiet = randomUUID();
      const seen: number[] = [];
      const seenQuiet: number[] = [];
      feed.subscribe(shop.shopId, (n) => seen.push(n));
      feed.subscribe(quiet, (n) => seenQuiet.push(n));
      const [first] = await eventually('listening', async () => {
        const pids = await listeningBackends(db);
        return pids.length === 1 ? pids : undefined;
      });
      await eventually('first wake-up', () => (seenQuiet.length === 1 ? true : undefined));
      // A wake-up carries the shop's current sequence (0 for a shop without events).
      expect(seenQuiet).toEqual([0]);
      expect(seen).toContain(seq);
      expect(seen.every((n) => n === seq)).toBe(true);

      await run(db, `select pg_terminate_backend(${String(first)})`);
      await eventually('wake-up after listening again', () =>
        seenQuiet.length === 2 ? true : undefined,
      );
      expect(warnings).toContain('change feed: listening connection lost; retrying');
      // A notification from elsewhere reaches the subscriber through the new connection.
      await run(db, `select pg_notify('smartkirana_events', '${quiet}:7')`);
      await eventually('notification', () => (seenQuiet.includes(7) ? true : undefined));

      const [second] = await listeningBackends(db);
      expect(second).not.toBe(first);
      await run(db, `select pg_terminate_backend(${String(second)})`);
      await eventually('connection gone', async () =>
        (await listeningBackends(db)).length === 0 ? true : undefined,
      );
      await feed.close();
      // Well past the retry wait: once closed, the feed does not listen again.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await listeningBackends(db)).toEqual([]);
      expect(seenQuiet.slice(0, 3)).toEqual([0, 0, 7]);
    } finally {
      await feed.close();
      await db.close();
    }
  });
});
