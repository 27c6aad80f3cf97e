/**
 * What every request handler can reach: the database, the projection cache, the change feed,
 * configuration, the logger, and (after authentication) who is calling.
 */
import type { Role } from '@smartkirana/domain/event-fields';
import type { Db } from './db/connect.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { ProjectionCache } from './projections.ts';
import type { OtpSender } from './auth/otp.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Upstream } from './replication/upstream.ts';

/** Long-lived services shared by every request. */
export interface Services {
  db: Db;
  cache: ProjectionCache;
  feed: ChangeFeed;
  config: ServerConfig;
  log: Logger;
  otp: OtpSender;
  /** HMAC key for JWTs (HS256), loaded or created at start. */
  jwtKey: Uint8Array;
  /**
   * Identity of this database's log. Sequence checkpoints are only meaningful within one log: a
   * client or downstream server presenting a checkpoint of another log (another server, or this one
   * before a restore) starts again from the beginning.
   */
  logId: string;
  limits: { push: RateLimiter; login: RateLimiter; otp: RateLimiter };
  /** Aborted when the server shuts down: live streams end cleanly. */
  shutdown: AbortSignal;
  /** This server's link to its upstream server, when it has one (docs/replication.md). */
  upstream?: Upstream | undefined;
}

/** A signed-in person acting in one shop. */
export interface UserAuth {
  kind: 'user';
  userId: string;
  shopId: string;
  role: Role;
}

/** An enrolled device (till, shop server, phone). */
export interface DeviceAuth {
  kind: 'device';
  deviceId: string;
  shopId: string;
  deviceKind: 'till' | 'server' | 'phone';
  revoked: boolean;
}

export type Auth = UserAuth | DeviceAuth;

/** Hono environment: services and the caller, set by middleware. */
export interface AppEnv {
  Variables: {
    services: Services;
    auth: Auth;
    requestId: string;
  };
}
