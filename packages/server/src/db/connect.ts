/**
 * Opening the database: embedded SQLite through better-sqlite3 (the default, a file in WAL mode)
 * or Postgres through `pg`, chosen by the URL. Migrations run before the handle is returned.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.ts';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The URL the database was opened from. */
  url: string;
  /**
   * SQLite only: the better-sqlite3 connection Kysely runs on. The ingest hot path runs its
   * prepared statements on it directly, inside a transaction Kysely opened (`ingest-store.ts`).
   */
  sqlite?: SQLite.Database;
  /** Close every connection. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** SQLite `synchronous` pragma: FULL (default) fsyncs every commit; NORMAL is faster in WAL. */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /** Postgres pool size. */
  poolSize?: number;
  /** Run migrations (default true). */
  migrate?: boolean;
}

// int8 columns hold sequence numbers, money in paise and epoch ms: all safe integers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * better-sqlite3 prepares every query Kysely sends; the hot ingest path sends the same few shapes
 * again and again, so keep prepared statements by SQL text (bounded, oldest dropped first).
 * Kysely runs one query at a time on this connection, so a cached statement is never reentered.
 */
function cachingStatements(sqlite: SQLite.Database, limit = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (cache.size >= limit) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/** Which dialect a database URL names. */
export function dialectOf(url: string): DialectName {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

/** Open a database from a URL: `postgres://…`, `sqlite:path`, `file:path`, a path, or `:memory:`. */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<Db> {
  const dialect = dialectOf(url);
  let db: Kysely<Database>;
  let raw: SQLite.Database | undefined;
  if (dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    // An idle client that dies (Postgres restarted, backend terminated) is emitted as a pool
    // 'error'; with no listener that crashes the process. The pool drops the client, and the next
    // query that needs a connection reports any real outage, so there is nothing to do here.
    pool.on('error', () => undefined);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const file = url.replace(/^(sqlite|file):(\/\/)?/, '');
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${opts.sqliteSynchronous ?? 'FULL'}`);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    raw = sqlite;
    db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: cachingStatements(sqlite) }),
    });
  }
  const handle: Db = {
    db,
    dialect,
    url,
    ...(raw ? { sqlite: raw } : {}),
    close: () => db.destroy(),
  };
  if (opts.migrate !== false) await migrate(handle);
  return handle;
}

/** Bring the schema to the latest migration; throws with the failing migration's error. */
export async function migrate(handle: Db): Promise<string[]> {
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
