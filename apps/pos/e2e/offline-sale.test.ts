/**
 * The counter in real Chromium against the real server: first visit and enrollment, then with the
 * network off a reload still opens the app from the service worker, staff sign in with a PIN, and
 * sell for cash, UPI and khata with a print preview; when the network returns every sale reaches
 * the server exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { startTestServer, type TestServer } from '@smartkirana/server/testing';
import { buildPwa, chromiumAvailable, launch } from './browser.ts';
import { enroll, shot, signIn } from './flows.ts';

const run = chromiumAvailable();

describe.runIf(run)('counter PWA offline', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    const dist = await buildPwa();
    server = await startTestServer('sqlite', { STATIC_DIR: dist });
    await seedDemo(server.services, { days: 1 });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it('enrolls, works offline after a reload, sells cash / UPI / khata, and syncs when back online', async () => {
    const context = await browser.newContext({
      serviceWorkers: 'allow',
      viewport: { width: 1200, height: 800 },
    });
    const page = await context.newPage();
    await page.addInitScript(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed += 1;
      };
    });
    // offlineReady: the service worker controls the page, so the app shell is precached.
    await enroll(page, server.url, { tillName: 'Counter 3', offlineReady: true });

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('.staff-list .chip', { timeout: 30_000 });
    await expect.poll(() => page.textContent('[data-testid=sync-state]')).toContain('Offline');
    await signIn(page);
    await page.fill('[data-testid=search]', 'rice');
    await page.press('[data-testid=search]', 'Enter');
    await shot(page, 'counter-offline');
    await page.click('button[aria-label=Remove]');

    const invoices: string[] = [];
    for (const tender of ['cash', 'upi', 'khata'] as const) {
      await page.fill('[data-testid=search]', 'tea');
      await page.press('[data-testid=search]', 'Enter');
      await page.click(`[data-tender=${tender}]`);
      if (tender === 'khata')
        await page.selectOption('[data-testid=customer]', { label: 'Anita Sharma' });
      if (tender === 'upi') {
        const link = await page.getAttribute('[data-testid=upi-qr]', 'data-link');
        expect(link).toMatch(
          /^upi:\/\/pay\?pa=demokirana%40upi&pn=Demo\+Kirana\+Store&am=145\.00&cu=INR&tr=SK/,
        );
        await shot(page, 'counter-upi-qr');
      }
      if (tender === 'cash') await page.fill('[data-testid=tendered]', '200');
      await page.click('[data-testid=complete]');
      await page.waitForSelector('[data-testid=receipt]');
      invoices.push((await page.textContent('[data-testid=invoice-no]')) ?? '');
      if (tender === 'cash') {
        await shot(page, 'receipt');
        await page.click('text=Print 58 mm');
        expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(
          1,
        );
        await page.emulateMedia({ media: 'print' });
        expect(await page.isVisible('[data-testid=receipt]')).toBe(true);
        expect(await page.isVisible('header.top')).toBe(false);
        await page.emulateMedia({ media: 'screen' });
      }
      await page.click('[data-testid=new-sale]');
    }
    expect(invoices).toEqual([
      expect.stringMatching(/\/000001$/),
      expect.stringMatching(/\/000002$/),
      expect.stringMatching(/\/000003$/),
    ]);
    await expect.poll(() => page.textContent('[data-testid=unsynced]')).toMatch(/^[1-9]\d* /);

    await context.setOffline(false);
    await expect
      .poll(() => page.textContent('[data-testid=unsynced]'), { timeout: 30_000 })
      .toMatch(/^0 /);
    const stored = await server.services.db.db
      .selectFrom('events')
      .select(['body'])
      .where('type', '=', 'v1.SaleCompleted')
      .execute();
    const numbers = stored.map(
      (r) => (JSON.parse(r.body) as { payload: { invoiceNo: string } }).payload.invoiceNo,
    );
    for (const n of invoices) expect(numbers.filter((x) => x === n)).toHaveLength(1);
    await context.close();
  }, 180_000);

  it('a tab closed mid-sale and reopened keeps every completed sale', async () => {
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    let page = await context.newPage();
    await enroll(page, server.url, { tillName: 'Counter 5', offlineReady: true });
    await context.setOffline(true);
    await signIn(page);
    const invoices: string[] = [];
    for (let i = 0; i < 2; i++) {
      await page.fill('[data-testid=search]', 'milk');
      await page.press('[data-testid=search]', 'Enter');
      await page.click('[data-testid=complete]');
      await page.waitForSelector('[data-testid=receipt]');
      invoices.push((await page.textContent('[data-testid=invoice-no]')) ?? '');
      await page.click('[data-testid=new-sale]');
    }
    // A third bill is half made when the tab is closed.
    await page.fill('[data-testid=search]', 'sugar');
    await page.press('[data-testid=search]', 'Enter');
    await page.close();

    page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('.staff-list .chip', { timeout: 30_000 });
    await signIn(page);
    await expect.poll(() => page.textContent('[data-testid=unsynced]')).toMatch(/^2 /);
    expect(await page.textContent('.bill')).toContain('No items yet');
    await context.setOffline(false);
    await expect
      .poll(() => page.textContent('[data-testid=unsynced]'), { timeout: 30_000 })
      .toMatch(/^0 /);
    const stored = await server.services.db.db
      .selectFrom('events')
      .select(['body'])
      .where('type', '=', 'v1.SaleCompleted')
      .execute();
    const numbers = stored.map(
      (r) => (JSON.parse(r.body) as { payload: { invoiceNo: string } }).payload.invoiceNo,
    );
    for (const n of invoices) expect(numbers.filter((x) => x === n)).toHaveLength(1);
    await context.close();
  }, 180_000);

  it('two tabs of one till never share an invoice number', async () => {
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    const first = await context.newPage();
    await enroll(first, server.url, { tillName: 'Counter 4' });
    const second = await context.newPage();
    await second.goto(server.url);
    const pages = [first, second];
    for (const page of pages) {
      await page.waitForSelector('.staff-list .chip:has-text("Ramesh")', { timeout: 30_000 });
      await signIn(page);
    }
    const numbers: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const page of pages) {
        await page.fill('[data-testid=search]', 'salt');
        await page.press('[data-testid=search]', 'Enter');
      }
      // Both tabs complete at the same moment: the device lock serialises the numbering.
      await Promise.all(pages.map((page) => page.click('[data-testid=complete]')));
      for (const page of pages) {
        await page.waitForSelector('[data-testid=receipt]');
        numbers.push((await page.textContent('[data-testid=invoice-no]')) ?? '');
        await page.click('[data-testid=new-sale]');
      }
    }
    expect(new Set(numbers).size).toBe(6);
    expect(numbers.map((n) => Number(n.slice(-6))).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    await context.close();
  }, 180_000);
});
