/**
 * Backup and restore of an embedded (SQLite) database, and marking a restored database's log as new.
 *
 * A backup is a consistent copy taken while the server runs (`VACUUM INTO`). A restore puts it in
 * place and gives the log a new identity: every till and downstream server then sees a log it does
 * not know, pulls it from the beginning and offers again everything of its own, and a server with
 * an upstream pulls back what it had after the backup. Postgres is backed up with its own tools
 * (`pg_dump` / `pg_restore`); run `smartkirana restore --mark-only` after restoring it.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { sql } from 'kysely';
import { connect, dialectOf, type Db } from './db/connect.ts';
import { LOG_ID_KEY } from './server.ts';

/** The file behind a SQLite database URL. */
export function sqliteFile(url: string): string {
  if (dialectOf(url) !== 'sqlite') throw new Error('only an embedded (SQLite) database is a file');
  const file = url.replace(/^(sqlite|file):(\/\/)?/, '');
  if (file === ':memory:') throw new Error('an in-memory database cannot be backed up or restored');
  return file;
}

/** Write a consistent copy of a running SQLite database to `to` (which must not exist). */
export async function backupSqlite(db: Db, to: string): Promise<void> {
  if (db.dialect !== 'sqlite') throw new Error('back up Postgres with pg_dump');
  if (existsSync(to)) throw new Error(`${to} exists; choose a new file`);
  await sql`vacuum into ${to}`.execute(db.db);
}

/** Give the database's log a new identity; returns it. */
export async function markRestored(db: Db): Promise<string> {
  const logId = randomUUID();
  await db.db
    .insertInto('server_state')
    .values({ key: LOG_ID_KEY, value: logId })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: logId }))
    .execute();
  return logId;
}

/** Replace the SQLite database at `url` with the backup `from`, and mark its log as new. */
export async function restoreSqlite(url: string, from: string): Promise<string> {
  const file = sqliteFile(url);
  if (!existsSync(from)) throw new Error(`no backup at ${from}`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(from, file);
  const db = await connect(url);
  try {
    return await markRestored(db);
  } finally {
    await db.close();
  }
}
