/**
 * A till whose clock is a day fast, in real Chromium: once it has synced, the counter warns that
 * its clock is wrong, and the owner's tills panel flags it as "1 d fast"; a till with the right
 * clock shows neither.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { startTestServer, type TestServer } from '@smartkirana/server/testing';
import { buildPwa, chromiumAvailable, launch } from './browser.ts';
import { enroll, OWNER_PIN, signIn } from './flows.ts';

const run = chromiumAvailable();
const DAY = 86_400_000;

describe.runIf(run)('a till with a wrong clock', () => {
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

  it('warns at the counter and is flagged to the owner; a right clock is not', async () => {
    const fast = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await fast.newPage();
    // Only the page's clock moves: timers still run in real time.
    await page.clock.setSystemTime(new Date(Date.now() + DAY));
    await enroll(page, server.url, { tillName: 'Fast clock' });
    await signIn(page, 'Owner', OWNER_PIN);
    await expect
      .poll(() => page.locator('[data-testid=clock-off]').textContent(), { timeout: 30_000 })
      .toContain('1 d fast');

    const right = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const owner = await right.newPage();
    await enroll(owner, server.url, { tillName: 'Right clock' });
    await signIn(owner, 'Owner', OWNER_PIN, '[data-screen=owner]');
    await expect.poll(() => owner.locator('[data-testid=sync-state]').textContent()).toBe('Online');
    expect(await owner.locator('[data-testid=clock-off]').count()).toBe(0);
    await owner.click('[data-screen=owner]');
    await owner.click('[data-owner-tab=overview]');
    const flagged = owner.locator('tr:has-text("Fast clock") [data-testid=clock-flag]');
    await expect.poll(() => flagged.textContent(), { timeout: 30_000 }).toContain('1 d fast');
    expect(await owner.locator('tr:has-text("Right clock") [data-testid=clock-flag]').count()).toBe(
      0,
    );
    await fast.close();
    await right.close();
  });
});
