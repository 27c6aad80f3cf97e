/**
 * The stock room and khata in real Chromium against the real server, with the network off: goods
 * received raise the stock, a write-off lowers it, a count sets it; a new product (and its price
 * change) is at once on the counter; a new khata customer buys on credit at the counter, pays part,
 * and the statement's running balance follows. When the network returns the server has every
 * event exactly once, and none is quarantined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { startTestServer, type TestServer } from '@smartkirana/server/testing';
import { buildPwa, chromiumAvailable, launch } from './browser.ts';
import { enroll, shot, signIn } from './flows.ts';

const run = chromiumAvailable();

const TEA = '[data-testid=stock-row][data-sku=TEA-250] [data-testid=stock-qty]';

describe.runIf(run)('stock room and khata offline', () => {
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

  it('receives, writes off, counts, adds a product and a khata customer, sells on credit and takes a payment offline; all of it syncs', async () => {
    const context = await browser.newContext({
      serviceWorkers: 'allow',
      viewport: { width: 1200, height: 800 },
    });
    const page = await context.newPage();
    await enroll(page, server.url, { tillName: 'Counter 5', offlineReady: true });
    // The catalogue has reached this till before the network goes.
    await signIn(page);
    await page.click('[data-screen=stock]');
    await page.waitForSelector(TEA, { timeout: 30_000 });
    const deviceId = await page.evaluate(
      () =>
        (JSON.parse(localStorage.getItem('smartkirana.credential') ?? '{}') as { deviceId: string })
          .deviceId,
    );

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('.staff-list .chip', { timeout: 30_000 });
    await expect.poll(() => page.textContent('[data-testid=sync-state]')).toContain('Offline');
    await signIn(page);
    await page.click('[data-screen=stock]');
    const before = pieces(await page.textContent(TEA));

    // Goods in from the supplier: 12 packets at ₹118.50 before 5 % GST, best before in 20 days.
    await page.click('[data-testid=sr-tab-receive]');
    await page.selectOption('[data-testid=receive-supplier]', { label: 'Metro Wholesale' });
    await page.selectOption('[data-testid=receive-product]', { label: 'Assam Tea 250 g' });
    await page.fill('[data-testid=receive-qty]', '12');
    await page.fill('[data-testid=receive-cost]', '118.50');
    await page.fill('[data-testid=receive-expiry]', istDay(20));
    expect(await page.textContent('[data-testid=receive-total]')).toBe('₹1,493.10');
    await shot(page, 'stock-receive');
    await page.click('[data-testid=receive-submit]');
    await page.waitForSelector('text=Stock received');
    await page.click('[data-testid=sr-tab-list]');
    await expect.poll(() => page.textContent(TEA)).toBe(`${before + 12} pc`);
    await page.click('[data-testid=sr-tab-alerts]');
    expect(await page.textContent('[data-testid=expiry-list]')).toContain('Assam Tea 250 g');
    await page.click('[data-testid=sr-tab-list]');

    // One packet damaged; a typo is refused inline and changes nothing.
    await page.click('[data-testid=stock-row][data-sku=TEA-250]');
    await page.click('[data-action=adjust]');
    await page.click('[data-reason=damage]');
    await page.fill('[data-testid=adjust-qty]', '1.5');
    await page.click('[data-testid=adjust-submit]');
    await page.waitForSelector('[data-testid=adjust-form] [data-testid=form-error]');
    expect(await page.textContent(TEA)).toBe(`${before + 12} pc`);
    await page.fill('[data-testid=adjust-qty]', '1');
    await page.click('[data-testid=adjust-submit]');
    await expect.poll(() => page.textContent(TEA)).toBe(`${before + 11} pc`);

    // The shelf count is the level.
    await page.click('[data-action=count]');
    await page.fill('[data-testid=count-qty]', '50');
    await page.click('[data-testid=count-submit]');
    await expect.poll(() => page.textContent(TEA)).toBe('50 pc');
    expect(await page.textContent('[data-testid=product-qty]')).toBe('50 pc');
    const history = await page.$$eval('[data-testid=movements] tbody tr', (rows) =>
      rows.slice(0, 3).map((r) => [r.getAttribute('data-kind'), r.lastElementChild?.textContent]),
    );
    expect(history).toEqual([
      ['count', '50 pc'],
      ['adjust', `${before + 11} pc`],
      ['receipt', `${before + 12} pc`],
    ]);
    await shot(page, 'stock-room');

    // Language switch: the stock room speaks Hindi too.
    await page.click('button[aria-label=language]');
    await page.waitForSelector('text=माल प्राप्त करें');
    await shot(page, 'stock-room-hi');
    await page.click('button[aria-label=language]');

    // A new product; a second one with a taken SKU is refused.
    await page.click('[data-testid=sr-tab-new]');
    await fillProduct(page, 'Toor Dal 1 kg', 'DAL-TOOR-1K');
    await page.click('[data-testid=product-save]');
    await page.waitForSelector('[data-testid=product-panel][data-sku=DAL-TOOR-1K]');
    await page.click('[data-testid=sr-tab-new]');
    await fillProduct(page, 'Another tea', 'TEA-250');
    await page.click('[data-testid=product-save]');
    expect(await page.textContent('[data-testid=product-form] [data-testid=form-error]')).toContain(
      'Assam Tea 250 g',
    );
    // Its price drops to ₹150.
    await page.click('[data-testid=sr-tab-list]');
    await page.click('[data-testid=stock-row][data-sku=DAL-TOOR-1K]');
    await page.click('[data-action=price]');
    await page.fill('[data-testid=price-selling]', '150');
    await page.click('[data-testid=price-submit]');
    await expect
      .poll(() => page.textContent('[data-testid=product-panel] .facts'))
      .toContain('₹150.00/pc');
    await shot(page, 'stock-room-product');

    await page.click('[data-screen=counter]');
    await page.fill('[data-testid=search]', 'toor');
    const found = page.locator('button.product[data-sku=DAL-TOOR-1K]');
    await found.waitFor();
    expect(await found.textContent()).toContain('₹150.00');

    // A new khata customer, a credit sale at the counter, a part payment.
    await page.click('[data-screen=khata]');
    await page.click('[data-testid=khata-new]');
    await page.fill('[data-testid=customer-name]', 'Meena Joshi');
    await page.fill('[data-testid=customer-phone]', '9876500001');
    await page.fill('[data-testid=customer-limit]', '100');
    await page.click('[data-testid=customer-add]');
    const meena = '[data-testid=khata-row][data-name="Meena Joshi"]';
    await page.waitForSelector(meena);
    expect(await page.textContent(`${meena} [data-testid=khata-balance]`)).toBe('₹0.00');

    await page.click('[data-screen=counter]');
    await page.fill('[data-testid=search]', 'tea');
    await page.press('[data-testid=search]', 'Enter');
    await page.click('[data-tender=khata]');
    await page.selectOption('[data-testid=customer]', { label: 'Meena Joshi' });
    await page.click('[data-testid=complete]');
    await page.waitForSelector('[data-testid=receipt]');
    const invoiceNo = (await page.textContent('[data-testid=invoice-no]')) ?? '';
    await page.click('[data-testid=new-sale]');

    await page.click('[data-screen=khata]');
    expect(await page.textContent(`${meena} [data-testid=khata-balance]`)).toBe('₹145.00');
    // ₹145 on a ₹100 limit: highlighted in the list, a warning on the customer.
    expect(await page.getAttribute(meena, 'class')).toContain('over');
    await page.click(meena);
    await page.waitForSelector('[data-testid=statement]');
    expect(await page.textContent('[data-testid=statement]')).toContain(invoiceNo);
    expect(await page.textContent('[data-testid=limit-warning]')).toContain('₹45.00');
    await shot(page, 'khata-over-limit');
    await page.click('[data-testid=payment-form] [data-mode=upi]');
    await page.fill('[data-testid=payment-amount]', '100');
    await page.click('[data-testid=payment-submit]');
    await expect
      .poll(() => page.$$eval('[data-testid=running]', (cells) => cells.map((c) => c.textContent)))
      .toEqual(['₹145.00', '₹45.00']);
    expect(await page.textContent('[data-testid=customer-balance]')).toBe('₹45.00');
    expect(await page.textContent('[data-testid=ageing] .bucket')).toContain('₹45.00');
    expect(await page.textContent(`${meena} [data-testid=khata-balance]`)).toBe('₹45.00');
    expect(await page.isVisible('[data-testid=limit-warning]')).toBe(false);
    await shot(page, 'khata');

    // A phone: 360 px wide, nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 780 });
    await shot(page, 'khata-mobile');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await page.click('[data-screen=stock]');
    await page.waitForSelector(TEA);
    await shot(page, 'stock-room-mobile');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await page.click('[data-testid=stock-row][data-sku=TEA-250]');
    await page.waitForSelector('[data-testid=product-panel]');
    expect(await page.isVisible('[data-testid=stock-list]')).toBe(false);
    await shot(page, 'stock-room-product-mobile');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await expect.poll(() => page.textContent('[data-testid=unsynced]')).toMatch(/^[1-9]\d* /);

    // Back online: every event of this till reaches the server exactly once.
    await context.setOffline(false);
    await expect
      .poll(() => page.textContent('[data-testid=unsynced]'), { timeout: 30_000 })
      .toMatch(/^0 /);
    const rows = await server.services.db.db
      .selectFrom('events')
      .select(['type', 'hlc', 'device_seq', 'body'])
      .where('device_id', '=', deviceId)
      .orderBy('device_seq')
      .execute();
    expect(rows.map((r) => r.type)).toEqual([
      'v1.StockReceived',
      'v1.StockAdjusted',
      'v1.StockCounted',
      'v1.ProductCreated',
      'v1.PriceChanged',
      'v1.CustomerCreated',
      'v1.SaleCompleted',
      'v1.KhataPaymentReceived',
    ]);
    expect(rows.map((r) => r.device_seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const payload = (i: number): Record<string, unknown> =>
      (JSON.parse(rows[i]?.body ?? '{}') as { payload: Record<string, unknown> }).payload;
    expect(payload(0)).toMatchObject({ paidBy: 'credit', total: 149_310 });
    expect(payload(1)).toMatchObject({ qtyDelta: -1, reason: 'damage' });
    expect(payload(2)).toMatchObject({ countedQty: 50 });
    expect(payload(3)).toMatchObject({ sku: 'DAL-TOOR-1K', unit: 'pc', sellingPrice: 15_500 });
    // The price change names the price it was based on: the product's creation.
    expect(payload(4)).toMatchObject({
      productId: payload(3).productId,
      sellingPrice: 15_000,
      basedOn: rows[3]?.hlc,
    });
    expect(payload(5)).toMatchObject({ name: 'Meena Joshi', creditLimit: 10_000 });
    expect(payload(6)).toMatchObject({
      customerId: payload(5).customerId,
      invoiceNo,
      total: 14_500,
    });
    expect(payload(7)).toMatchObject({
      customerId: payload(5).customerId,
      amount: 10_000,
      mode: 'upi',
    });
    const quarantined = await server.services.db.db
      .selectFrom('quarantine')
      .select(['type', 'code'])
      .where('device_id', '=', deviceId)
      .execute();
    expect(quarantined).toEqual([]);
    await context.close();
  }, 180_000);
});

async function fillProduct(page: Page, name: string, sku: string): Promise<void> {
  await page.fill('[data-testid=product-name]', name);
  await page.fill('[data-testid=product-sku]', sku);
  await page.fill('[data-testid=product-category]', 'grains');
  await page.fill('[data-testid=product-hsn]', '0713');
  await page.selectOption('[data-testid=product-unit]', 'pc');
  await page.fill('[data-testid=product-mrp]', '160');
  await page.fill('[data-testid=product-sellingPrice]', '155');
  await page.fill('[data-testid=product-costPrice]', '130');
  await page.selectOption('[data-testid=product-gst]', '500');
  await page.fill('[data-testid=product-minStock]', '5');
  await page.fill('[data-testid=product-maxStock]', '40');
  await page.fill('[data-testid=product-reorderQty]', '12');
}

/** "75 pc" → 75. */
function pieces(text: string | null): number {
  const m = /^(-?\d+) pc$/.exec(text ?? '');
  if (!m) throw new Error(`not a piece count: ${String(text)}`);
  return Number(m[1]);
}

/** The IST calendar day `days` from now. */
function istDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000 + 5.5 * 3_600_000).toISOString().slice(0, 10);
}

/** Screenshots of the main screens, kept as CI artifacts (docs/testing.md). */
