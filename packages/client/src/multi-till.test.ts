/**
 * The multi-till simulation: a real server (SQLite, and Postgres when reachable — always in CI) and
 * three tills on their own IndexedDB. Random schedules (fast-check, fixed seed in CI) take tills
 * offline and online, sell the same scarce products, lose responses after the server committed,
 * crash and reopen tills from storage, and retry. After the network heals every till's derived
 * state equals the server's and a rebuild from the log; nothing is lost or counted twice; invoice
 * numbers are unique and gapless per till; oversold products are in the conflict list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listConflicts } from '@smartkirana/domain/conflicts';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { parseInvoiceNumber, seriesGaps } from '@smartkirana/domain/invoice-series';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import {
  createTestShop,
  dialects,
  startTestServer,
  type TestServer,
} from '@smartkirana/server/testing';
import { enrollDevice } from '@smartkirana/server/shops';
import { readDerived } from '@smartkirana/server/derived-store';
import { rebuildShop } from '@smartkirana/server/rebuild';
import { FlakyNetwork, openTestTill } from './testing/index.ts';
import type { Till, TillCredential } from './till.ts';

const TILLS = 3;

type Step =
  | { kind: 'sell'; till: number; product: number; qty: number }
  | { kind: 'offline' | 'online' | 'sync' | 'crash'; till: number }
  | { kind: 'lossy'; till: number; loss: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('sell' as const),
      till: fc.nat(TILLS - 1),
      product: fc.nat(1),
      qty: fc.integer({ min: 1, max: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('offline' as const, 'online' as const, 'sync' as const),
      till: fc.nat(TILLS - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('crash' as const), till: fc.nat(TILLS - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('lossy' as const),
      till: fc.nat(TILLS - 1),
      loss: fc.constantFrom(0, 0.3, 0.7),
    }),
  },
);

async function scenario(server: TestServer, steps: Step[], seed: number): Promise<void> {
  const shop = await createTestShop(server, { seed });
  await server.app.request(`/api/v1/staff/${shop.ownerId}/pin`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${shop.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pin: '246810' }),
  });
  const creds: TillCredential[] = [
    {
      serverUrl: server.url,
      shopId: shop.shopId,
      deviceId: shop.till.deviceId,
      code: shop.till.code,
      secret: shop.till.secret,
    },
  ];
  for (let i = 1; i < TILLS; i++) {
    const t = await enrollDevice(server.services, shop.shopId, shop.ownerId, {
      name: `Till ${i + 1}`,
      kind: 'till',
    });
    creds.push({
      serverUrl: server.url,
      shopId: shop.shopId,
      deviceId: t.deviceId,
      code: t.code,
      secret: t.secret,
    });
  }
  const networks = creds.map(() => new FlakyNetwork(mulberry(seed)));
  const tills: Till[] = [];
  for (const [i, c] of creds.entries())
    tills.push(await openTestTill(c, { network: networks[i] as FlakyNetwork, live: false }));
  const signIn = async (t: Till, who: 'owner' | 'cashier'): Promise<void> => {
    await t.refreshStaff().catch(() => undefined);
    const ok =
      who === 'owner'
        ? await t.signIn(shop.ownerId, '246810')
        : await t.signIn(shop.cashierId, '1234');
    if (!ok) throw new Error(`cannot sign in as ${who}`);
  };

  // The owner sets up two scarce products on till 1; everyone syncs.
  const first = tills[0] as Till;
  await first.syncNow();
  await signIn(first, 'owner');
  const products: string[] = [];
  for (const spec of [DEMO_PRODUCTS[1], DEMO_PRODUCTS[3]]) {
    const productId = crypto.randomUUID();
    await first.commands.record('v1.ProductCreated', {
      productId,
      ...(spec as NonNullable<typeof spec>),
    });
    products.push(productId);
  }
  await first.commands.receiveStock(
    products.map((productId) => ({ productId, qty: 4, unitCost: 10000 })),
  );
  await first.syncNow();
  for (const t of tills) {
    await t.syncNow();
    await signIn(t, 'cashier');
  }

  const sold = new Set<string>();
  for (const step of steps) {
    const i = step.till;
    const network = networks[i] as FlakyNetwork;
    switch (step.kind) {
      case 'sell': {
        const sale = await (tills[i] as Till).commands.sell({
          items: [{ productId: products[step.product] as string, qty: step.qty }],
          pay: 'cash',
        });
        sold.add(sale.id);
        break;
      }
      case 'offline':
        network.online = false;
        break;
      case 'online':
        network.online = true;
        break;
      case 'lossy':
        network.loseResponses = step.loss;
        break;
      case 'sync':
        await Promise.race([
          (tills[i] as Till).syncNow(),
          new Promise((r) => setTimeout(r, 300)),
        ]).catch(() => undefined);
        break;
      case 'crash': {
        await (tills[i] as Till).close();
        tills[i] = await openTestTill(creds[i] as TillCredential, { network, live: false });
        await signIn(tills[i], 'cashier').catch(() => undefined);
        break;
      }
    }
  }

  // Heal: everyone online, nothing lost; sync until every till has nothing pending.
  for (const n of networks) {
    n.online = true;
    n.loseResponses = 0;
  }
  for (let round = 0; round < 3; round++) {
    for (const t of tills)
      await withinSeconds(20, t.syncNow(), async () => JSON.stringify(await t.status()));
  }
  for (const t of tills) expect(await t.unsynced()).toEqual([]);

  const db = server.services.db.db;
  const stored = await db
    .selectFrom('events')
    .select(['id', 'body'])
    .where('shop_id', '=', shop.shopId)
    .execute();
  const ids = stored.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of sold) expect(ids).toContain(id);

  const { projection } = await server.services.cache.get(db, shop.shopId);
  const serverSnapshot = snapshotProjection(projection);
  for (const t of tills) expect(snapshotProjection(t.projection)).toEqual(serverSnapshot);
  const derived = await readDerived(db, shop.shopId);
  await rebuildShop(server.services, shop.shopId);
  expect(await readDerived(db, shop.shopId)).toEqual(derived);

  const bySeries = new Map<string, number[]>();
  for (const r of stored) {
    const e = JSON.parse(r.body) as { type: string; payload: { invoiceNo?: string } };
    if (e.type !== 'v1.SaleCompleted' || !e.payload.invoiceNo) continue;
    const parsed = parseInvoiceNumber(e.payload.invoiceNo);
    if (!parsed) throw new Error('bad invoice number');
    const key = `${parsed.prefix}/${parsed.fy}`;
    bySeries.set(key, [...(bySeries.get(key) ?? []), parsed.seq]);
  }
  for (const seqs of bySeries.values()) {
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seriesGaps(seqs)).toEqual([]);
  }
  const conflicts = listConflicts(projection);
  for (const productId of products) {
    const qty = projection.timeline(productId).state.qty;
    if (qty < 0)
      expect(
        conflicts.some(
          (c) => c.kind === 'oversell' && c.productId === productId && c.status === 'open',
        ),
      ).toBe(true);
  }
  for (const t of tills) await t.close();
}

/** Fail with the till's status instead of hanging until the test's timeout. */
async function withinSeconds<T>(
  seconds: number,
  work: Promise<T>,
  describe: () => Promise<string>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void describe().then((d) =>
        reject(new Error(`sync did not settle within ${seconds} s: ${d}`)),
      );
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const dialect of await dialects()) {
  describe(`multi-till simulation on ${dialect}`, () => {
    it('converges exactly once under random outages, lost responses and crashes', async () => {
      const server = await startTestServer(dialect);
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(stepArb, { minLength: 5, maxLength: 25 }),
            fc.integer({ min: 1, max: 1_000_000 }),
            async (steps, seed) => {
              await scenario(server, steps, seed);
            },
          ),
          { numRuns: dialect === 'sqlite' ? 6 : 3, endOnFailure: true },
        );
      } finally {
        await server.close();
      }
    });
  });
}
