/**
 * Steps every browser test repeats: enrolling a browser as a till with the demo owner's login,
 * signing in with a PIN, and saving a screenshot of a main screen (kept as a CI artifact).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO_SHOP } from '@smartkirana/domain/demo-catalog';

/** The PIN the tests give the demo owner when enrolling a till. */
export const OWNER_PIN = '4321';

/**
 * Enroll the page's browser as a till (as the demo owner unless `phone` and `password` name
 * another). Waits for `ready` (the staff list by default) and, with `offlineReady`, for the service
 * worker to control the page so it opens with the network off.
 */
export async function enroll(
  page: Page,
  url: string,
  opts: {
    tillName?: string;
    pin?: string;
    ready?: string;
    offlineReady?: boolean;
    phone?: string;
    password?: string;
  } = {},
): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=phone]', opts.phone ?? DEMO_SHOP.ownerPhone);
  await page.fill('input[name=password]', opts.password ?? DEMO_SHOP.ownerPassword);
  if (opts.tillName) await page.fill('input[name=tillName]', opts.tillName);
  await page.fill('input[name=pin]', opts.pin ?? OWNER_PIN);
  await page.click('button.primary');
  await page.waitForSelector(opts.ready ?? '.staff-list .chip', { timeout: 30_000 });
  if (opts.offlineReady) {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 30_000,
    });
  }
}

/** Sign in at the till as the staff member named `who` with `pin`; waits for `ready`. */
export async function signIn(
  page: Page,
  who = 'Ramesh',
  pin = OWNER_PIN,
  ready = '[data-testid=search]',
): Promise<void> {
  await page.click(`.staff-list .chip:has-text("${who}")`);
  await page.fill('input[name=pin]', pin);
  await page.click('button.primary');
  await page.waitForSelector(ready);
}

/** Save a full-page screenshot to `artifacts/screenshots` (or `SCREENSHOT_DIR`). */
export async function shot(page: Page, name: string): Promise<void> {
  const dir =
    process.env.SCREENSHOT_DIR ?? resolve(import.meta.dirname, '../../../artifacts/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: resolve(dir, `${name}.png`), fullPage: true });
}
