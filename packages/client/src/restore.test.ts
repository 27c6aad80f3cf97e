/**
 * Restore: a shop server is backed up, keeps working (some of it reaches the cloud, some does not
 * before the box dies), is destroyed, restored from the backup and catches up — from the cloud for
 * what it had pushed, from its till for what it had only acknowledged. Nothing is lost or doubled
 * and the box never issues an invoice number twice.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { backupSqlite, restoreSqlite } from '@smartkirana/server/backup';
import { readDerived } from '@smartkirana/server/derived-store';
import {
  createTestShop,
  dialects,
  LinkProxy,
  startTestServer,
  type TestServer,
} from '@smartkirana/server/testing';
import { openTestTill } from './testing/index.ts';
import type { Till } from './till.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function ids(server: TestServer, shopId: string): Promise<string[]> {
  const rows = await server.services.db.db
    .selectFrom('events')
    .select('id')
    .where('shop_id', '=', shopId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.id);
}

async function restSale(box: TestServer, token: string, productId: string): Promise<string> {
  const res = await fetch(`${box.url}/api/v1/sales`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ lines: [{ productId, qty: 1 }] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { invoiceNo: string }).invoiceNo;
}

async function login(server: TestServer, phone: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: 'correct horse' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

for (const dialect of await dialects()) {
  describe(`restoring a shop server (cloud on ${dialect})`, () => {
    it('backs up, is destroyed, restores and catches up from the cloud and its till', async () => {
      const jwt = { JWT_SECRET: 'restore-test-secret-0123456789abcdefghijkl' };
      const first = await startTestServer(dialect);
      const cloudUrl = first.databaseUrl;
      await first.services.db.close();
      let cloud = await startTestServer(dialect, jwt, { databaseUrl: cloudUrl });
      cleanup.push(() => cloud.close());
      const shop = await createTestShop(cloud);
      const ownerPhone = (
        await cloud.services.db.db
          .selectFrom('users')
          .select('phone')
          .where('id', '=', shop.ownerId)
          .executeTakeFirstOrThrow()
      ).phone;
      const ownerToken = await login(cloud, ownerPhone);
      await fetch(`${cloud.url}/api/v1/staff/${shop.ownerId}/pin`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pin: '246810' }),
      });
      const enrolled = await fetch(`${cloud.url}/api/v1/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Shop box', kind: 'server' }),
      });
      const link = (await enrolled.json()) as { deviceId: string; secret: string };
      const upstream = await LinkProxy.start(cloud.port);
      cleanup.push(() => upstream.close());
      const boxEnv = {
        ...jwt,
        UPSTREAM_URL: upstream.url,
        UPSTREAM_DEVICE_ID: link.deviceId,
        UPSTREAM_SECRET: link.secret,
        UPSTREAM_INTERVAL_MS: '200',
      };
      let box = await startTestServer('sqlite', boxEnv);
      const boxUrl = box.databaseUrl;
      cleanup.push(async () => {
        await box.close();
        for (const f of [boxFile(boxUrl), `${boxFile(boxUrl)}-wal`, `${boxFile(boxUrl)}-shm`])
          rmSync(f, { force: true });
      });
      await box.services.upstream?.settled();
      const lan = await LinkProxy.start(box.port);
      cleanup.push(() => lan.close());

      const till: Till = await openTestTill(
        {
          serverUrl: lan.url,
          shopId: shop.shopId,
          deviceId: shop.till.deviceId,
          code: shop.till.code,
          secret: shop.till.secret,
        },
        { retryMs: 50 },
      );
      cleanup.push(() => till.close());
      await till.syncNow();
      await till.refreshStaff();
      expect(await till.signIn(shop.ownerId, '246810')).toBeTruthy();
      const productId = crypto.randomUUID();
      await till.commands.record('v1.ProductCreated', {
        productId,
        ...(DEMO_PRODUCTS[1] as NonNullable<(typeof DEMO_PRODUCTS)[1]>),
      });
      await till.commands.receiveStock([{ productId, qty: 100, unitCost: 9000 }]);
      const sold: string[] = [];
      const sell = async (n: number): Promise<void> => {
        for (let i = 0; i < n; i++)
          sold.push((await till.commands.sell({ items: [{ productId, qty: 1 }], pay: 'cash' })).id);
        await till.syncNow();
      };
      await sell(5);
      await box.services.upstream?.settled();

      // The backup; then more work, which reaches the cloud.
      const backup = join(tmpdir(), `sk-backup-${crypto.randomUUID()}.db`);
      cleanup.push(() => {
        rmSync(backup, { force: true });
        return Promise.resolve();
      });
      await backupSqlite(box.services.db, backup);
      await sell(5);
      const boxOwner = await login(box, ownerPhone);
      const firstInvoice = await restSale(box, boxOwner, productId);
      await box.services.upstream?.settled();

      // The internet goes; the till's last sales are acknowledged by the box only; the box dies.
      upstream.cut();
      await sell(3);
      expect(await till.unsynced()).toEqual([]);
      await box.close();
      for (const f of [boxFile(boxUrl), `${boxFile(boxUrl)}-wal`, `${boxFile(boxUrl)}-shm`])
        rmSync(f, { force: true });

      // Restored from the backup; the internet is back.
      await restoreSqlite(boxUrl, backup);
      upstream.heal();
      await cloud.close();
      cloud = await startTestServer(dialect, jwt, { databaseUrl: cloudUrl });
      upstream.retarget(cloud.port);
      box = await startTestServer('sqlite', boxEnv, { databaseUrl: boxUrl });
      lan.retarget(box.port);

      await expect
        .poll(
          async () => {
            await till.syncNow().catch(() => undefined);
            await box.services.upstream?.settled();
            const [atBox, atCloud] = [await ids(box, shop.shopId), await ids(cloud, shop.shopId)];
            const missing = {
              box: sold.filter((id) => !atBox.includes(id)).length,
              cloud: sold.filter((id) => !atCloud.includes(id)).length,
            };
            // Empty once everything is on both servers; otherwise what is missing, and the link.
            return missing.box + missing.cloud === 0
              ? ''
              : JSON.stringify({ missing, link: await box.services.upstream?.status() });
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe('');
      const [atBox, atCloud] = [await ids(box, shop.shopId), await ids(cloud, shop.shopId)];
      expect(new Set(atBox).size).toBe(atBox.length);
      expect([...atBox].sort()).toEqual([...atCloud].sort());
      expect(await readDerived(box.services.db.db, shop.shopId)).toEqual(
        await readDerived(cloud.services.db.db, shop.shopId),
      );
      // The box's own invoice series continues past what it issued after the backup.
      const next = await restSale(box, await login(box, ownerPhone), productId);
      expect(next > firstInvoice).toBe(true);
      expect(next.split('/')[0]).toBe(firstInvoice.split('/')[0]);
    });
  });
}

function boxFile(url: string): string {
  return url.replace(/^sqlite:/, '');
}
