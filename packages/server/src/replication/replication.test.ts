/**
 * Shop server (SQLite) replicating to a cloud server (SQLite and Postgres), in one process over
 * real HTTP: the shop comes down from the cloud with its people and devices, events recorded on
 * either side reach the other exactly once, nothing loops, each side keeps its own gapless
 * sequence and the derived books agree; the link survives the cloud going away and a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import { readDerived } from '../derived-store.ts';
import { addStaff } from '../shops.ts';
import {
  createTestShop,
  dialects,
  pushRequest,
  startTestServer,
  syncHeaders,
  type TestServer,
  type TestShop,
} from '../testing/index.ts';
import type { Directory } from './directory.ts';
import type { ReplicationStatus } from './routes.ts';

const running: TestServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0).reverse()) await s.close();
});

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T;
  return body;
}

async function deviceToken(server: TestServer, deviceId: string, secret: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/device-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deviceId, secret }),
  });
  expect(res.status).toBe(200);
  return (await json<{ accessToken: string }>(res)).accessToken;
}

async function login(server: TestServer, phone: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password }),
  });
  expect(res.status).toBe(200);
  return (await json<{ accessToken: string }>(res)).accessToken;
}

async function push(server: TestServer, token: string, events: readonly DomainEvent[]) {
  const res = await fetch(`${server.url}/sync/v1/push`, pushRequest(token, events));
  expect(res.status).toBe(200);
  return json<{ results: { status: string }[] }>(res);
}

async function enroll(server: TestServer, token: string, kind: 'till' | 'server', name: string) {
  const res = await fetch(`${server.url}/api/v1/devices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, kind }),
  });
  return {
    status: res.status,
    body: await json<{ deviceId: string; code: string; secret: string }>(res),
  };
}

/** Every event id of the shop's log on a server, in sequence order, with the sequence numbers. */
async function log(server: TestServer, shopId: string) {
  const rows = await server.services.db.db
    .selectFrom('events')
    .select(['seq', 'id'])
    .where('shop_id', '=', shopId)
    .orderBy('seq')
    .execute();
  return { seqs: rows.map((r) => r.seq), ids: rows.map((r) => r.id) };
}

async function startShopServer(
  cloud: TestServer,
  server: { deviceId: string; secret: string },
  databaseUrl?: string,
) {
  const shop = await startTestServer(
    'sqlite',
    {
      UPSTREAM_URL: cloud.url,
      UPSTREAM_DEVICE_ID: server.deviceId,
      UPSTREAM_SECRET: server.secret,
      UPSTREAM_INTERVAL_MS: '200',
    },
    databaseUrl === undefined ? {} : { databaseUrl },
  );
  running.push(shop);
  return shop;
}

async function settled(shopServer: TestServer): Promise<void> {
  const link = shopServer.services.upstream;
  if (!link) throw new Error('no upstream link');
  await link.settled();
}

async function expectConverged(a: TestServer, b: TestServer, shopId: string): Promise<void> {
  const [la, lb] = [await log(a, shopId), await log(b, shopId)];
  expect(new Set(la.ids).size).toBe(la.ids.length);
  expect([...la.ids].sort()).toEqual([...lb.ids].sort());
  // Each server numbers its own log, gapless from 1.
  expect(la.seqs).toEqual(la.seqs.map((_, i) => i + 1));
  expect(lb.seqs).toEqual(lb.seqs.map((_, i) => i + 1));
  expect(await readDerived(a.services.db.db, shopId)).toEqual(
    await readDerived(b.services.db.db, shopId),
  );
}

function stock(shop: TestShop, qty: number) {
  shop.tillSim.actorId = shop.ownerId;
  const product = shop.tillSim.createProduct(DEMO_PRODUCTS[2]);
  const receipt = shop.tillSim.receiveStock([{ productId: product.payload.productId, qty }], {
    paidBy: 'opening',
  });
  return { productId: product.payload.productId, events: [product, receipt] };
}

for (const dialect of await dialects()) {
  describe(`shop server (sqlite) → cloud (${dialect})`, () => {
    it('brings the shop down, replicates both ways exactly once and agrees on the books', async () => {
      const cloud = await startTestServer(dialect);
      running.push(cloud);
      const shop = await createTestShop(cloud);
      // Every role comes down, customers with khata logins included.
      for (const [i, role] of (['stockkeeper', 'customer', 'accountant'] as const).entries())
        await addStaff(cloud.services, shop.shopId, shop.ownerId, {
          name: `Person ${i}`,
          phone: `70000000${i}${i}`,
          role,
        });
      const link = await enroll(cloud, shop.ownerToken, 'server', 'Shop box');
      expect(link.status).toBe(201);
      expect(link.body.code).toMatch(/^S0[2-9]$/);
      const box = await startShopServer(cloud, link.body);
      await settled(box);

      // The shop, its people and devices came down: the owner and the till sign in at the box.
      const phone = (
        await cloud.services.db.db
          .selectFrom('users')
          .select('phone')
          .where('id', '=', shop.ownerId)
          .executeTakeFirstOrThrow()
      ).phone;
      const ownerAtBox = await login(box, phone, 'correct horse');
      const tillAtBox = await deviceToken(box, shop.till.deviceId, shop.till.secret);
      await expectConverged(box, cloud, shop.shopId);
      const roles = async (server: TestServer) =>
        (
          await server.services.db.db
            .selectFrom('memberships')
            .select(['user_id', 'role'])
            .where('shop_id', '=', shop.shopId)
            .orderBy('user_id')
            .execute()
        ).map((r) => `${r.user_id}:${r.role}`);
      expect(await roles(box)).toEqual(await roles(cloud));
      expect(await roles(box)).toHaveLength(5);

      // A till sells at the box (LAN); a second till sells at the cloud; the owner writes on both.
      const { productId, events } = stock(shop, 100);
      const sales: DomainEvent[] = [...events];
      for (let i = 0; i < 20; i++)
        sales.push(shop.tillSim.sell([{ productId, qty: 1 }], { pay: 'cash' }));
      const pushed = await push(box, tillAtBox, sales);
      expect(pushed.results.every((r) => r.status === 'accepted')).toBe(true);
      const second = await enroll(cloud, shop.ownerToken, 'till', 'Counter 2');
      const till2 = shop.sim.addDevice(second.body.code, {
        deviceId: second.body.deviceId,
        actorId: shop.ownerId,
      });
      await settled(box);
      const till2Sales = Array.from({ length: 10 }, () =>
        till2.sell([{ productId, qty: 2 }], { pay: 'upi' }),
      );
      const till2Token = await deviceToken(cloud, second.body.deviceId, second.body.secret);
      await push(cloud, till2Token, till2Sales);
      const price = await fetch(`${box.url}/api/v1/products/${productId}/price`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ownerAtBox}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sellingPrice: 2800 }),
      });
      expect(price.status).toBeLessThan(300);
      await settled(box);
      await expectConverged(box, cloud, shop.shopId);
      const stockRow = await cloud.services.db.db
        .selectFrom('stock')
        .select('qty')
        .where('shop_id', '=', shop.shopId)
        .where('product_id', '=', productId)
        .executeTakeFirstOrThrow();
      expect(stockRow.qty).toBe(100 - 20 - 2 * 10);

      // Nothing loops: what the box pulled is marked and was never pushed back.
      const marked = await box.services.db.db
        .selectFrom('events')
        .select('id')
        .where('shop_id', '=', shop.shopId)
        .where('from_upstream', '=', 1)
        .execute();
      const pulledIds = new Set(marked.map((r) => r.id));
      for (const e of till2Sales) expect(pulledIds.has(e.id)).toBe(true);
      for (const e of sales) expect(pulledIds.has(e.id)).toBe(false);

      // Both sides report the link: the box its upstream, the cloud the box below it.
      const atBox = await json<ReplicationStatus>(
        await fetch(`${box.url}/api/v1/replication`, {
          headers: { authorization: `Bearer ${ownerAtBox}` },
        }),
      );
      expect(atBox.upstream).toMatchObject({
        shopId: shop.shopId,
        unpushed: 0,
        behind: 0,
        lastError: null,
      });
      const atCloud = await json<ReplicationStatus>(
        await fetch(`${cloud.url}/api/v1/replication`, {
          headers: { authorization: `Bearer ${shop.ownerToken}` },
        }),
      );
      expect(atCloud.upstream).toBeNull();
      expect(atCloud.downstream).toEqual([
        expect.objectContaining({ deviceId: link.body.deviceId, unpushed: 0, behind: 0 }),
      ]);
    });

    it('keeps selling while the cloud is away, then catches up after a restart of both', async () => {
      const cloudDb = await startTestServer(dialect);
      const databaseUrl = cloudDb.databaseUrl;
      const secret = { JWT_SECRET: `shared-${databaseUrl.length}-secret-for-restarts-0123456789` };
      await cloudDb.services.db.close().catch(() => undefined);
      // The first handle only made the database; the cloud runs on it from here (and restarts).
      let cloud = await startTestServer(dialect, secret, { databaseUrl });
      running.push(cloud);
      const shop = await createTestShop(cloud);
      const link = await enroll(cloud, shop.ownerToken, 'server', 'Shop box');
      const box = await startShopServer(cloud, link.body);
      await settled(box);
      const tillAtBox = await deviceToken(box, shop.till.deviceId, shop.till.secret);
      const { productId, events } = stock(shop, 50);
      await push(box, tillAtBox, events);
      await settled(box);

      await cloud.close();
      running.splice(running.indexOf(cloud), 1);
      const offline = Array.from({ length: 15 }, () => shop.tillSim.sell([{ productId, qty: 1 }]));
      expect(
        (await push(box, tillAtBox, offline)).results.every((r) => r.status === 'accepted'),
      ).toBe(true);
      // Enrolling needs the cloud (it allocates device codes): refused cleanly while it is away.
      const ownerPhone = (
        await box.services.db.db
          .selectFrom('users')
          .select('phone')
          .where('id', '=', shop.ownerId)
          .executeTakeFirstOrThrow()
      ).phone;
      const ownerAtBox = await login(box, ownerPhone, 'correct horse');
      const refused = await fetch(`${box.url}/api/v1/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ownerAtBox}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Counter 3', kind: 'till' }),
      });
      expect(refused.status).toBe(503);
      await expect
        .poll(async () => (await box.services.upstream?.status())?.lastError ?? null)
        .not.toBeNull();
      const waiting = await box.services.upstream?.status();
      expect(waiting?.unpushed).toBe(15);

      // The box restarts too, on its own database; then the cloud comes back.
      const boxUrl = box.databaseUrl;
      await box.close();
      running.splice(running.indexOf(box), 1);
      cloud = await startTestServer(dialect, secret, { databaseUrl });
      running.push(cloud);
      const again = await startShopServer(cloud, link.body, boxUrl);
      await settled(again);
      await expectConverged(again, cloud, shop.shopId);
      const status = await again.services.upstream?.status();
      expect(status).toMatchObject({ unpushed: 0, behind: 0, lastError: null, live: true });

      // Enrolling through the box now works, with a code the cloud allocated.
      const ownerAgain = await login(again, ownerPhone, 'correct horse');
      const enrolled = await enroll(again, ownerAgain, 'till', 'Counter 3');
      expect(enrolled.status).toBe(201);
      const atCloud = await cloud.services.db.db
        .selectFrom('devices')
        .select('code')
        .where('id', '=', enrolled.body.deviceId)
        .executeTakeFirst();
      expect(atCloud?.code).toBe(enrolled.body.code);
      await deviceToken(again, enrolled.body.deviceId, enrolled.body.secret);
      await deviceToken(cloud, enrolled.body.deviceId, enrolled.body.secret);
    });

    it('refuses directory and enrollment calls from tills, and sign-in as the box itself', async () => {
      const cloud = await startTestServer(dialect);
      running.push(cloud);
      const shop = await createTestShop(cloud);
      for (const [method, path] of [
        ['GET', '/sync/v1/directory'],
        ['POST', '/sync/v1/enroll'],
      ] as const) {
        const res = await fetch(`${cloud.url}${path}`, {
          method,
          headers: syncHeaders(shop.till.token),
          ...(method === 'POST'
            ? { body: JSON.stringify({ name: 'x', kind: 'till', actorId: shop.ownerId }) }
            : {}),
        });
        expect(res.status).toBe(403);
      }
      const manager = await enroll(cloud, shop.cashierToken, 'server', 'not allowed');
      expect(manager.status).toBe(403);
      const link = await enroll(cloud, shop.ownerToken, 'server', 'Shop box');
      const box = await startShopServer(cloud, link.body);
      await settled(box);
      const res = await fetch(`${box.url}/api/v1/auth/device-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: link.body.deviceId, secret: link.body.secret }),
      });
      expect(res.status).toBe(401);
    });

    it('takes no account or owner changes from below: a stolen box cannot take the shop', async () => {
      const cloud = await startTestServer(dialect);
      running.push(cloud);
      const shop = await createTestShop(cloud);
      const link = await enroll(cloud, shop.ownerToken, 'server', 'Shop box');
      const boxToken = await deviceToken(cloud, link.body.deviceId, link.body.secret);
      const directory = await json<Directory>(
        await fetch(`${cloud.url}/sync/v1/directory`, { headers: syncHeaders(boxToken) }),
      );
      const later = Date.now() + 60_000;
      const forged: Directory = {
        ...directory,
        shop: undefined,
        users: directory.users.map((u) =>
          u.id === shop.ownerId ? { ...u, passwordHash: 'forged-hash', updatedAt: later } : u,
        ),
        memberships: directory.memberships.map((m) =>
          m.userId === shop.cashierId
            ? { ...m, role: 'owner' as const, updatedAt: later }
            : m.userId === shop.ownerId
              ? { ...m, removedAt: later, updatedAt: later }
              : m,
        ),
      };
      const answer = await fetch(`${cloud.url}/sync/v1/directory`, {
        method: 'POST',
        headers: syncHeaders(boxToken),
        body: JSON.stringify(forged),
      });
      expect(answer.status).toBe(201);
      const report = await json<{ changed: number; skipped: string[] }>(answer);
      expect(report.changed).toBe(0);
      expect(report.skipped).toHaveLength(3);
      expect(
        await json<Directory>(
          await fetch(`${cloud.url}/sync/v1/directory`, { headers: syncHeaders(boxToken) }),
        ),
      ).toEqual(directory);

      // At a linked box, the same changes are refused up front.
      const box = await startShopServer(cloud, link.body);
      await settled(box);
      const phone = directory.users.find((u) => u.id === shop.ownerId)?.phone ?? '';
      const owner = await login(box, phone, 'correct horse');
      const headers = { authorization: `Bearer ${owner}`, 'content-type': 'application/json' };
      const password = await fetch(`${box.url}/api/v1/auth/me`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ currentPassword: 'correct horse', newPassword: 'another horse 2' }),
      });
      expect(password.status).toBe(409);
      const promote = await fetch(`${box.url}/api/v1/staff/${shop.cashierId}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ role: 'owner' }),
      });
      expect(promote.status).toBe(409);
    });
  });
}
