/**
 * Tells live streams that a shop's log grew. Subscribers then read the new events from the database
 * themselves, so a feed only carries "shop X is now at sequence N", and a listener tolerates extra
 * or repeated wake-ups. The in-process feed serves one server process on SQLite; on Postgres the
 * feed also goes through LISTEN/NOTIFY, so several server processes on one database wake each
 * other's streams.
 */
import { sql } from 'kysely';
import pg, { type Notification } from 'pg';
import type { Db } from './db/connect.ts';
import type { Logger } from './logger.ts';

export type FeedListener = (seq: number) => void;

export interface ChangeFeed {
  publish(shopId: string, seq: number): void;
  subscribe(shopId: string, listener: FeedListener): () => void;
  close(): Promise<void>;
}

/** A change feed within one process. */
export class LocalChangeFeed implements ChangeFeed {
  readonly #listeners = new Map<string, Set<FeedListener>>();

  publish(shopId: string, seq: number): void {
    for (const listener of this.#listeners.get(shopId) ?? []) listener(seq);
  }

  subscribe(shopId: string, listener: FeedListener): () => void {
    let set = this.#listeners.get(shopId);
    if (!set) {
      set = new Set();
      this.#listeners.set(shopId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(shopId);
    };
  }

  /** Shops that have at least one listener. */
  shops(): string[] {
    return [...this.#listeners.keys()];
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}

/** The Postgres notification channel that carries `${shopId}:${seq}`. */
export const PG_FEED_CHANNEL = 'smartkirana_events';

export interface PgChangeFeedOptions {
  /** Where the feed reports a lost listening connection or a failed notification. */
  log?: Pick<Logger, 'info' | 'warn'>;
  /** First wait before listening again after the connection dropped, ms (default 250). */
  retryMinMs?: number;
  /** Longest wait between attempts, ms; the wait doubles up to it (default 10 000). */
  retryMaxMs?: number;
}

/**
 * A change feed shared by every server process on one Postgres database. Publishing wakes this
 * process's listeners at once and sends a NOTIFY; one dedicated connection per feed LISTENs and
 * wakes this process's listeners for other processes' notifications (and its own echoes). The
 * listening connection opens with the first subscriber. When it drops, the feed listens again
 * with growing waits and then wakes every subscriber once, since a notification may have been
 * missed in between.
 */
export class PgChangeFeed implements ChangeFeed {
  readonly #db: Db;
  readonly #local = new LocalChangeFeed();
  readonly #log: Pick<Logger, 'info' | 'warn'> | undefined;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  readonly #pending = new Set<Promise<void>>();
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  #failures = 0;

  constructor(db: Db, opts: PgChangeFeedOptions = {}) {
    this.#db = db;
    this.#log = opts.log;
    this.#retryMinMs = opts.retryMinMs ?? 250;
    this.#retryMaxMs = opts.retryMaxMs ?? 10_000;
  }

  publish(shopId: string, seq: number): void {
    this.#deliver(shopId, seq);
    if (this.#closed) return;
    const sent = sql`select pg_notify(${PG_FEED_CHANNEL}, ${`${shopId}:${seq}`})`
      .execute(this.#db.db)
      .then(
        () => undefined,
        (err: unknown) => this.#log?.warn('change feed: notify failed', { shopId, error: err }),
      );
    this.#pending.add(sent);
    void sent.finally(() => this.#pending.delete(sent));
  }

  subscribe(shopId: string, listener: FeedListener): () => void {
    const unsubscribe = this.#local.subscribe(shopId, listener);
    if (!this.#started && !this.#closed) {
      this.#started = true;
      this.#listen();
    }
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => undefined);
    await Promise.allSettled([...this.#pending]);
    await this.#local.close();
  }

  /** Open the listening connection; on success wake every subscriber once. */
  #listen(): void {
    const client = new pg.Client({ connectionString: this.#db.url });
    this.#client = client;
    // The error listener stays for the client's lifetime: an unhandled 'error' ends the process.
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, undefined));
    client.on('notification', (n) => this.#receive(client, n));
    client
      .connect()
      .then(() => client.query(`LISTEN ${PG_FEED_CHANNEL}`))
      .then(
        () => {
          if (this.#client !== client) return;
          if (this.#failures > 0) this.#log?.info('change feed: listening again');
          this.#failures = 0;
          return this.#wakeAll();
        },
        (err: unknown) => this.#lost(client, err),
      )
      .catch((err: unknown) => this.#log?.warn('change feed: wake-up failed', { error: err }));
  }

  /** The listening connection failed or ended: drop it and try again after a wait. */
  #lost(client: pg.Client, err: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    if (this.#closed) return;
    const base = Math.min(this.#retryMaxMs, this.#retryMinMs * 2 ** this.#failures);
    // Jitter spreads the processes that all lost Postgres at once.
    const wait = Math.round(base * (0.5 + Math.random() / 2));
    this.#failures++;
    this.#log?.warn('change feed: listening connection lost; retrying', {
      error: err,
      retryInMs: wait,
      attempt: this.#failures,
    });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.#listen();
    }, wait);
    this.#timer.unref();
  }

  #receive(client: pg.Client, n: Notification): void {
    if (this.#client !== client || n.channel !== PG_FEED_CHANNEL || !n.payload) return;
    const at = n.payload.lastIndexOf(':');
    const seq = Number(n.payload.slice(at + 1));
    if (at <= 0 || !Number.isSafeInteger(seq)) return;
    this.#deliver(n.payload.slice(0, at), seq);
  }

  /** Wake every subscriber with its shop's current sequence. */
  async #wakeAll(): Promise<void> {
    const shops = this.#local.shops();
    if (shops.length === 0) return;
    let heads = new Map<string, number>();
    try {
      const rows = await this.#db.db
        .selectFrom('shops')
        .select(['id', 'seq'])
        .where(sql<boolean>`id = any(${shops})`)
        .execute();
      heads = new Map(rows.map((r) => [r.id, r.seq]));
    } catch (err) {
      this.#log?.warn('change feed: reading shop sequences failed', { error: err });
    }
    for (const shopId of shops) this.#deliver(shopId, heads.get(shopId) ?? 0);
  }

  #deliver(shopId: string, seq: number): void {
    try {
      this.#local.publish(shopId, seq);
    } catch (err) {
      this.#log?.warn('change feed: a listener failed', { shopId, error: err });
    }
  }
}

/** The change feed for a database: Postgres LISTEN/NOTIFY across processes, else in-process. */
export function createChangeFeed(db: Db, opts: PgChangeFeedOptions = {}): ChangeFeed {
  return db.dialect === 'postgres' ? new PgChangeFeed(db, opts) : new LocalChangeFeed();
}
