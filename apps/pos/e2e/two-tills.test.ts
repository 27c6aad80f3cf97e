/**
 * Two tills in real Chromium (two browser contexts, each enrolled as its own till) against the real
 * server with the demo shop. Salt is counted down to its last packet; both tills go offline and each
 * sells it; back online, the server holds both sales and stock is -1: an oversell. The conflict
 * shows in the owner's inbox on one till, the owner resolves it there with a recount to 0, and
 * after syncing both tills and the server agree: resolved everywhere, stock 0, books balanced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { listConflicts } from '@smartkirana/domain/conflicts';
import { DEMO_SHOP } from '@smartkirana/domain/demo-catalog';
import { trialBalance } from '@smartkirana/domain/reports-books';
import { stockSummary } from '@smartkirana/domain/reports-stock';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { startTestServer, type TestServer } from '@smartkirana/server/testing';
import { buildPwa, chromiumAvailable, launch } from './browser.ts';
import { enroll, shot, signIn } from './flows.ts';

const run = chromiumAvailable();
const PIN = '4321';
const SALT_SKU = 'SALT-1K';

interface TillPage {
  context: BrowserContext;
  page: Page;
}

describe.runIf(run)('two tills oversell offline, the owner resolves it', () => {
  let server: TestServer;
  let browser: Browser;
  let shopId: string;
  beforeAll(async () => {
    const dist = await buildPwa();
    server = await startTestServer('sqlite', { STATIC_DIR: dist });
    shopId = (await seedDemo(server.services, { days: 1 })).shopId;
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  const projection = async () =>
    (await server.services.cache.get(server.services.db.db, shopId)).projection;

  /** A fresh browser context enrolled as its own till, with the owner signed in by PIN. */
  async function enrollTill(name: string, viewport: { width: number; height: number }) {
    const context = await browser.newContext({ serviceWorkers: 'block', viewport });
    const page = await context.newPage();
    await enroll(page, server.url, {
      tillName: name,
      pin: PIN,
      ready: '.staff-list .chip:has-text("Ramesh")',
    });
    await signIn(page, 'Ramesh', PIN, '[data-screen=owner]');
    return { context, page } satisfies TillPage;
  }

  it('oversell offline → conflict in the inbox → recount on one till → every replica agrees', async () => {
    const a = await enrollTill('Counter A', { width: 1200, height: 900 });
    const b = await enrollTill('Counter B', { width: 360, height: 780 });
    const tills = [a, b];
    const salt = stockSummary(await projection()).rows.find((r) => r.sku === SALT_SKU);
    expect(salt).toBeDefined();
    const saltId = salt!.productId;

    // Both tills have the shop's history and nothing left to push.
    for (const { page } of tills) {
      await waitSynced(page);
      await openOwner(page, 'stock');
      await expect.poll(() => stockCell(page, saltId), { timeout: 30_000 }).toMatch(/pc$/);
    }

    // Online: the owner counts the shelf and finds one packet of salt; both tills hear of it.
    await recordCount(server.url, saltId, 1);
    for (const { page } of tills)
      await expect.poll(() => stockCell(page, saltId), { timeout: 30_000 }).toBe('1 pc');

    // Offline, each till sells that last packet.
    const invoices: string[] = [];
    for (const { context, page } of tills) {
      await context.setOffline(true);
      await expect
        .poll(() => page.textContent('[data-testid=sync-state]'), { timeout: 10_000 })
        .toContain('Offline');
    }
    for (const { page } of tills) invoices.push(await sellOne(page, 'salt'));
    expect(new Set(invoices).size).toBe(2);
    for (const { page } of tills)
      await expect
        .poll(() => page.textContent('[data-testid=unsynced]'), { timeout: 10_000 })
        .toMatch(/^[1-9]\d* /);

    // Network back on both: everything pushed, the server holds both sales, salt is at -1.
    for (const { context } of tills) await context.setOffline(false);
    for (const { page } of tills) await waitSynced(page);
    const stored = await server.services.db.db
      .selectFrom('events')
      .select(['body'])
      .where('type', '=', 'v1.SaleCompleted')
      .execute();
    const numbers = stored.map(
      (r) => (JSON.parse(r.body) as { payload: { invoiceNo: string } }).payload.invoiceNo,
    );
    for (const n of invoices) expect(numbers.filter((x) => x === n)).toHaveLength(1);
    await expect
      .poll(async () => (await projection()).timeline(saltId).state.qty, { timeout: 30_000 })
      .toBe(-1);
    const serverConflict = listConflicts(await projection()).find(
      (c) => c.kind === 'oversell' && c.productId === saltId,
    );
    expect(serverConflict?.status).toBe('open');
    const conflictId = serverConflict!.id;

    // The owner's dashboard on till A flags it; the inbox lists it open, first.
    await openOwner(a.page, 'overview');
    await a.page.waitForSelector('[data-testid=conflict-alert]', { timeout: 30_000 });
    await a.page.waitForSelector('[data-report=tills] tr[data-key]');
    await shot(a.page, 'owner-dashboard');
    await openOwner(a.page, 'conflicts');
    const card = a.page.locator(`li[data-conflict-id="${conflictId}"]`);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).toBe('open');
    expect(await a.page.locator('li.conflict').first().getAttribute('data-status')).toBe('open');
    await shot(a.page, 'conflict-inbox');

    // One step: recount the shelf to 0, naming the conflict.
    await card.locator('[data-testid=recount-qty]').fill('0');
    await card.locator('[data-action=recount]').click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('resolved');

    // After syncing, both tills and the server agree.
    for (const { page } of tills) await waitSynced(page);
    await expect
      .poll(async () => (await projection()).timeline(saltId).state.qty, { timeout: 30_000 })
      .toBe(0);
    const p = await projection();
    expect(listConflicts(p).find((c) => c.id === conflictId)?.status).toBe('resolved');
    const tb = trialBalance(p);
    expect(tb.totalDebit).toBe(tb.totalCredit);
    for (const { page } of tills) {
      await openOwner(page, 'conflicts');
      await expect
        .poll(
          () => page.locator(`li[data-conflict-id="${conflictId}"]`).getAttribute('data-status'),
          { timeout: 30_000 },
        )
        .toBe('resolved');
      await openOwner(page, 'stock');
      await expect.poll(() => stockCell(page, saltId), { timeout: 30_000 }).toBe('0 pc');
      await openOwner(page, 'books');
      await expect
        .poll(() => page.textContent('[data-testid=tb-difference]'), { timeout: 10_000 })
        .toContain('₹0.00');
      expect(await page.textContent('[data-testid=tb-debit]')).toBe(
        await page.textContent('[data-testid=tb-credit]'),
      );
    }
    // The phone-sized till shows the inbox without the dashboard spilling sideways.
    await openOwner(b.page, 'conflicts');
    await shot(b.page, 'conflict-inbox-360');
    const fits = await b.page.evaluate(() => {
      const owner = document.querySelector('[data-testid=owner]');
      if (!owner) return false;
      return (
        owner.scrollWidth <= owner.clientWidth + 1 &&
        owner.getBoundingClientRect().right <= window.innerWidth + 1
      );
    });
    expect(fits).toBe(true);
    for (const { context } of tills) await context.close();
  }, 240_000);
});

async function waitSynced(page: Page): Promise<void> {
  await expect
    .poll(() => page.textContent('[data-testid=sync-state]'), { timeout: 60_000 })
    .not.toContain('Offline');
  await expect
    .poll(() => page.textContent('[data-testid=unsynced]'), { timeout: 60_000 })
    .toMatch(/^0 /);
}

async function openOwner(page: Page, section: string): Promise<void> {
  await page.click('[data-screen=owner]');
  await page.click(`[data-owner-tab=${section}]`);
}

/** The product's quantity as the owner's stock table shows it. */
async function stockCell(page: Page, productId: string): Promise<string | null> {
  const cell = page.locator(
    `[data-report=stock-summary] tr[data-key="${productId}"] [data-col=qty]`,
  );
  return (await cell.count()) > 0 ? cell.textContent() : null;
}

/** Sell one unit of the first match at the counter for cash; returns the invoice number. */
async function sellOne(page: Page, query: string): Promise<string> {
  await page.click('[data-screen=counter]');
  await page.fill('[data-testid=search]', query);
  await page.press('[data-testid=search]', 'Enter');
  await page.click('[data-testid=complete]');
  await page.waitForSelector('[data-testid=receipt]');
  const invoice = (await page.textContent('[data-testid=invoice-no]')) ?? '';
  await page.click('[data-testid=new-sale]');
  return invoice;
}

/** The owner records a physical count from their phone (the REST API), while online. */
async function recordCount(url: string, productId: string, countedQty: number): Promise<void> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: DEMO_SHOP.ownerPhone, password: DEMO_SHOP.ownerPassword }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const res = await fetch(`${url}/api/v1/inventory/counts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ productId, countedQty }),
  });
  expect(res.status).toBeLessThan(300);
}

/** Screenshots of the main screens, kept as CI artifacts (docs/testing.md). */
