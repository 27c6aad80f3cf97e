/**
 * Raw baselines: the same `events` rows inserted straight into a fresh database whose schema the
 * server's own migrations made (so the table and its indexes are exactly the server's), with no
 * HTTP, no validation, no dedupe and no derivation.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { connect } from '@smartkirana/server/db/connect';
import { PG_BASE_URL } from '@smartkirana/server/testing';
import { batches, type EventRow } from './workload.ts';

const COLUMNS = [
  'shop_id',
  'seq',
  'id',
  'device_id',
  'device_seq',
  'hlc',
  'type',
  'actor_id',
  'at',
  'received_at',
  'body',
] as const;

/** better-sqlite3 in-process: one transaction per batch, a prepared single-row INSERT. */
export async function rawSqliteInsert(
  rows: readonly EventRow[],
  opts: { batch: number; synchronous: 'NORMAL' | 'FULL' },
): Promise<number> {
  const file = join(tmpdir(), `sk-bench-raw-${randomUUID()}.db`);
  try {
    const schema = await connect(`sqlite:${file}`, { sqliteSynchronous: opts.synchronous });
    await schema.close();
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous}`);
    const insert = db.prepare(
      `insert into events (${COLUMNS.join(', ')}) values (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    const insertBatch = db.transaction((chunk: readonly EventRow[]) => {
      for (const row of chunk) insert.run(row);
    });
    const chunks = batches(rows, opts.batch);
    const started = performance.now();
    for (const chunk of chunks) insertBatch(chunk);
    const seconds = (performance.now() - started) / 1000;
    const count = db.prepare('select count(*) as n from events').get() as { n: number };
    db.close();
    if (count.n !== rows.length) throw new Error(`raw SQLite stored ${count.n} of ${rows.length}`);
    return rows.length / seconds;
  } finally {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  }
}

/** `pg` into a fresh database: one `INSERT … SELECT FROM UNNEST` statement per batch. */
export async function rawPostgresInsert(
  rows: readonly EventRow[],
  opts: { batch: number },
): Promise<number> {
  const name = `sk_bench_${randomUUID().replace(/-/g, '')}`;
  await adminQuery(`create database ${name}`);
  try {
    const url = new URL(PG_BASE_URL);
    url.pathname = `/${name}`;
    const schema = await connect(url.toString());
    await schema.close();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const text =
        `insert into events (${COLUMNS.join(', ')}) select * from unnest(` +
        '$1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], ' +
        '$7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::text[])';
      const chunks = batches(rows, opts.batch).map((chunk) =>
        COLUMNS.map((c) => chunk.map((r) => r[c])),
      );
      const started = performance.now();
      for (const params of chunks) await client.query(text, params);
      const seconds = (performance.now() - started) / 1000;
      const count = await client.query<{ n: string }>('select count(*) as n from events');
      const stored = Number(count.rows[0]?.n ?? 0);
      if (stored !== rows.length)
        throw new Error(`raw Postgres stored ${stored} of ${rows.length}`);
      return rows.length / seconds;
    } finally {
      await client.end();
    }
  } finally {
    await adminQuery(`drop database if exists ${name} with (force)`);
  }
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
