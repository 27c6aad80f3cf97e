/**
 * The sync protocol over real HTTP, on SQLite and Postgres: push, duplicates, pull by checkpoint,
 * the live stream, quarantine, concurrency, bad input, and derived rows equal to a rebuild.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import {
  createTestShop,
  dialects,
  startTestServer,
  pushRequest,
  syncHeaders,
  type TestServer,
  type TestShop,
} from '../testing/index.ts';
import { readDerived } from '../derived-store.ts';
import { rebuildShop } from '../rebuild.ts';
import { PROTOCOL_HEADER } from './protocol.ts';
import { revokeDevice } from '../shops.ts';
import {
  projectionSeedSchema,
  seededProjection,
  seedOf,
} from '@smartkirana/domain/projection-seed';
import { ShopProjection } from '@smartkirana/domain/shop-projection';

function project(events: readonly DomainEvent[]): ShopProjection {
  const p = new ShopProjection();
  p.apply(events);
  return p;
}

interface PushResponse {
  conflicts: unknown[];
  results: { id: string; status: string; code?: string; seq?: number }[];
  checkpoint: { seq: number };
}
interface PullResponse {
  documents: DomainEvent[];
  checkpoint: { seq: number };
  hasMore: boolean;
}

async function push(
  server: TestServer,
  token: string,
  events: readonly DomainEvent[],
): Promise<{ status: number; body: PushResponse }> {
  const res = await fetch(
    `${server.url}/sync/v1/push`,
    pushRequest(
      token,
      events.map((e) => ({ ...e, _deleted: false })),
    ),
  );
  return { status: res.status, body: (await res.json()) as PushResponse };
}

async function pull(
  server: TestServer,
  token: string,
  after: number,
  limit = 1000,
): Promise<PullResponse> {
  const res = await fetch(`${server.url}/sync/v1/pull?after=${after}&limit=${limit}`, {
    headers: syncHeaders(token),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as PullResponse;
}

/** A product with stock, created by the owner on the till. */
function stocked(shop: TestShop, qty: number) {
  shop.tillSim.actorId = shop.ownerId;
  const product = shop.tillSim.createProduct(DEMO_PRODUCTS[1]);
  const receipt = shop.tillSim.receiveStock([{ productId: product.payload.productId, qty }], {
    paidBy: 'opening',
  });
  return { productId: product.payload.productId, events: [product, receipt] };
}

for (const dialect of await dialects()) {
  describe(`sync protocol on ${dialect}`, () => {
    let server: TestServer;
    let shop: TestShop;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      shop = await createTestShop(server);
    });
    afterAll(async () => {
      await server.close();
    });

    it('push is idempotent; pull returns events in sequence order after the checkpoint', async () => {
      const { productId, events } = stocked(shop, 10);
      const sale = shop.tillSim.sell([{ productId, qty: 2 }], { pay: 'upi' });
      const first = await push(server, shop.till.token, [...events, sale]);
      expect(first.status).toBe(200);
      expect(first.body.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(first.body.conflicts).toEqual([]);
      // The response was "lost": the till retries the same batch and gets the same answer.
      const retry = await push(server, shop.till.token, [...events, sale]);
      expect(retry.body.results.map((r) => r.status)).toEqual([
        'duplicate',
        'duplicate',
        'duplicate',
      ]);
      expect(retry.body.results.map((r) => r.seq)).toEqual(first.body.results.map((r) => r.seq));
      const page = await pull(server, shop.till.token, 0);
      const seqs = page.documents.map((d) => d.id);
      expect(seqs).toContain(sale.id);
      expect(page.checkpoint.seq).toBe(retry.body.checkpoint.seq);
      const after = await pull(server, shop.till.token, page.checkpoint.seq);
      expect(after).toEqual({
        documents: [],
        checkpoint: { seq: page.checkpoint.seq, log: server.services.logId },
        hasMore: false,
        head: page.checkpoint.seq,
      });
      // A checkpoint of another log (another server, or this one before a restore) starts over.
      const foreign = await fetch(
        `${server.url}/sync/v1/pull?after=${page.checkpoint.seq}&log=another-log`,
        { headers: syncHeaders(shop.till.token) },
      );
      const restarted = (await foreign.json()) as PullResponse;
      expect(restarted.documents.map((d) => d.id)).toEqual(
        (await pull(server, shop.till.token, 0)).documents.map((d) => d.id),
      );
      const same = await fetch(
        `${server.url}/sync/v1/pull?after=${page.checkpoint.seq}&log=${server.services.logId}`,
        { headers: syncHeaders(shop.till.token) },
      );
      expect(((await same.json()) as PullResponse).documents).toEqual([]);
      const paged = await pull(server, shop.till.token, 0, 2);
      expect(paged.hasMore).toBe(true);
      expect(paged.documents).toHaveLength(2);
    });

    it('quarantines what the signed-in person may not record, and accepts the rest', async () => {
      const { productId, events } = stocked(shop, 5);
      await push(server, shop.till.token, events);
      shop.tillSim.actorId = shop.cashierId;
      const priceChange = shop.tillSim.changePrice(productId, 99_00);
      const sale = shop.tillSim.sell([{ productId, qty: 1 }]);
      const { body } = await push(server, shop.till.token, [priceChange, sale]);
      expect(body.results[0]).toMatchObject({
        id: priceChange.id,
        status: 'quarantined',
        code: 'forbidden_event',
      });
      expect(body.results[1]).toMatchObject({ id: sale.id, status: 'accepted' });
      const again = await push(server, shop.till.token, [priceChange]);
      expect(again.body.results[0]).toMatchObject({
        status: 'quarantined',
        code: 'forbidden_event',
      });
      const rows = await server.services.db.db
        .selectFrom('quarantine')
        .select(['id', 'code'])
        .where('shop_id', '=', shop.shopId)
        .execute();
      expect(rows).toEqual([{ id: priceChange.id, code: 'forbidden_event' }]);
    });

    it('stores every body whole, multi-byte text included, in the log and in quarantine', async () => {
      shop.tillSim.actorId = shop.ownerId;
      const [spec, other] = [DEMO_PRODUCTS[2], DEMO_PRODUCTS[3]];
      if (!spec || !other) throw new Error('the demo catalogue is shorter than expected');
      const product = (name: string) => shop.tillSim.createProduct({ ...spec, name });
      const sugar = product('चीनी (खुली) 1 किलो');
      const ghee = product('Ghee 🧈 500 ml');
      shop.tillSim.actorId = shop.cashierId;
      // A cashier may not add products: held back, between accepted events of the same batch.
      const held = shop.tillSim.createProduct({ ...other, name: 'दाल 🫘 मूंग' });
      shop.tillSim.actorId = shop.ownerId;
      const atta = product('Atta — चक्की फ्रेश');
      const created = [sugar, ghee, atta];
      const batch = [sugar, held, ghee, atta];
      const { body } = await push(server, shop.till.token, batch);
      expect(body.results.map((r) => r.status)).toEqual([
        'accepted',
        'quarantined',
        'accepted',
        'accepted',
      ]);
      const logged = await server.services.db.db
        .selectFrom('events')
        .select(['id', 'body'])
        .where(
          'id',
          'in',
          created.map((e) => e.id),
        )
        .execute();
      expect(new Map(logged.map((r) => [r.id, JSON.parse(r.body) as unknown]))).toEqual(
        new Map(created.map((e) => [e.id, e])),
      );
      const quarantined = await server.services.db.db
        .selectFrom('quarantine')
        .select('body')
        .where('id', '=', held.id)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(quarantined.body)).toEqual(held);
    });

    it('holds back a valid event that would overflow the books, and keeps the rest flowing', async () => {
      const { productId, events } = stocked(shop, 2);
      await push(server, shop.till.token, events);
      shop.tillSim.actorId = shop.ownerId;
      const absurd = shop.tillSim.adjust(productId, 1_000_000_000_000, 'found');
      const fine = shop.tillSim.sell([{ productId, qty: 1 }]);
      const { status, body } = await push(server, shop.till.token, [absurd, fine]);
      expect(status).toBe(200);
      expect(body.results[0]).toMatchObject({
        id: absurd.id,
        status: 'quarantined',
        code: 'out_of_range',
      });
      expect(body.results[1]).toMatchObject({ id: fine.id, status: 'accepted' });
      const again = await push(server, shop.till.token, [
        shop.tillSim.sell([{ productId, qty: 1 }]),
      ]);
      expect(again.body.results[0]?.status).toBe('accepted');
    });

    it('refuses bad requests with a 4xx and stores nothing', async () => {
      const before = await count(server);
      const { events } = stocked(shop, 1);
      const good = events[0];
      if (!good) throw new Error('no event');
      const cases: [RequestInit & { path?: string }, number, string][] = [
        [{ body: '{"rows": [', headers: syncHeaders(shop.till.token) }, 400, 'malformed_json'],
        [
          {
            body: JSON.stringify({
              rows: [{ newDocumentState: { ...good, payload: { ...good.payload, sku: 5 } } }],
            }),
            headers: syncHeaders(shop.till.token),
          },
          422,
          'validation_failed',
        ],
        [
          {
            body: JSON.stringify({
              rows: [
                { newDocumentState: { ...good, shopId: '00000000-0000-4000-8000-000000000000' } },
              ],
            }),
            headers: syncHeaders(shop.till.token),
          },
          403,
          'wrong_shop',
        ],
        [
          {
            body: JSON.stringify({ rows: [{ newDocumentState: { ...good, _deleted: true } }] }),
            headers: syncHeaders(shop.till.token),
          },
          422,
          'validation_failed',
        ],
        [
          {
            body: JSON.stringify({ rows: [] }),
            headers: { ...syncHeaders(shop.till.token), [PROTOCOL_HEADER]: '0' },
          },
          426,
          'upgrade_required',
        ],
        [
          {
            body: JSON.stringify({ rows: [] }),
            headers: { ...syncHeaders('not-a-token-at-all'), authorization: 'Bearer not.a.token' },
          },
          401,
          'token_invalid',
        ],
        [
          { body: JSON.stringify({ rows: [] }), headers: { ...syncHeaders(shop.ownerToken) } },
          403,
          'forbidden',
        ],
        [
          { body: 'x'.repeat(5 * 1024 * 1024), headers: syncHeaders(shop.till.token) },
          413,
          'payload_too_large',
        ],
      ];
      for (const [init, status, code] of cases) {
        const res = await fetch(`${server.url}/sync/v1/push`, { method: 'POST', ...init });
        expect({
          status: res.status,
          code: ((await res.json()) as { error: { code: string } }).error.code,
        }).toEqual({ status, code });
      }
      expect(await count(server)).toEqual(before);
    });

    it('a forged event for another device is refused; a duplicate id with other content is rejected', async () => {
      const other = await createTestShop(server, { seed: 2 });
      const { events } = stocked(other, 1);
      const res = await push(server, shop.till.token, events);
      expect(res.status).toBe(403);
      const { events: mine } = stocked(shop, 1);
      await push(server, shop.till.token, mine);
      const tampered = {
        ...mine[0],
        payload: { ...mine[0]?.payload, name: 'Tampered Tea' },
      } as DomainEvent;
      const { body } = await push(server, shop.till.token, [tampered]);
      expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'id_conflict' });
      expect(body.conflicts).toHaveLength(1);
    });

    it('concurrent pushes from many devices get gapless, unique sequence numbers', async () => {
      const tills = await Promise.all(
        Array.from({ length: 5 }, async (_, i) => createTestShopTill(server, shop, i)),
      );
      await Promise.all(
        tills.map(async (t) => {
          for (let round = 0; round < 4; round++) {
            const batch = Array.from({ length: 10 }, () =>
              t.sim.emit('v1.StaffClockedIn', { userId: shop.ownerId }),
            );
            const { status } = await push(server, t.token, batch);
            expect(status).toBe(200);
          }
        }),
      );
      const rows = await server.services.db.db
        .selectFrom('events')
        .select(['seq'])
        .where('shop_id', '=', shop.shopId)
        .orderBy('seq')
        .execute();
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    });

    it('the live stream opens with RESYNC and delivers events as they commit', async () => {
      const start = (await pull(server, shop.till.token, 0, 5000)).checkpoint.seq;
      const controller = new AbortController();
      const res = await fetch(`${server.url}/sync/v1/stream?after=${start}`, {
        headers: syncHeaders(shop.till.token),
        signal: controller.signal,
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      if (!res.body) throw new Error('no stream');
      const chunks = (res.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      const decoder = new TextDecoder();
      let text = '';
      const until = async (needle: string): Promise<void> => {
        while (!text.includes(needle)) {
          const next = await chunks.next();
          if (next.done === true) throw new Error(`stream ended before ${needle}`);
          text += decoder.decode(next.value);
        }
      };
      await until('RESYNC');
      shop.tillSim.actorId = shop.ownerId;
      const e = shop.tillSim.emit('v1.StaffClockedIn', { userId: shop.ownerId });
      await push(server, shop.till.token, [e]);
      await until(e.id);
      controller.abort();
    });

    it('a snapshot is the seed of exactly the log up to its checkpoint', async () => {
      const { productId, events } = stocked(shop, 5);
      const sale = shop.tillSim.sell([{ productId, qty: 3 }], { pay: 'upi' });
      await push(server, shop.till.token, [...events, sale]);
      const res = await fetch(`${server.url}/sync/v1/snapshot`, {
        headers: syncHeaders(shop.till.token),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        checkpoint: { seq: number; log: string };
        head: number;
        seed: unknown;
      };
      expect(body.checkpoint.log).toBe(server.services.logId);
      // The seed of a projection folded from the log up to the checkpoint, pulled like a till.
      const log: DomainEvent[] = [];
      for (let after = 0; after < body.checkpoint.seq;) {
        const page = await pull(server, shop.till.token, after, 5000);
        log.push(...page.documents);
        after = page.checkpoint.seq;
      }
      expect(log).toHaveLength(body.checkpoint.seq);
      expect(body.seed).toEqual(JSON.parse(JSON.stringify(seedOf(project(log)))));
      const seeded = seededProjection(projectionSeedSchema.parse(body.seed));
      expect(seeded.timeline(productId).state.qty).toBe(2);
      // Only an enrolled device may ask, and not one that was revoked.
      const asOwner = await fetch(`${server.url}/sync/v1/snapshot`, {
        headers: syncHeaders(shop.ownerToken),
      });
      expect(asOwner.status).toBe(403);
      const other = await createTestShopTill(server, shop, 91);
      await revokeDevice(server.services, shop.shopId, shop.ownerId, other.sim.deviceId);
      const revoked = await fetch(`${server.url}/sync/v1/snapshot`, {
        headers: syncHeaders(other.token),
      });
      expect(revoked.status).toBe(403);
      expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe(
        'device_revoked',
      );
    });

    it('derived rows equal a rebuild from the log, and the ledger sums to zero in SQL', async () => {
      const { productId, events } = stocked(shop, 3);
      shop.tillSim.actorId = shop.ownerId;
      const sales = [
        shop.tillSim.sell([{ productId, qty: 2 }]),
        shop.tillSim.sell([{ productId, qty: 2 }], { pay: 'card' }),
      ];
      await push(server, shop.till.token, [
        ...events,
        ...sales,
        shop.tillSim.voidSale(sales[0] as never),
      ]);
      const incremental = await readDerived(server.services.db.db, shop.shopId);
      await rebuildShop(server.services, shop.shopId);
      expect(await readDerived(server.services.db.db, shop.shopId)).toEqual(incremental);
      const sum = await server.services.db.db
        .selectFrom('balances')
        .select((eb) => eb.fn.sum<number>('amount').as('total'))
        .where('shop_id', '=', shop.shopId)
        .executeTakeFirst();
      expect(Number(sum?.total)).toBe(0);
      const { projection } = await server.services.cache.get(server.services.db.db, shop.shopId);
      const stockRow = incremental.stock.find((r) => r.product_id === productId);
      expect(stockRow?.qty).toBe(projection.timeline(productId).state.qty);
    });
  });
}

async function count(server: TestServer) {
  const db = server.services.db.db;
  const [events, quarantine] = await Promise.all([
    db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
    db
      .selectFrom('quarantine')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst(),
  ]);
  return { events: Number(events?.n), quarantine: Number(quarantine?.n) };
}

/** Enroll another till of the same shop and give it a simulated device and token. */
async function createTestShopTill(server: TestServer, shop: TestShop, i: number) {
  const { enrollDevice } = await import('../shops.ts');
  const { signAccessToken } = await import('../auth/tokens.ts');
  const till = await enrollDevice(server.services, shop.shopId, shop.ownerId, {
    name: `Till ${i}`,
    kind: 'till',
  });
  const token = await signAccessToken(server.services.jwtKey, {
    typ: 'device',
    sub: till.deviceId,
    shop: shop.shopId,
  });
  const sim = shop.sim.addDevice(till.code, { deviceId: till.deviceId, actorId: shop.ownerId });
  return { token, sim };
}
