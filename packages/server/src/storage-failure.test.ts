/**
 * Disk trouble mid-ingest. SQLite: the database fills up (`max_page_count` capped at the pages it
 * has, which is what a full disk looks like to SQLite: SQLITE_FULL) or turns read-only
 * (`query_only`: SQLITE_READONLY). Postgres: the database turns read-only under the server (every
 * session ends; new ones are read-only). In each case pushes are refused with 503 `unavailable`,
 * nothing half-written is left, everything acknowledged before is still there, and once the disk
 * is back the same pushes are accepted exactly once and the derived books equal a rebuild.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@smartkirana/domain/events';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { readDerived } from './derived-store.ts';
import { rebuildShop } from './rebuild.ts';
import {
  PG_BASE_URL,
  createTestShop,
  dialects,
  pushRequest,
  startTestServer,
  type TestServer,
  type TestShop,
} from './testing/index.ts';

interface Fault {
  name: string;
  dialect: 'sqlite' | 'postgres';
  /** Make storage refuse writes. */
  break(server: TestServer): Promise<void>;
  /** Give the space (or write access) back. */
  mend(server: TestServer): Promise<void>;
}

const FAULTS: Fault[] = [
  {
    name: 'SQLite disk full',
    dialect: 'sqlite',
    async break(server) {
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(
        server.services.db.db,
      );
      const pages = rows[0]?.page_count ?? 0;
      await sql.raw(`pragma max_page_count = ${pages}`).execute(server.services.db.db);
    },
    async mend(server) {
      await sql.raw('pragma max_page_count = 1073741823').execute(server.services.db.db);
    },
  },
  {
    name: 'SQLite read-only',
    dialect: 'sqlite',
    async break(server) {
      await sql.raw('pragma query_only = on').execute(server.services.db.db);
    },
    async mend(server) {
      await sql.raw('pragma query_only = off').execute(server.services.db.db);
    },
  },
  {
    name: 'Postgres read-only',
    dialect: 'postgres',
    break: (server) => setReadOnly(server, true),
    mend: (server) => setReadOnly(server, false),
  },
];

/** Turn the server's Postgres database read-only (or back) and end its sessions so it applies. */
async function setReadOnly(server: TestServer, on: boolean): Promise<void> {
  const name = new URL(server.databaseUrl).pathname.slice(1);
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: PG_BASE_URL });
  await admin.connect();
  try {
    await admin.query(`alter database ${name} set default_transaction_read_only = ${on}`);
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
  } finally {
    await admin.end();
  }
}

const available = await dialects();

describe.each(FAULTS.filter((f) => available.includes(f.dialect)))('$name mid-ingest', (fault) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    if (server) await fault.mend(server).catch(() => undefined);
    await server?.close();
    server = undefined;
  });

  it('refuses with 503, keeps what it acknowledged, and recovers when storage returns', async () => {
    server = await startTestServer(fault.dialect);
    const shop = await createTestShop(server, { seed: 11 });
    const created = await eventIds(server, shop);
    const setup = catalogue(shop);
    expect((await push(server, shop, setup)).status).toBe(200);
    const acknowledged = await eventIds(server, shop);
    expect(acknowledged).toEqual([...created, ...setup.map((e) => e.id)]);
    const derivedBefore = await readDerived(server.services.db.db, shop.shopId);

    await fault.break(server);
    const sales = sell(shop, 120);
    // Several attempts: the first may meet a connection ended by the fault, later ones the fault.
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await push(server, shop, sales);
      expect(res.status, await res.clone().text()).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    }
    // A read still works, and nothing of the refused pushes is anywhere.
    await fault.mend(server);
    expect(await eventIds(server, shop)).toEqual(acknowledged);
    expect(await readDerived(server.services.db.db, shop.shopId)).toEqual(derivedBefore);

    // Storage is back: the same push is accepted once; a retry is a duplicate.
    const res = await push(server, shop, sales);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { status: string; seq: number }[] };
    expect(body.results.every((r) => r.status === 'accepted')).toBe(true);
    const retry = (await (await push(server, shop, sales)).json()) as typeof body;
    expect(retry.results.every((r) => r.status === 'duplicate')).toBe(true);
    const ids = await eventIds(server, shop);
    expect(ids).toEqual([...acknowledged, ...sales.map((e) => e.id)]);
    const seqs = await server.services.db.db
      .selectFrom('events')
      .select('seq')
      .where('shop_id', '=', shop.shopId)
      .orderBy('seq')
      .execute();
    expect(seqs.map((r) => r.seq)).toEqual(seqs.map((_, i) => i + 1));

    // The derived books the server kept equal a rebuild from the log.
    const incremental = await readDerived(server.services.db.db, shop.shopId);
    await rebuildShop(server.services, shop.shopId);
    expect(await readDerived(server.services.db.db, shop.shopId)).toEqual(incremental);
  });
});

function catalogue(shop: TestShop): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const [i, spec] of DEMO_PRODUCTS.slice(0, 5).entries()) {
    const created = shop.tillSim.createProduct({ ...spec, sku: `${spec.sku}-${i}` });
    events.push(created);
    events.push(
      shop.tillSim.receiveStock([{ productId: created.payload.productId, qty: 10_000 }], {
        paidBy: 'opening',
      }),
    );
  }
  return events;
}

function sell(shop: TestShop, count: number): DomainEvent[] {
  const products = [...shop.sim.products.keys()];
  return Array.from({ length: count }, (_, i) => {
    shop.sim.advance(30_000);
    const productId = products[i % products.length]!;
    const qty = shop.sim.product(productId).unit === 'pc' ? 1 : 250;
    return shop.tillSim.sell([{ productId, qty }], { pay: 'cash' });
  });
}

function push(server: TestServer, shop: TestShop, events: readonly DomainEvent[]) {
  return fetch(`${server.url}/sync/v1/push`, pushRequest(shop.till.token, events));
}

async function eventIds(server: TestServer, shop: TestShop): Promise<string[]> {
  const rows = await server.services.db.db
    .selectFrom('events')
    .select('id')
    .where('shop_id', '=', shop.shopId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.id);
}
