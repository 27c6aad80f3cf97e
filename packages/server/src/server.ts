/**
 * Starting and stopping the server: open the database (migrations run), load or create the JWT
 * key, build the app and listen. `close()` ends live streams, stops accepting requests and closes
 * the database; `await using` does the same.
 */
import { serve, type ServerType } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { ConsoleOtpSender, MemoryOtpSender, type OtpSender } from './auth/otp.ts';
import { randomToken } from './auth/secrets.ts';
import { createChangeFeed, type ChangeFeed } from './change-feed.ts';
import type { ServerConfig } from './config.ts';
import type { AppEnv, Services } from './context.ts';
import { connect, type Db } from './db/connect.ts';
import { createApp } from './app.ts';
import { createLogger, type Logger } from './logger.ts';
import { ProjectionCache } from './projections.ts';
import { RateLimiter } from './rate-limit.ts';
import { Upstream } from './replication/upstream.ts';

export interface RunningServer extends AsyncDisposable {
  url: string;
  port: number;
  services: Services;
  app: Hono<AppEnv>;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  otp?: OtpSender;
  feed?: ChangeFeed;
  db?: Db;
}

/** Build the services for a configuration (no listening). */
export async function createServices(
  config: ServerConfig,
  opts: StartOptions = {},
): Promise<{ services: Services; stop: () => void }> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const db =
    opts.db ??
    (await connect(config.DATABASE_URL, { sqliteSynchronous: config.SQLITE_SYNCHRONOUS }));
  const jwtKey = new TextEncoder().encode(
    config.JWT_SECRET ?? (await stateValue(db, 'jwt_secret', () => randomToken(48))),
  );
  const logId = await stateValue(db, LOG_ID_KEY, () => randomUUID());
  const controller = new AbortController();
  const services: Services = {
    db,
    cache: new ProjectionCache({
      maxEvents: config.PROJECTION_CACHE_EVENTS,
      onEvict: (shopId, events) => log.info('projection dropped from memory', { shopId, events }),
    }),
    feed: opts.feed ?? createChangeFeed(db, { log }),
    config,
    log,
    otp:
      opts.otp ?? (config.OTP_SENDER === 'memory' ? new MemoryOtpSender() : new ConsoleOtpSender()),
    jwtKey,
    logId,
    limits: {
      push: new RateLimiter(config.PUSH_RATE_PER_MINUTE),
      login: new RateLimiter(10, 10),
      otp: new RateLimiter(3, 3),
    },
    shutdown: controller.signal,
  };
  return { services, stop: () => controller.abort() };
}

/** Start listening. Port 0 picks a free port. */
export async function startServer(
  config: ServerConfig,
  opts: StartOptions = {},
): Promise<RunningServer> {
  const { services, stop } = await createServices(config, opts);
  if (config.UPSTREAM_URL && config.UPSTREAM_DEVICE_ID && config.UPSTREAM_SECRET) {
    services.upstream = new Upstream(
      services,
      {
        url: config.UPSTREAM_URL,
        deviceId: config.UPSTREAM_DEVICE_ID,
        secret: config.UPSTREAM_SECRET,
      },
      { intervalMs: config.UPSTREAM_INTERVAL_MS },
    );
  }
  const app = createApp(services);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () =>
      resolve(s),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.HOST}:${port}`;
  services.log.info('listening', { url, database: services.db.dialect });
  services.upstream?.start();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stop();
    await services.upstream?.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Live streams end on shutdown; anything still open after a moment is cut.
      setTimeout(() => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }, 200).unref();
    });
    await services.feed.close();
    await services.db.close();
  };
  return { url, port, services, app, close, [Symbol.asyncDispose]: close };
}

/** The key under which the identity of this database's log is kept (changed by a restore). */
export const LOG_ID_KEY = 'log_id';

/** A value kept in `server_state`, created once (concurrent starts agree on the first). */
export async function stateValue(db: Db, key: string, make: () => string): Promise<string> {
  const row = await db.db
    .selectFrom('server_state')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  if (row) return row.value;
  await db.db
    .insertInto('server_state')
    .values({ key, value: make() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await db.db
    .selectFrom('server_state')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  return stored.value;
}
