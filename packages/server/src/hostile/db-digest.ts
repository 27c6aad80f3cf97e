/**
 * A digest of everything a database holds: every table the catalogue lists (so a table added by a
 * later migration is included without editing this file), every row, every column. Rows are
 * canonicalised and sorted, so the digest does not depend on storage order. Comparing the digest
 * before and after a refused request proves the request changed nothing. Postgres hashes its rows
 * itself (md5 over the sorted row texts); SQLite's rows are hashed here. Digests are compared only
 * within one database.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/** Per table: `rows:sha256` of its sorted canonical rows. */
export type Digest = Record<string, string>;

/** Which rows a digest covers (all of them when omitted): a slice such as one shop's rows. */
export type RowFilter = (table: string, row: Record<string, unknown>) => boolean;

/** The digest of every table of `handle` (of the rows `keep` selects). */
export async function databaseDigest(handle: Db, keep?: RowFilter): Promise<Digest> {
  const tables = await tableNames(handle);
  if (handle.dialect === 'postgres' && !keep) return postgresDigest(handle, tables);
  const out: Digest = {};
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      handle.db,
    );
    const lines = (keep ? rows.filter((r) => keep(table, r)) : rows).map(canonical).sort();
    const hash = createHash('sha256');
    for (const line of lines) hash.update(line).update('\n');
    out[table] = `${lines.length}:${hash.digest('hex')}`;
  }
  return out;
}

/** Every table hashed by Postgres itself, in one round trip: only the digests cross the wire. */
async function postgresDigest(handle: Db, tables: readonly string[]): Promise<Digest> {
  const parts = tables.map(
    (table) => sql`select ${table} as name, count(*) as n,
      md5(string_agg(t::text, E'\n' order by t::text)) as h from ${sql.table(table)} as t`,
  );
  const { rows } = await sql<{ name: string; n: string; h: string | null }>`${sql.join(
    parts,
    sql` union all `,
  )}`.execute(handle.db);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n}:${r.h ?? ''}`]));
}

/** Rows belonging to a shop: its own rows, and its people's accounts and sessions. */
export function shopRows(shopId: string, userIds: readonly string[]): RowFilter {
  const people = new Set(userIds);
  return (table, row) =>
    row.shop_id === shopId ||
    (table === 'shops' && row.id === shopId) ||
    (table === 'users' && people.has(String(row.id))) ||
    people.has(String(row.user_id));
}

/** The tables whose digest differs between `a` and `b` (added and dropped tables included). */
export function changedTables(a: Digest, b: Digest): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((t) => a[t] !== b[t]).sort();
}

/** Every base table of the database, from its own catalogue. */
export async function tableNames(handle: Db): Promise<string[]> {
  if (handle.dialect === 'postgres') {
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'
      order by table_name`.execute(handle.db);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ name: string }>`
    select name from sqlite_master
    where type = 'table' and name not like 'sqlite_%'
    order by name`.execute(handle.db);
  return rows.map((r) => r.name);
}

/** A row as JSON with sorted keys; numbers from either driver compare equal. */
function canonical(row: Record<string, unknown>): string {
  const keys = Object.keys(row).sort();
  return JSON.stringify(keys.map((k) => [k, plain(row[k])]));
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  return value;
}
