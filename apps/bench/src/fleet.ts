/**
 * A shop with many devices, served by real server processes: the set-up of the latency,
 * convergence and memory measures. The shop, its staff and its devices are made in this process
 * on a fresh database; then one or more `smartkirana serve` processes (sharing the JWT secret, so
 * every token made here is valid there) serve it. The shop's first till rings in the catalogue
 * and opening stock over HTTP; every other device is a till of its own with a `DeviceSim` that
 * emits its sales (own device sequence, invoice series and clock).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { DomainEvent } from '@smartkirana/domain/events';
import type { DeviceSim, SellLine } from '@smartkirana/domain/testing';
import { signAccessToken } from '@smartkirana/server/auth/tokens';
import type { DialectName } from '@smartkirana/server/db/connect';
import { enrollDevice } from '@smartkirana/server/shops';
import {
  createTestShop,
  freshDatabase,
  pushRequest,
  ServerProcess,
  startTestServer,
  syncHeaders,
  type TestShop,
} from '@smartkirana/server/testing';
import { batches, buildWorkload } from './workload.ts';

/** A till of the fleet: its enrolment, a device token, and the simulated device behind it. */
export interface FleetTill {
  deviceId: string;
  code: string;
  secret: string;
  token: string;
  sim: DeviceSim;
}

/** A running server process of the fleet. */
export interface FleetServer {
  url: string;
  process: ServerProcess;
}

export interface Fleet {
  dialect: DialectName;
  databaseUrl: string;
  servers: FleetServer[];
  shop: TestShop;
  /** The tills (not counting the shop's first till, which set up the catalogue). */
  tills: FleetTill[];
  productIds: string[];
  /** Events in the shop's log after set-up (the shop, its staff and devices, the catalogue). */
  setupEvents: number;
  /** What a real till needs to sign in to server `server` as `till`. */
  credential(till: FleetTill, server?: number): FleetCredential;
  /** Stop the server processes and start them again on the database, with `env` added. */
  restart(env: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface FleetCredential {
  serverUrl: string;
  shopId: string;
  deviceId: string;
  code: string;
  secret: string;
}

/** Start server processes on a fresh database with a shop, `tills` enrolled tills and a catalogue. */
export async function startFleet(opts: {
  dialect: DialectName;
  tills: number;
  /** Server processes on the one database (more than one needs Postgres). */
  instances?: number;
  products?: number;
  env?: Record<string, string>;
  seed: number;
}): Promise<Fleet> {
  const { url: databaseUrl, drop } = await freshDatabase(opts.dialect);
  const JWT_SECRET = randomBytes(32).toString('hex');
  const env = { PUSH_RATE_PER_MINUTE: '1000000', ...opts.env };
  const servers: FleetServer[] = [];
  const stopServers = async (): Promise<void> => {
    for (const s of servers.splice(0)) await s.process.kill('SIGTERM');
  };
  const startServers = async (serverEnv: Record<string, string>): Promise<void> => {
    for (let i = 0; i < (opts.instances ?? 1); i++) {
      const process = new ServerProcess(
        `bench ${opts.dialect} ${i + 1}`,
        {
          ...serverEnv,
          DATABASE_URL: databaseUrl,
          JWT_SECRET,
          OTP_SENDER: 'memory',
          LOG_LEVEL: 'warn',
        },
        // `BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` profiles the servers.
        (globalThis.process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      );
      const server = { url: '', process };
      servers.push(server);
      server.url = `http://127.0.0.1:${await process.start()}`;
    }
  };
  const close = async (): Promise<void> => {
    await stopServers();
    await drop();
  };
  try {
    const setup = await startTestServer(opts.dialect, { ...env, JWT_SECRET }, { databaseUrl });
    let shop: TestShop;
    const tills: FleetTill[] = [];
    try {
      shop = await createTestShop(setup, { seed: opts.seed });
      // Enrolments hash each till's secret (slow on purpose): several at once, on the thread pool.
      const indexes = Array.from({ length: opts.tills }, (_, i) => i);
      for (const group of batches(indexes, 8)) {
        const enrolled = await Promise.all(
          group.map((i) =>
            enrollDevice(setup.services, shop.shopId, shop.ownerId, {
              name: `Till ${i + 2}`,
              kind: 'till',
            }),
          ),
        );
        for (const device of enrolled) {
          const token = await signAccessToken(setup.services.jwtKey, {
            typ: 'device',
            sub: device.deviceId,
            shop: shop.shopId,
          });
          const sim = shop.sim.addDevice(device.code, {
            deviceId: device.deviceId,
            actorId: shop.ownerId,
          });
          tills.push({ ...device, token, sim });
        }
      }
    } finally {
      await setup.close();
    }
    await startServers(env);
    const first = servers[0] as FleetServer;
    const catalogue = buildWorkload(shop.tillSim, { products: opts.products ?? 200, sales: 0 });
    for (const chunk of batches(catalogue.setup, 100))
      await pushEvents(first.url, shop.till.token, chunk);
    const productIds = catalogue.setup
      .filter((e) => e.type === 'v1.ProductCreated')
      .map((e) => (e.payload as { productId: string }).productId);
    // Every device has seen the catalogue: their clocks move past it.
    for (const t of tills) t.sim.receive(catalogue.setup);
    return {
      dialect: opts.dialect,
      databaseUrl,
      servers,
      shop,
      tills,
      productIds,
      setupEvents: await head(first.url, shop.ownerToken),
      credential: (till, server = 0) => ({
        serverUrl: (servers[server] as FleetServer).url,
        shopId: shop.shopId,
        deviceId: till.deviceId,
        code: till.code,
        secret: till.secret,
      }),
      async restart(more) {
        await stopServers();
        await startServers({ ...env, ...more });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One realistic sale on `device`: a customer 5–60 s after the last, 1–3 lines, cash or UPI. */
export function nextSale(device: DeviceSim, productIds: readonly string[]): DomainEvent {
  const shop = device.shop;
  shop.advance(shop.rng.int(5_000, 60_000));
  const lineCount = shop.rng.pick([1, 1, 1, 2, 2, 3]);
  const picked = new Set<string>();
  while (picked.size < Math.min(lineCount, productIds.length))
    picked.add(shop.rng.pick(productIds));
  const lines: SellLine[] = [...picked].map((productId) => ({
    productId,
    qty: shop.product(productId).unit === 'pc' ? shop.rng.int(1, 3) : shop.rng.int(1, 10) * 250,
  }));
  return device.sell(lines, { pay: shop.rng.chance(0.6) ? 'cash' : 'upi' });
}

/** The shop's latest sequence on the server at `url`. */
export async function head(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/sync/v1/pull?after=0&limit=1`, { headers: syncHeaders(token) });
  if (res.status !== 200) throw new Error(`pull answered ${res.status}`);
  return ((await res.json()) as { head?: number }).head ?? 0;
}

interface PushAnswer {
  results: { id: string; status: string }[];
}

/** Push `events` as the holder of `token`; every event must be accepted. */
export async function pushEvents(
  url: string,
  token: string,
  events: readonly DomainEvent[],
): Promise<void> {
  await sendPush(url, pushRequest(token, events));
}

/** Send a prepared push request; every event must be accepted. */
export async function sendPush(url: string, request: RequestInit): Promise<void> {
  const res = await fetch(`${url}/sync/v1/push`, request);
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as PushAnswer;
  const refused = body.results.filter((r) => r.status !== 'accepted');
  if (refused.length > 0)
    throw new Error(`push did not accept ${refused.length} events: ${JSON.stringify(refused[0])}`);
}

/** CPU time (user and system) process `pid` has used so far, seconds (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may hold spaces).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS;
}

/** Linux reports process times in clock ticks of 1/100 s (`USER_HZ`). */
const CLOCK_TICKS = 100;

/**
 * The process listening on TCP `port` on this machine, from /proc (Linux): the socket's inode in
 * /proc/net/tcp, then the process holding that socket.
 */
export function pidListeningOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let inode: string | undefined;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local address, state 0A = LISTEN, inode
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') inode = cols[9];
    }
  }
  if (!inode) throw new Error(`nothing listens on port ${port}`);
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return Number(pid);
      } catch {
        // The descriptor closed meanwhile.
      }
    }
  }
  throw new Error(`no process holds the socket listening on port ${port}`);
}
