/**
 * The database side of ingest, on its hot path: what the ingest of a batch must know (which ids are
 * stored or held back, who may record, which device sequences are taken) in one lookup, and what it
 * writes (events, quarantine, the shop's sequence, the device's last contact, derived rows) in one
 * go. Both run inside the transaction that holds the shop's lock (`ingest.ts`).
 *
 * - SQLite: prepared better-sqlite3 statements on the connection Kysely opened the transaction on
 *   (Kysely holds that connection for the whole transaction, so nothing else interleaves). No query
 *   building per row, no promise per statement.
 * - Postgres: one round trip for the lookup and one for every write (`unnest` arrays in
 *   data-modifying CTEs), instead of one per query: on Postgres the round trips are the cost.
 *
 * Exactly-once still rests on the unique key on `events.id`, not on the lookup.
 */
import type { Role } from '@smartkirana/domain/event-fields';
import type SQLite from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import type { Db } from './db/connect.ts';
import type { Database, EventsTable, QuarantineTable } from './db/schema.ts';
import type { DerivedRows } from './derived-store.ts';

export interface LookupQuery {
  shopId: string;
  ids: readonly string[];
  actors: readonly string[];
  /** Device sequences claimed by the batch. */
  claims: readonly { deviceId: string; deviceSeq: number }[];
}

export interface Lookup {
  /** Stored events among `ids`. */
  stored: Map<string, { seq: number; body: string }>;
  /** Events among `ids` held in quarantine. */
  held: Map<string, { code: string; reason: string }>;
  /** Roles of the actors who are staff of the shop. */
  roles: Map<string, Role>;
  /** Claimed `device|seq` pairs some stored event already has. */
  taken: Set<string>;
}

export interface Writes {
  shopId: string;
  deviceId: string;
  now: number;
  events: readonly EventsTable[];
  quarantine: readonly QuarantineTable[];
  /** Ids whose quarantine is lifted (another server of the shop accepted them). */
  lift: readonly string[];
  /** The shop's last sequence after the batch, when events were accepted. */
  seq: number | undefined;
  derived: DerivedRows | undefined;
}

export interface IngestStore {
  lookup(q: LookupQuery): Promise<Lookup>;
  write(w: Writes): Promise<void>;
}

/** The store for a transaction on `handle`. */
export function ingestStore(handle: Db, trx: Transaction<Database>): IngestStore {
  if (handle.sqlite) return sqliteStore(handle.sqlite);
  return postgresStore(trx);
}

export function claimKey(deviceId: string, deviceSeq: number): string {
  return `${deviceId}|${deviceSeq}`;
}

// ── SQLite ──────────────────────────────────────────────────────────────────────────────────

type Statements = ReturnType<typeof prepare>;
const prepared = new WeakMap<SQLite.Database, Statements>();

function prepare(db: SQLite.Database) {
  return {
    stored: db.prepare<[string], { seq: number; body: string }>(
      'select seq, body from events where id = ?',
    ),
    held: db.prepare<[string], { code: string; reason: string }>(
      'select code, reason from quarantine where id = ?',
    ),
    role: db
      .prepare<[string, string], string>(
        'select role from memberships where shop_id = ? and user_id = ? and removed_at is null',
      )
      .pluck(),
    taken: db
      .prepare<[string, number], number>(
        'select 1 from events where device_id = ? and device_seq = ?',
      )
      .pluck(),
    insertEvent: db.prepare(
      'insert into events (shop_id, seq, id, device_id, device_seq, hlc, type, actor_id, at, ' +
        'received_at, body, from_upstream) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertHeld: db.prepare(
      'insert into quarantine (id, shop_id, device_id, device_seq, type, received_at, code, ' +
        'reason, body, resolved_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    lift: db.prepare('update quarantine set resolved_at = ? where id = ? and resolved_at is null'),
    shopSeq: db.prepare('update shops set seq = ? where id = ?'),
    seen: db.prepare('update devices set last_seen_at = ? where id = ?'),
    balance: db.prepare(
      'insert into balances (shop_id, day, account, amount) values (?, ?, ?, ?) ' +
        'on conflict (shop_id, day, account) do update set amount = excluded.amount',
    ),
    dropBalance: db.prepare('delete from balances where shop_id = ? and day = ? and account = ?'),
    stock: db.prepare(
      'insert into stock (shop_id, product_id, qty, value) values (?, ?, ?, ?) ' +
        'on conflict (shop_id, product_id) do update set qty = excluded.qty, value = excluded.value',
    ),
    party: db.prepare(
      'insert into party_balances (shop_id, kind, party_id, balance) values (?, ?, ?, ?) ' +
        'on conflict (shop_id, kind, party_id) do update set balance = excluded.balance',
    ),
    dropParty: db.prepare(
      'delete from party_balances where shop_id = ? and kind = ? and party_id = ?',
    ),
  };
}

function sqliteStore(db: SQLite.Database): IngestStore {
  let s = prepared.get(db);
  if (!s) {
    s = prepare(db);
    prepared.set(db, s);
  }
  const st = s;
  return {
    lookup(q) {
      const out: Lookup = {
        stored: new Map(),
        held: new Map(),
        roles: new Map(),
        taken: new Set(),
      };
      for (const id of q.ids) {
        const row = st.stored.get(id);
        if (row) out.stored.set(id, row);
        else {
          const hold = st.held.get(id);
          if (hold) out.held.set(id, hold);
        }
      }
      for (const actor of q.actors) {
        const role = st.role.get(q.shopId, actor);
        if (role !== undefined) out.roles.set(actor, role as Role);
      }
      for (const { deviceId, deviceSeq } of q.claims)
        if (st.taken.get(deviceId, deviceSeq) !== undefined)
          out.taken.add(claimKey(deviceId, deviceSeq));
      return Promise.resolve(out);
    },
    write(w) {
      try {
        writeSqlite(st, w);
      } catch (err) {
        // On some errors (SQLITE_FULL, SQLITE_IOERR) SQLite rolls the whole transaction back
        // itself. Kysely, which opened it, then rolls back too and fails with "no transaction is
        // active", hiding the real error: open an empty one for it to roll back.
        if (!db.inTransaction) db.exec('begin');
        throw err;
      }
      return Promise.resolve();
    },
  };
}

function writeSqlite(st: Statements, w: Writes): void {
  for (const id of w.lift) st.lift.run(w.now, id);
  for (const e of w.events)
    st.insertEvent.run(
      e.shop_id,
      e.seq,
      e.id,
      e.device_id,
      e.device_seq,
      e.hlc,
      e.type,
      e.actor_id,
      e.at,
      e.received_at,
      e.body,
      e.from_upstream,
    );
  for (const q of w.quarantine)
    st.insertHeld.run(
      q.id,
      q.shop_id,
      q.device_id,
      q.device_seq,
      q.type,
      q.received_at,
      q.code,
      q.reason,
      q.body,
      q.resolved_at,
    );
  if (w.seq !== undefined) st.shopSeq.run(w.seq, w.shopId);
  const d = w.derived;
  if (d) {
    for (const r of d.balances) st.balance.run(w.shopId, r.day, r.account, r.amount);
    for (const r of d.zeroBalances) st.dropBalance.run(w.shopId, r.day, r.account);
    for (const r of d.stock) st.stock.run(w.shopId, r.product_id, r.qty, r.value);
    for (const r of d.parties) st.party.run(w.shopId, r.kind, r.party_id, r.balance);
    for (const r of d.zeroParties) st.dropParty.run(w.shopId, r.kind, r.party_id);
  }
  st.seen.run(w.now, w.deviceId);
}

// ── Postgres ────────────────────────────────────────────────────────────────────────────────

interface LookupRow {
  k: 'e' | 'q' | 'r' | 'd';
  a: string;
  b: string | null;
  c: string | null;
}

function postgresStore(trx: Transaction<Database>): IngestStore {
  return {
    async lookup(q) {
      const devices = q.claims.map((c) => c.deviceId);
      const seqs = q.claims.map((c) => c.deviceSeq);
      const { rows } = await sql<LookupRow>`
        select 'e' as k, id as a, seq::text as b, body as c
          from events where id = any(${q.ids}::text[])
        union all
        select 'q', id, code, reason
          from quarantine where id = any(${q.ids}::text[])
        union all
        select 'r', user_id, role, null
          from memberships
          where shop_id = ${q.shopId} and user_id = any(${q.actors}::text[]) and removed_at is null
        union all
        select 'd', device_id, device_seq::text, null
          from events
          where (device_id, device_seq) in (
            select * from unnest(${devices}::text[], ${seqs}::bigint[])
          )`.execute(trx);
      const out: Lookup = {
        stored: new Map(),
        held: new Map(),
        roles: new Map(),
        taken: new Set(),
      };
      for (const r of rows) {
        if (r.k === 'e') out.stored.set(r.a, { seq: Number(r.b), body: r.c ?? '' });
        else if (r.k === 'q') out.held.set(r.a, { code: r.b ?? '', reason: r.c ?? '' });
        else if (r.k === 'r') out.roles.set(r.a, r.b as Role);
        else out.taken.add(claimKey(r.a, Number(r.b)));
      }
      // A stored event is never also reported as held (the SQLite store does the same).
      for (const id of out.stored.keys()) out.held.delete(id);
      return out;
    },
    async write(w) {
      const e = w.events;
      const qr = w.quarantine;
      const eventBodies = packTexts(e.map((r) => r.body));
      const heldBodies = packTexts(qr.map((r) => r.body));
      const d = w.derived ?? {
        balances: [],
        zeroBalances: [],
        stock: [],
        parties: [],
        zeroParties: [],
      };
      await sql`
        with
        lifted as (
          update quarantine set resolved_at = ${w.now}
          where id = any(${w.lift}::text[]) and resolved_at is null
        ),
        logged as (
          insert into events (shop_id, seq, id, device_id, device_seq, hlc, type, actor_id, at,
                              received_at, body, from_upstream)
          select ${w.shopId}::text, seq, id, device_id, device_seq, hlc, type, actor_id, at,
                 received_at,
                 convert_from(substring(${eventBodies.bytes}::bytea from b for n), 'UTF8'),
                 from_upstream
          from unnest(
            ${e.map((r) => r.seq)}::bigint[], ${e.map((r) => r.id)}::text[],
            ${e.map((r) => r.device_id)}::text[], ${e.map((r) => r.device_seq)}::bigint[],
            ${e.map((r) => r.hlc)}::text[], ${e.map((r) => r.type)}::text[],
            ${e.map((r) => r.actor_id)}::text[], ${e.map((r) => r.at)}::bigint[],
            ${e.map((r) => r.received_at)}::bigint[], ${eventBodies.starts}::int[],
            ${eventBodies.lengths}::int[], ${e.map((r) => r.from_upstream)}::int[])
            as r(seq, id, device_id, device_seq, hlc, type, actor_id, at, received_at, b, n,
                 from_upstream)
        ),
        held as (
          insert into quarantine (id, shop_id, device_id, device_seq, type, received_at, code,
                                  reason, body, resolved_at)
          select id, ${w.shopId}::text, device_id, device_seq, type, received_at, code, reason,
                 convert_from(substring(${heldBodies.bytes}::bytea from b for n), 'UTF8'), null
          from unnest(
            ${qr.map((r) => r.id)}::text[], ${qr.map((r) => r.device_id)}::text[],
            ${qr.map((r) => r.device_seq)}::bigint[], ${qr.map((r) => r.type)}::text[],
            ${qr.map((r) => r.received_at)}::bigint[], ${qr.map((r) => r.code)}::text[],
            ${qr.map((r) => r.reason)}::text[], ${heldBodies.starts}::int[],
            ${heldBodies.lengths}::int[])
            as h(id, device_id, device_seq, type, received_at, code, reason, b, n)
        ),
        numbered as (
          update shops set seq = ${w.seq ?? null}::bigint
          where id = ${w.shopId} and ${w.seq ?? null}::bigint is not null
        ),
        seen as (
          update devices set last_seen_at = ${w.now} where id = ${w.deviceId}
        ),
        balanced as (
          insert into balances (shop_id, day, account, amount)
          select ${w.shopId}::text, * from unnest(
            ${d.balances.map((r) => r.day)}::text[], ${d.balances.map((r) => r.account)}::text[],
            ${d.balances.map((r) => r.amount)}::bigint[])
          on conflict (shop_id, day, account) do update set amount = excluded.amount
        ),
        unbalanced as (
          delete from balances where shop_id = ${w.shopId} and (day, account) in (
            select * from unnest(${d.zeroBalances.map((r) => r.day)}::text[],
                                 ${d.zeroBalances.map((r) => r.account)}::text[]))
        ),
        stocked as (
          insert into stock (shop_id, product_id, qty, value)
          select ${w.shopId}::text, * from unnest(
            ${d.stock.map((r) => r.product_id)}::text[], ${d.stock.map((r) => r.qty)}::bigint[],
            ${d.stock.map((r) => r.value)}::bigint[])
          on conflict (shop_id, product_id)
            do update set qty = excluded.qty, value = excluded.value
        ),
        owed as (
          insert into party_balances (shop_id, kind, party_id, balance)
          select ${w.shopId}::text, * from unnest(
            ${d.parties.map((r) => r.kind)}::text[], ${d.parties.map((r) => r.party_id)}::text[],
            ${d.parties.map((r) => r.balance)}::bigint[])
          on conflict (shop_id, kind, party_id) do update set balance = excluded.balance
        ),
        settled as (
          delete from party_balances where shop_id = ${w.shopId} and (kind, party_id) in (
            select * from unnest(${d.zeroParties.map((r) => r.kind)}::text[],
                                 ${d.zeroParties.map((r) => r.party_id)}::text[]))
        )
        select 1`.execute(trx);
    },
  };
}

/**
 * Texts packed for Postgres as one binary `bytea` parameter and the 1-based byte position and
 * length of each (`convert_from(substring(bytes from b for n), 'UTF8')` takes one out). Event
 * bodies are JSON full of quotes: as a `text[]` parameter each would be escaped into an array
 * literal in JavaScript (a regular-expression pass per body) and parsed back by the server; a
 * binary parameter is sent as it is.
 */
function packTexts(texts: readonly string[]): {
  bytes: Buffer;
  starts: number[];
  lengths: number[];
} {
  const starts: number[] = [];
  const lengths: number[] = [];
  let at = 1;
  for (const t of texts) {
    const n = Buffer.byteLength(t);
    starts.push(at);
    lengths.push(n);
    at += n;
  }
  return { bytes: Buffer.from(texts.join('')), starts, lengths };
}
