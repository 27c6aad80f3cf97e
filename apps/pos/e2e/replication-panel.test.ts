/**
 * The owner's dashboard on a till of a shop server linked to the cloud, in real Chromium: the cloud
 * holds the shop, the owner enrolls a shop server there, the shop server links up and brings the
 * shop down, the browser is enrolled as a till at the shop server, and the owner's overview shows
 * the cloud link live with nothing waiting to go up and nothing still to come down. A till of the
 * cloud lists the shop server below it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestShop, startTestServer, type TestServer } from '@smartkirana/server/testing';
import { buildPwa, chromiumAvailable, launch } from './browser.ts';
import { enroll, OWNER_PIN, shot, signIn } from './flows.ts';

const run = chromiumAvailable();
const OWNER = { phone: '9123456780', password: 'correct horse' };

describe.runIf(run)('owner dashboard: replication between servers', () => {
  let cloud: TestServer;
  let box: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    const dist = await buildPwa();
    cloud = await startTestServer('sqlite', { STATIC_DIR: dist });
    const shop = await createTestShop(cloud, { phone: OWNER.phone });
    const server = await enrollServer(cloud.url, shop.ownerToken);
    box = await startTestServer('sqlite', {
      STATIC_DIR: dist,
      UPSTREAM_URL: cloud.url,
      UPSTREAM_DEVICE_ID: server.deviceId,
      UPSTREAM_SECRET: server.secret,
      UPSTREAM_INTERVAL_MS: '200',
    });
    const link = box.services.upstream;
    if (!link) throw new Error('the shop server has no upstream link');
    await link.settled();
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await box.close();
    await cloud.close();
  });

  it('shows the cloud link live with nothing waiting to go up', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await enroll(page, box.url, {
      ...OWNER,
      tillName: 'Shop counter',
      ready: '.staff-list .chip:has-text("Owner")',
    });
    await signIn(page, 'Owner', OWNER_PIN, '[data-screen=owner]');
    await page.click('[data-screen=owner]');
    await page.click('[data-owner-tab=overview]');

    const panel = page.locator('[data-testid=cloud-link]');
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 30_000 }).toBe('live');
    await expect
      .poll(() => panel.locator('[data-kpi=cloud-unpushed]').textContent(), { timeout: 30_000 })
      .toBe('0');
    expect(await panel.locator('[data-kpi=cloud-behind]').textContent()).toBe('0');
    expect(await panel.locator('[data-testid=cloud-link-state]').textContent()).toContain('Live');
    expect(await panel.textContent()).toContain(cloud.url);
    // No shop server is linked below this one: no table for them.
    expect(await page.locator('[data-report=shop-servers]').count()).toBe(0);
    await shot(page, 'owner-cloud-link');
    await context.close();
  }, 120_000);

  it("lists the shop server on the cloud's dashboard, with nothing waiting", async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await enroll(page, cloud.url, {
      ...OWNER,
      tillName: 'Office',
      ready: '.staff-list .chip:has-text("Owner")',
    });
    await signIn(page, 'Owner', OWNER_PIN, '[data-screen=owner]');
    await page.click('[data-screen=owner]');
    await page.click('[data-owner-tab=overview]');

    const row = page.locator('[data-report=shop-servers] tr[data-key]');
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    expect(await row.locator('[data-col=name]').textContent()).toBe('Shop box');
    await expect
      .poll(() => row.locator('[data-col=unpushed]').textContent(), { timeout: 30_000 })
      .toMatch(/^0/);
    expect(await row.locator('[data-col=lastSeen] .till-state').getAttribute('data-online')).toBe(
      'yes',
    );
    // The cloud has no link above it.
    expect(await page.locator('[data-testid=cloud-link]').count()).toBe(0);
    await shot(page, 'owner-shop-servers');
    await context.close();
  }, 120_000);
});

/** The owner enrolls a shop server at the cloud (REST API), as from their phone. */
async function enrollServer(
  url: string,
  ownerToken: string,
): Promise<{ deviceId: string; secret: string }> {
  const res = await fetch(`${url}/api/v1/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
    body: JSON.stringify({ name: 'Shop box', kind: 'server' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { deviceId: string; secret: string };
}
