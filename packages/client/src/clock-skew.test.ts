/**
 * Tills whose clocks lie: one right, one a day fast, one a day slow, selling against a real server
 * (SQLite, and Postgres when reachable — always in CI). Ordering follows the hybrid logical clock,
 * so a sale rung up after a till has seen another till's events sorts after them whatever its wall
 * clock says; invoice numbers stay unique and gapless per till; every replica agrees; and the
 * server measures each till's skew from its sync requests and flags the wrong clocks, which the
 * till itself is told too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import { canonicalKey } from '@smartkirana/domain/event-envelope';
import type { EventOfType } from '@smartkirana/domain/events';
import { MAX_TOLERATED_SKEW_MS } from '@smartkirana/domain/hlc';
import { parseInvoiceNumber, seriesGaps } from '@smartkirana/domain/invoice-series';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import { enrollDevice } from '@smartkirana/server/shops';
import {
  createTestShop,
  dialects,
  startTestServer,
  syncHeaders,
  type TestServer,
  type TestShop,
} from '@smartkirana/server/testing';
import { openTestTill } from './testing/index.ts';
import type { Till } from './till.ts';

const DAY = 86_400_000;
/** Slack for the time a request spends in transit and the test's own pace. */
const SLACK = 60_000;

describe.each(await dialects())('tills with wrong clocks (%s)', (dialect) => {
  let server: TestServer;
  let shop: TestShop;
  const tills: { till: Till; skewMs: number }[] = [];

  beforeAll(async () => {
    server = await startTestServer(dialect);
    shop = await createTestShop(server);
    const pin = await server.app.request(`/api/v1/staff/${shop.ownerId}/pin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${shop.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pin: '246810' }),
    });
    expect(pin.status).toBeLessThan(300);
    const skews = [0, DAY, -DAY];
    for (const [i, skewMs] of skews.entries()) {
      const device =
        i === 0
          ? shop.till
          : await enrollDevice(server.services, shop.shopId, shop.ownerId, {
              name: `Counter ${i + 1}`,
              kind: 'till',
            });
      const till = await openTestTill(
        {
          serverUrl: server.url,
          shopId: shop.shopId,
          deviceId: device.deviceId,
          code: device.code,
          secret: device.secret,
        },
        { clock: () => Date.now() + skewMs },
      );
      await till.syncNow();
      await till.refreshStaff();
      expect(await till.signIn(shop.cashierId, '1234')).toMatchObject({ role: 'cashier' });
      tills.push({ till, skewMs });
    }
  });

  afterAll(async () => {
    for (const { till } of tills) await till.close();
    await server.close();
  });

  it('orders by what each till had seen, numbers invoices without gaps, agrees, and flags the clocks', async () => {
    // The till with the right clock, signed in as the owner, sets up a product; everyone learns it.
    const productId = crypto.randomUUID();
    const ownerTill = tills[0]!.till;
    expect(await ownerTill.signIn(shop.ownerId, '246810')).toMatchObject({ role: 'owner' });
    await ownerTill.commands.record('v1.ProductCreated', { productId, ...DEMO_PRODUCTS[1]! });
    await ownerTill.commands.receiveStock([{ productId, qty: 100, unitCost: 12000 }]);
    await ownerTill.signIn(shop.cashierId, '1234');
    for (const { till } of tills) await till.syncNow();

    // Rounds: each till sells, then syncs, so every till has seen the others' earlier sales.
    const causal: { sale: EventOfType<'v1.SaleCompleted'>; seenBefore: string }[] = [];
    for (let round = 0; round < 4; round++) {
      for (const { till } of tills) {
        await till.syncNow();
        const seenBefore = till.projection.maxKey;
        const sale = await till.commands.sell({ items: [{ productId, qty: 1 }], pay: 'cash' });
        causal.push({ sale, seenBefore });
        await till.syncNow();
      }
    }
    for (const { till } of tills) await till.syncNow();

    // A sale sorts after everything its till had seen, whatever its wall clock said.
    for (const { sale, seenBefore } of causal)
      expect(canonicalKey(sale) > seenBefore, sale.payload.invoiceNo).toBe(true);

    // Invoice numbers: unique, and gapless per till's series.
    const numbers = causal.map((c) => c.sale.payload.invoiceNo);
    expect(new Set(numbers).size).toBe(numbers.length);
    const bySeries = new Map<string, number[]>();
    for (const n of numbers) {
      const parsed = parseInvoiceNumber(n);
      expect(parsed, n).toBeDefined();
      const key = `${parsed!.prefix}/${parsed!.fy}`;
      bySeries.set(key, [...(bySeries.get(key) ?? []), parsed!.seq]);
    }
    for (const [series, seqs] of bySeries) expect(seriesGaps(seqs), series).toEqual([]);

    // Every replica equals the server's books; nothing lost, nothing twice.
    const { projection } = await server.services.cache.get(server.services.db.db, shop.shopId);
    for (const { till } of tills)
      expect(snapshotProjection(till.projection)).toEqual(snapshotProjection(projection));
    expect(projection.timeline(productId).state.qty).toBe(100 - causal.length);

    // The server measured each till's clock and flags the wrong ones, to the owner and the till.
    const res = await fetch(`${server.url}/api/v1/devices`, {
      headers: { authorization: `Bearer ${shop.ownerToken}` },
    });
    expect(res.status).toBe(200);
    const { devices } = (await res.json()) as {
      devices: { id: string; clockSkewMs: number | null; clockFlagged: boolean }[];
    };
    for (const { till, skewMs } of tills) {
      const row = devices.find((d) => d.id === till.credential.deviceId);
      expect(row?.clockSkewMs).not.toBeNull();
      expect(Math.abs(row!.clockSkewMs! - skewMs)).toBeLessThan(SLACK);
      const wrong = Math.abs(skewMs) > MAX_TOLERATED_SKEW_MS;
      expect(row?.clockFlagged, till.credential.code).toBe(wrong);
      const status = await till.status();
      expect(status.clockFlagged, till.credential.code).toBe(wrong);
      expect(Math.abs(status.clockSkewMs! - skewMs)).toBeLessThan(SLACK);
    }
  });

  it('ignores a clock header that is not a clock, and refuses nothing for it', async () => {
    const before = await server.services.db.db
      .selectFrom('devices')
      .select(['clock_skew_ms'])
      .where('id', '=', shop.till.deviceId)
      .executeTakeFirstOrThrow();
    for (const junk of ['soon', '-5', '1e12', '99999999999999999999', '']) {
      const res = await fetch(`${server.url}/sync/v1/pull?after=0&limit=1`, {
        headers: { ...syncHeaders(shop.till.token), 'x-smartkirana-clock': junk },
      });
      expect(res.status, junk).toBe(200);
      expect(res.headers.get('x-smartkirana-clock-skew'), junk).toBeNull();
    }
    const after = await server.services.db.db
      .selectFrom('devices')
      .select(['clock_skew_ms'])
      .where('id', '=', shop.till.deviceId)
      .executeTakeFirstOrThrow();
    expect(after.clock_skew_ms).toBe(before.clock_skew_ms);
  });
});
