/**
 * Counter flows in real Chromium: a split payment (UPI part, cash rest), a bill discount that needs
 * a manager's PIN, park and recall, a partial return as a credit note, and a void approved by a
 * manager while a cashier is signed in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { startTestServer, type TestServer } from '@smartkirana/server/testing';
import { buildPwa, chromiumAvailable, launch } from './browser.ts';
import { enroll, signIn } from './flows.ts';

const run = chromiumAvailable();

describe.runIf(run)('counter flows', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { STATIC_DIR: await buildPwa() });
    await seedDemo(server.services, { days: 1 });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  const addItem = async (page: Page, q: string): Promise<void> => {
    await page.fill('[data-testid=search]', q);
    await page.press('[data-testid=search]', 'Enter');
  };

  it('split tender, manager-approved discount, park and recall, return and void', async () => {
    const page = await browser.newPage();
    await enroll(page, server.url, { ready: '.staff-list .chip:has-text("Suresh")' });
    await signIn(page, 'Suresh', '1234');

    // Split: ₹100 by UPI, the rest in cash.
    await addItem(page, 'oil');
    await page.click('.split summary');
    await page.selectOption('[data-testid=part-mode]', 'upi');
    await page.fill('[data-testid=part-amount]', '100');
    await page.click('[data-testid=add-part]');
    await page.click('[data-testid=complete]');
    await page.waitForSelector('[data-testid=receipt]');
    expect(await page.textContent('[data-testid=receipt]')).toContain('UPI ₹100.00');
    expect(await page.textContent('[data-testid=receipt]')).toContain('CASH ₹75.00');
    const splitInvoice = (await page.textContent('[data-testid=invoice-no]')) ?? '';
    await page.click('[data-testid=new-sale]');

    // A ₹20 discount on ₹145 is over 5 %: refused without a manager's PIN, accepted with it.
    await addItem(page, 'tea');
    await page.fill('[data-testid=discount]', '20');
    await page.click('[data-testid=complete]');
    await expect.poll(() => page.textContent('.error')).toContain('manager');
    await page.fill('[data-testid=manager-pin]', '4321');
    await page.click('[data-testid=complete]');
    await page.waitForSelector('[data-testid=receipt]');
    expect(await page.textContent('[data-testid=receipt]')).toContain('Total ₹125.00');
    await page.click('[data-testid=new-sale]');

    // A ₹5 line discount (under 5 %) needs no approval.
    await addItem(page, 'tea');
    await page.fill('[data-testid=line-discount-0]', '5');
    await expect.poll(() => page.textContent('[data-testid=total]')).toBe('₹140.00');
    await page.keyboard.press('F9');
    await page.waitForSelector('[data-testid=receipt]');
    expect(await page.textContent('[data-testid=receipt]')).toContain('Total ₹140.00');
    await page.click('[data-testid=new-sale]');

    // Park a bill, ring up another, recall the parked one.
    await addItem(page, 'salt');
    await page.click('[data-testid=park]');
    expect(await page.textContent('.bill')).toContain('No items yet');
    await page.click('[data-testid=recall]');
    expect(await page.textContent('.bill')).toContain('Iodised Salt');

    // Return one oil packet from the split bill; then void it with the owner's PIN.
    await page.click('[data-testid=open-returns]');
    await page.fill('[data-testid=return-invoice]', splitInvoice);
    await page.fill('[data-testid=return-qty-0]', '1');
    await page.click('[data-testid=issue-return]');
    await expect.poll(() => page.textContent('.returns')).toContain('Credit note issued');
    await page.fill('[data-testid=void-pin]', '0000');
    await page.click('[data-testid=void]');
    await expect.poll(() => page.textContent('.returns')).toContain('must approve');
    await page.fill('[data-testid=void-pin]', '4321');
    await page.click('[data-testid=void]');
    await expect.poll(() => page.textContent('.returns')).toContain('Bill voided');

    const { projection } = await waitForServer(server, splitInvoice);
    const sale = [...projection.sales.values()].find((s) => s.payload.invoiceNo === splitInvoice);
    expect(sale && projection.isVoided(sale.id)).toBe(true);
    expect(projection.returnsBySale.get(sale?.id ?? '')?.size).toBe(1);
    await page.close();
  }, 180_000);
});

/** Wait until the server has folded the void of an invoice (the till syncs in the background). */
async function waitForServer(server: TestServer, invoiceNo: string) {
  for (let i = 0; i < 100; i++) {
    const cached = await server.services.cache.get(
      server.services.db.db,
      (await server.services.db.db.selectFrom('shops').select('id').executeTakeFirstOrThrow()).id,
    );
    const sale = [...cached.projection.sales.values()].find(
      (s) => s.payload.invoiceNo === invoiceNo,
    );
    if (sale && cached.projection.isVoided(sale.id)) return cached;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the void never reached the server');
}
