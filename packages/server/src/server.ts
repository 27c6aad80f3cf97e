/**
 * Starting and stopping the server: open the database (migrations run), load or create the JWT
 * key, build the app and listen. `close()` ends live streams, stops accepting requests and closes
 * the database; `await using` does the same.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { ConsoleOtpSender, MemoryOtpSender, type OtpSender } from './auth/otp.ts';
import { randomToken } from './auth/secrets.ts';
import { LocalChangeFeed, type ChangeFeed } from './change-feed.ts';
import type { ServerConfig } from './config.ts';
import type { AppEnv, Services } from './context.ts';
import { connect, type Db } from './db/connect.ts';
import { createApp } from './app.ts';
import { createLogger, type Logger } from './logger.ts';
import { ProjectionCache } from './projections.ts';
import { RateLimiter } from './rate-limit.ts';

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
  const jwtKey = new TextEncoder().encode(config.JWT_SECRET ?? (await storedSecret(db)));
  const controller = new AbortController();
  const services: Services = {
    db,
    cache: new ProjectionCache(),
    feed: opts.feed ?? new LocalChangeFeed(),
    config,
    log,
    otp:
      opts.otp ?? (config.OTP_SENDER === 'memory' ? new MemoryOtpSender() : new ConsoleOtpSender()),
    jwtKey,
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
  const app = createApp(services);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () =>
      resolve(s),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.HOST}:${port}`;
  services.log.info('listening', { url, database: services.db.dialect });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stop();
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

async function storedSecret(db: Db): Promise<string> {
  const row = await db.db
    .selectFrom('server_state')
    .select('value')
    .where('key', '=', 'jwt_secret')
    .executeTakeFirst();
  if (row) return row.value;
  const value = randomToken(48);
  await db.db
    .insertInto('server_state')
    .values({ key: 'jwt_secret', value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await db.db
    .selectFrom('server_state')
    .select('value')
    .where('key', '=', 'jwt_secret')
    .executeTakeFirstOrThrow();
  return stored.value;
}
