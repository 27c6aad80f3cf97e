/**
 * Test support for the server: start a real server on a fresh database of either dialect, and
 * set up a shop with an owner, a till and a cashier whose identities a `ShopSim` can emit as.
 * Under `CI=true` Postgres must be reachable: a missing Postgres fails rather than skips.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ShopSim, type DeviceSim } from '@smartkirana/domain/testing';
import { loadConfig } from '../config.ts';
import type { DialectName } from '../db/connect.ts';
import { createLogger } from '../logger.ts';
import { MemoryOtpSender } from '../auth/otp.ts';
import { signAccessToken } from '../auth/tokens.ts';
import { addStaff, createShop, enrollDevice } from '../shops.ts';
import { startServer, type RunningServer } from '../server.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../sync/protocol.ts';

/** The Postgres server tests use: `TEST_PG_URL`, else the machine's local cluster. */
export const PG_BASE_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgChecked: Promise<boolean> | undefined;

/** Whether Postgres answers; under CI an unreachable Postgres throws instead. */
export function postgresAvailable(): Promise<boolean> {
  pgChecked ??= (async () => {
    const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      if (process.env.CI === 'true')
        throw new Error(`Postgres is required under CI and is not reachable at ${PG_BASE_URL}`, {
          cause: err,
        });
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgChecked;
}

/** Dialects to run a suite against: SQLite always, Postgres when reachable (always under CI). */
export async function dialects(): Promise<DialectName[]> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestServer extends RunningServer {
  dialect: DialectName;
  databaseUrl: string;
  otp: MemoryOtpSender;
  logs: string[];
}

/**
 * Start a server on a fresh database; closing it drops the database. With `databaseUrl`, start on
 * that existing database instead (another instance, or a restart) and leave it in place on close.
 */
export async function startTestServer(
  dialect: DialectName,
  env: Record<string, string> = {},
  opts: { databaseUrl?: string } = {},
): Promise<TestServer> {
  const { url: databaseUrl, drop } =
    opts.databaseUrl !== undefined
      ? { url: opts.databaseUrl, drop: () => Promise.resolve() }
      : await freshDatabase(dialect);
  const logs: string[] = [];
  const otp = new MemoryOtpSender();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    JWT_SECRET: `test-secret-${randomUUID()}`,
    OTP_SENDER: 'memory',
    SQLITE_SYNCHRONOUS: 'NORMAL',
    ...env,
  });
  const server = await startServer(config, {
    otp,
    log: createLogger('debug', (line) => logs.push(line)),
  });
  const close = async (): Promise<void> => {
    await server.close();
    await drop();
  };
  return { ...server, dialect, databaseUrl, otp, logs, close, [Symbol.asyncDispose]: close };
}

/** A fresh, empty database of a dialect, and how to drop it. */
export async function freshDatabase(
  dialect: DialectName,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const file = join(tmpdir(), `sk-test-${randomUUID()}.db`);
    return {
      url: `sqlite:${file}`,
      drop: () => {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `sk_test_${randomUUID().replace(/-/g, '')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(PG_BASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

export { LinkProxy } from './proxy.ts';
export {
  ChaosProxy,
  type ChaosProxyOptions,
  type ChaosStats,
  type ChaosTap,
  type Fault,
  type ProxiedRequest,
} from './chaos-proxy.ts';
export { runCli, ServerProcess } from './process.ts';

export interface TestShop {
  shopId: string;
  ownerId: string;
  ownerToken: string;
  cashierId: string;
  cashierToken: string;
  till: { deviceId: string; code: string; secret: string; token: string };
  sim: ShopSim;
  /** The till as a simulated device; set `actorId` to switch who is signed in on it. */
  tillSim: DeviceSim;
}

/** Register a shop with an owner, enroll a till, add a cashier; tokens for all three. */
export async function createTestShop(
  server: RunningServer,
  opts: { phone?: string; seed?: number } = {},
): Promise<TestShop> {
  const s = server.services;
  const phone = opts.phone ?? `9${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const { shopId, ownerId } = await createShop(s, {
    name: 'Test Kirana',
    stateCode: '27',
    registration: 'regular',
    owner: { name: 'Owner', phone, password: 'correct horse' },
  });
  const till = await enrollDevice(s, shopId, ownerId, { name: 'Counter 1', kind: 'till' });
  const cashierPhone = `8${phone.slice(1)}`;
  const { userId: cashierId } = await addStaff(s, shopId, ownerId, {
    name: 'Cashier',
    phone: cashierPhone,
    role: 'cashier',
    pin: '1234',
  });
  const ownerToken = await signAccessToken(s.jwtKey, {
    typ: 'user',
    sub: ownerId,
    shop: shopId,
    role: 'owner',
  });
  const cashierToken = await signAccessToken(s.jwtKey, {
    typ: 'user',
    sub: cashierId,
    shop: shopId,
    role: 'cashier',
  });
  const tillToken = await signAccessToken(s.jwtKey, {
    typ: 'device',
    sub: till.deviceId,
    shop: shopId,
  });
  const sim = new ShopSim({ seed: opts.seed ?? 1, shopId, ownerId });
  const tillSim = sim.addDevice(till.code, { deviceId: till.deviceId, actorId: ownerId });
  return {
    shopId,
    ownerId,
    ownerToken,
    cashierId,
    cashierToken,
    till: { ...till, token: tillToken },
    sim,
    tillSim,
  };
}

/** Headers for a sync request from a device. */
export function syncHeaders(token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
  };
}

/** A sync push of `docs` by the holder of `token`, as options for `fetch` or `app.request`. */
export function pushRequest(token: string, docs: readonly object[]): RequestInit {
  return {
    method: 'POST',
    headers: syncHeaders(token),
    body: JSON.stringify({
      rows: docs.map((d) => ({ assumedMasterState: null, newDocumentState: d })),
    }),
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_BASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
