/**
 * The till's browser dies outright and is started again: every Chromium process of it is SIGKILLed at
 * the same instant (as when the OS kills it or the machine hangs and is restarted), then Chromium is
 * launched on the same profile directory, where IndexedDB and the enrolment persist.
 *
 * Mid-sale: "complete sale" is clicked and the browser killed a few milliseconds later, at delays
 * spread over the time a sale takes to commit on this machine. After each restart every receipt that
 * was on screen is in the till under the same invoice number, every stored sale is whole, and the
 * series is gapless (a sale that never got stored took no number). After syncing, each sale is on the
 * server exactly once.
 *
 * Mid-push: the till is online and its push is held in flight, either before it reaches the server or
 * after the server committed it with its answer never delivered; the browser is killed with the
 * request open. After restart and sync every sale is on the server exactly once, the till shows 0
 * unsynced, and the till's stored replica derives the same books as the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { decodeEvent, type DomainEvent, type EventOfType } from '@smartkirana/domain/events';
import { parseInvoiceNumber, seriesGaps } from '@smartkirana/domain/invoice-series';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { startTestServer, type TestServer } from '@smartkirana/server/testing';
import { buildPwa, chromiumAvailable, launchProfile, type ProfileBrowser } from './browser.ts';
import { enroll, readStoredEvents, ringUp, signIn, waitSynced, watchReceipts } from './flows.ts';

const run = chromiumAvailable();

type Sale = EventOfType<'v1.SaleCompleted'>;

interface OpenTill {
  browser: ProfileBrowser;
  page: Page;
}

describe.runIf(run)('till crashes in Chromium', () => {
  let server: TestServer;
  let shopId: string;
  const profiles: string[] = [];
  const browsers = new Set<ProfileBrowser>();
  beforeAll(async () => {
    const dist = await buildPwa();
    server = await startTestServer('sqlite', { STATIC_DIR: dist });
    shopId = (await seedDemo(server.services, { days: 1 })).shopId;
  }, 120_000);
  afterAll(async () => {
    // A failed test leaves its browser running: close it before its profile is removed.
    for (const b of browsers) await b.context.close().catch(() => undefined);
    await server.close();
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  });

  /** Chromium on `dir` with the app loaded; every receipt it renders is reported to `shown`. */
  async function openTill(dir: string, shown: string[]): Promise<OpenTill> {
    const browser = await launchProfile(dir);
    browsers.add(browser);
    browser.context.once('close', () => browsers.delete(browser));
    await watchReceipts(browser.context, shown);
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(server.url);
    return { browser, page };
  }

  /** A fresh profile enrolled as till `name`, signed in at the counter and synced. */
  async function enrolledTill(name: string, shown: string[]) {
    const dir = mkdtempSync(join(tmpdir(), 'smartkirana-till-profile-'));
    profiles.push(dir);
    const till = await openTill(dir, shown);
    await enroll(till.page, server.url, { tillName: name });
    await signIn(till.page);
    await waitSynced(till.page);
    const deviceId = await till.page.evaluate(
      () =>
        (JSON.parse(localStorage.getItem('smartkirana.credential') ?? '{}') as { deviceId: string })
          .deviceId,
    );
    return { dir, till, deviceId };
  }

  /** Kill the browser, launch it again on the same profile, wait for the staff list. */
  async function crashAndReopen(till: OpenTill, dir: string, shown: string[]): Promise<OpenTill> {
    await till.browser.crash();
    const next = await openTill(dir, shown);
    await next.page
      .waitForSelector('.staff-list .chip', { timeout: 30_000 })
      .catch(async (err: unknown) => {
        const screen = await next.page.innerText('main').catch(() => '(no page)');
        throw new Error(`after the restart the till did not open; it shows: ${screen}`, {
          cause: err,
        });
      });
    return next;
  }

  /** Complete the bill on screen and wait for its receipt; returns the invoice number shown. */
  async function completeSale(page: Page, shown: string[]): Promise<string> {
    const before = shown.length;
    await page.click('[data-testid=complete]');
    await until(() => shown.length > before, 'the receipt of a completed sale');
    await page.click('[data-testid=new-sale]');
    return shown[shown.length - 1] ?? '';
  }

  /** How many rows the server's event log holds for each id. */
  async function serverCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map(ids.map((id) => [id, 0]));
    if (ids.length === 0) return counts;
    const rows = await server.services.db.db
      .selectFrom('events')
      .select(['id'])
      .where('id', 'in', [...ids])
      .execute();
    for (const r of rows) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  /** Every event of this till is in the server's log exactly once and none is in quarantine. */
  async function expectExactlyOnce(own: readonly DomainEvent[]): Promise<void> {
    const counts = await serverCounts(own.map((e) => e.id));
    expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
    const quarantined = await server.services.db.db
      .selectFrom('quarantine')
      .select(['id'])
      .where(
        'id',
        'in',
        own.map((e) => e.id),
      )
      .execute();
    expect(quarantined).toEqual([]);
  }

  it('killed mid-sale: shown receipts survive, no half sale, gapless numbers, once on the server', async () => {
    const shown: string[] = [];
    const enrolled = await enrolledTill('Crash Counter', shown);
    const { dir, deviceId } = enrolled;
    // Killed straight after enrolling, the browser still opens as this till (its credential was
    // committed before the till opened).
    let till = await crashAndReopen(enrolled.till, dir, shown);
    await signIn(till.page);

    // Two sales completed normally; the second times a commit (click → receipt) on this machine.
    let commitMs = 0;
    for (let i = 0; i < 2; i++) {
      await ringUp(till.page, 'tea');
      const started = performance.now();
      await completeSale(till.page, shown);
      commitMs = performance.now() - started;
    }

    // Kill at points spread over that window: before, during and just after the local write.
    const delays = [0, 0.25, 0.35, 0.45, 0.6, 1].map((f) => Math.round(f * commitMs));
    const outcomes = { shownAndStored: 0, storedNoReceipt: 0, neverStored: 0 };
    for (const delay of delays) {
      await ringUp(till.page, 'tea');
      await ringUp(till.page, 'salt');
      const before = shown.length;
      const storedBefore = ownSales(await readStoredEvents(till.page), deviceId).length;
      await till.page.click('[data-testid=complete]');
      if (delay > 0) await sleep(delay);
      till = await crashAndReopen(till, dir, shown);

      const sales = checkedSales(await readStoredEvents(till.page), deviceId);
      const numbers = sales.map((s) => s.payload.invoiceNo);
      // Every receipt ever shown is stored under its number; the killed bill is stored whole or not
      // at all, and if not, its number was never taken.
      for (const n of shown) expect(numbers, `receipt ${n} was shown`).toContain(n);
      expect(sales.length - storedBefore).toBeGreaterThanOrEqual(0);
      expect(sales.length - storedBefore).toBeLessThanOrEqual(1);
      const killed = sales[storedBefore];
      if (killed) expect(killed.payload.lines).toHaveLength(2);
      if (shown.length > before) outcomes.shownAndStored += 1;
      else if (sales.length > storedBefore) outcomes.storedNoReceipt += 1;
      else outcomes.neverStored += 1;
      await signIn(till.page);
    }

    // The next sale after the last crash takes the next number: no gap, no reuse.
    await ringUp(till.page, 'milk');
    const last = await completeSale(till.page, shown);
    await waitSynced(till.page);
    const own = (await readStoredEvents(till.page))
      .map((d) => decoded(d))
      .filter((e) => e.deviceId === deviceId);
    const sales = checkedSales(own, deviceId);
    expect(parseInvoiceNumber(last)?.seq).toBe(sales.length);
    await expectExactlyOnce(own);
    const onServer = await server.services.db.db
      .selectFrom('events')
      .select(['body'])
      .where('device_id', '=', deviceId)
      .where('type', '=', 'v1.SaleCompleted')
      .execute();
    const serverNumbers = onServer
      .map((r) => (JSON.parse(r.body) as Sale).payload.invoiceNo)
      .sort();
    expect(serverNumbers).toEqual(sales.map((s) => s.payload.invoiceNo).sort());
    await till.browser.context.close();
    console.log(
      `till crash mid-sale: 1 kill after enrolling, ${delays.length} at ` +
        `${delays.join('/')} ms after the click ` +
        `(a commit took ${Math.round(commitMs)} ms); receipt shown ${outcomes.shownAndStored}, ` +
        `stored without a receipt ${outcomes.storedNoReceipt}, never stored ${outcomes.neverStored}; ` +
        `${sales.length} sales, numbers 1..${sales.length} gapless; ` +
        `on the server exactly once: ${own.length} of ${own.length} events`,
    );
  }, 120_000);

  it('killed mid-push: every sale once on the server, 0 unsynced, replica equals the books', async () => {
    const shown: string[] = [];
    const enrolled = await enrolledTill('Crash Pusher', shown);
    const { dir, deviceId } = enrolled;
    let till = enrolled.till;
    const rounds = ['request lost', 'answer lost', 'answer lost'] as const;
    const figures: string[] = [];
    for (const round of rounds) {
      const held: { ids: string[]; status?: number }[] = [];
      await till.browser.context.route('**/sync/v1/push', async (route) => {
        const ids = (
          route.request().postDataJSON() as { rows: { newDocumentState: { id: string } }[] }
        ).rows.map((r) => r.newDocumentState.id);
        if (round === 'answer lost') {
          // The request reaches the server, which commits and answers; the till never hears it.
          const res = await route.fetch().catch(() => undefined);
          held.push({ ids, ...(res ? { status: res.status() } : {}) });
        } else {
          held.push({ ids });
        }
        // Never fulfilled: the browser dies with this push open.
      });
      const invoices = [];
      for (const item of ['tea', 'sugar']) {
        await ringUp(till.page, item);
        invoices.push(await completeSale(till.page, shown));
      }
      await until(() => held.length > 0, 'a push held in flight');
      const inFlight = held.flatMap((h) => h.ids);
      const committed = [...(await serverCounts(inFlight)).values()];
      // The server has the held push's events exactly when the request got through to it.
      expect(committed).toEqual(inFlight.map(() => (round === 'answer lost' ? 1 : 0)));
      if (round === 'answer lost') expect(held.map((h) => h.status)).toEqual(held.map(() => 200));

      till = await crashAndReopen(till, dir, shown);
      await waitSynced(till.page);
      const stored = (await readStoredEvents(till.page)).map((d) => decoded(d));
      const own = stored.filter((e) => e.deviceId === deviceId);
      const numbers = checkedSales(own, deviceId).map((s) => s.payload.invoiceNo);
      for (const n of invoices) expect(numbers).toContain(n);
      await expectExactlyOnce(own);
      figures.push(`${round}: ${inFlight.length} held, ${own.length} on the server once`);
      await signIn(till.page);
    }

    // The till's stored replica holds exactly the server's log and derives the same books.
    const projection = async () =>
      (await server.services.cache.get(server.services.db.db, shopId)).projection;
    const serverIds = async () =>
      (
        await server.services.db.db
          .selectFrom('events')
          .select(['id'])
          .where('shop_id', '=', shopId)
          .execute()
      )
        .map((r) => r.id)
        .sort();
    await expect
      .poll(
        async () =>
          (await readStoredEvents(till.page))
            .map((d) => String(d.id))
            .sort()
            .join(),
        { timeout: 30_000, message: "the till's replica never matched the server's log" },
      )
      .toBe((await serverIds()).join());
    const replica = new ShopProjection();
    replica.apply((await readStoredEvents(till.page)).map((d) => decoded(d)));
    expect(snapshotProjection(replica)).toEqual(snapshotProjection(await projection()));
    await waitSynced(till.page);
    await till.browser.context.close();
    console.log(
      `till crash mid-push: ${rounds.length} kills (${figures.join('; ')}); ` +
        `replica ${replica.size} events = server books`,
    );
  }, 120_000);
});

/** An event as stored, decoded with the domain schema; fails the test if it is not whole. */
function decoded(doc: Record<string, unknown>): DomainEvent {
  const result = decodeEvent(doc);
  if (!result.ok)
    throw new Error(
      `stored event ${String(doc.id)} is not valid: ${JSON.stringify(result.issues)}`,
    );
  return result.event;
}

/**
 * This till's stored sales, each checked whole (valid, payments adding up to the total), with unique
 * invoice numbers forming one gapless series; in invoice order.
 */
function checkedSales(docs: readonly (Record<string, unknown> | DomainEvent)[], deviceId: string) {
  const sales = ownSales(docs, deviceId);
  for (const s of sales) {
    const p = s.payload;
    expect(
      p.payments.reduce((sum, x) => sum + x.amount, 0),
      p.invoiceNo,
    ).toBe(p.total);
    expect(p.subtotal + p.roundOff, p.invoiceNo).toBe(p.total);
  }
  const seqs = sales.map((s) => parseInvoiceNumber(s.payload.invoiceNo)?.seq ?? 0);
  expect(new Set(sales.map((s) => s.payload.invoiceNo)).size).toBe(sales.length);
  expect(seqs.every((n) => n > 0)).toBe(true);
  expect(seriesGaps(seqs)).toEqual([]);
  expect(Math.max(0, ...seqs)).toBe(sales.length);
  return sales.sort((a, b) => a.deviceSeq - b.deviceSeq);
}

function ownSales(docs: readonly (Record<string, unknown> | DomainEvent)[], deviceId: string) {
  return docs
    .map((d) => decoded(d as Record<string, unknown>))
    .filter((e): e is Sale => e.deviceId === deviceId && e.type === 'v1.SaleCompleted');
}

/** Wait for `ready` (checked every 50 ms), failing with what was awaited. */
async function until(ready: () => boolean, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(50);
  }
}
