/**
 * Server configuration from the environment, validated by zod at start. A bad setting stops the
 * server with a message naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_CACHE_EVENTS } from './projections.ts';

const schema = z.object({
  DATABASE_URL: z.string().min(1).default('sqlite:./data/smartkirana.db'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** HS256 secret for JWTs; when unset one is generated and kept in the database. */
  JWT_SECRET: z.string().min(32).optional(),
  /** Where the built PWA lives; served at `/` when present. */
  STATIC_DIR: z.string().optional(),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** How OTPs are delivered: `console` logs them (development only). */
  OTP_SENDER: z.enum(['console', 'memory']).default('console'),
  /** Requests per minute a device may push. */
  PUSH_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * The upstream server this one replicates its shop to (a shop server's cloud), and the
   * server-kind device of the upstream shop it acts as. All three or none.
   */
  UPSTREAM_URL: z.url().optional(),
  UPSTREAM_DEVICE_ID: z.uuid().optional(),
  UPSTREAM_SECRET: z.string().min(1).max(256).optional(),
  /** Longest pause between replication cycles when nothing wakes the link, ms. */
  UPSTREAM_INTERVAL_MS: z.coerce.number().int().min(50).default(10_000),
  /**
   * Events the in-memory shop projections may hold over all shops (about 2–2.6 KiB each) before
   * the shops used least recently are dropped and folded again from the log when next needed.
   */
  PROJECTION_CACHE_EVENTS: z.coerce.number().int().min(1).default(DEFAULT_CACHE_EVENTS),
  /** Largest request body, bytes. */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
});

export type ServerConfig = z.infer<typeof schema>;

/** Parse configuration; throws an Error naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = schema
    .refine(
      (c) =>
        [c.UPSTREAM_URL, c.UPSTREAM_DEVICE_ID, c.UPSTREAM_SECRET].every((v) => v === undefined) ||
        [c.UPSTREAM_URL, c.UPSTREAM_DEVICE_ID, c.UPSTREAM_SECRET].every((v) => v !== undefined),
      { message: 'set all of UPSTREAM_URL, UPSTREAM_DEVICE_ID and UPSTREAM_SECRET, or none' },
    )
    .safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`bad configuration: ${problems}`);
  }
  return parsed.data;
}
