/**
 * Steps every browser test repeats: enrolling a browser as a till with the demo owner's login,
 * signing in with a PIN, ringing up, waiting for sync, reading what the till stored, and saving a
 * screenshot of a main screen (kept as a CI artifact).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext, Page } from 'playwright-core';
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

/** Put one unit of the first product matching `query` on the bill. */
export async function ringUp(page: Page, query: string): Promise<void> {
  await page.fill('[data-testid=search]', query);
  await page.press('[data-testid=search]', 'Enter');
}

/** Wait until the till is online and the server has acknowledged every event it made. */
export async function waitSynced(page: Page, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let state: string | null = null;
  let unsynced: string | null = null;
  while (Date.now() < deadline) {
    state = await page.textContent('[data-testid=sync-state]');
    unsynced = await page.textContent('[data-testid=unsynced]');
    if (state !== null && !state.includes('Offline') && unsynced?.startsWith('0 ')) return;
    await sleep(200);
  }
  throw new Error(
    `the till did not finish syncing within ${timeout} ms: "${state}", "${unsynced}" unacknowledged`,
  );
}

/**
 * Report every receipt the moment it renders: its invoice number is appended to `shown` (in Node)
 * from a DOM observer in each page of the context. A number in `shown` was on screen, so the
 * cashier may have handed that bill over.
 */
export async function watchReceipts(context: BrowserContext, shown: string[]): Promise<void> {
  await context.exposeBinding('receiptShown', (_source, invoiceNo: string) => {
    shown.push(invoiceNo);
  });
  await context.addInitScript(() => {
    let last = '';
    const report = (window as unknown as { receiptShown: (n: string) => Promise<void> })
      .receiptShown;
    new MutationObserver(() => {
      const number = document.querySelector('[data-testid=invoice-no]')?.textContent ?? '';
      if (number !== '' && number !== last) void report(number);
      last = number;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/**
 * Every event the till has stored, read straight from its IndexedDB databases (RxDB's Dexie
 * storage keeps a collection in `rxdb-dexie-<database>--<schema version>--<collection>`, table
 * `docs`), not from the app's memory: what a crash leaves on disk. Its own events are one document
 * each (RxDB's fields dropped); the shop's log is in history chunks of JSON text. Each id once.
 */
export async function readStoredEvents(page: Page): Promise<Record<string, unknown>[]> {
  const stores = await page.evaluate(async () => {
    const raw = localStorage.getItem('smartkirana.credential');
    if (!raw) throw new Error('this browser is not enrolled as a till');
    const { shopId, deviceId } = JSON.parse(raw) as { shopId: string; deviceId: string };
    const read = async (collection: string) => {
      const name = `rxdb-dexie-smartkirana-${shopId}-${deviceId}--0--${collection}`;
      if (!(await indexedDB.databases()).some((d) => d.name === name))
        throw new Error(`the till has no database ${name}`);
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error ?? new Error(`cannot open ${name}`));
      });
      try {
        return await new Promise<Record<string, unknown>[]>((ok, fail) => {
          const req = db.transaction('docs', 'readonly').objectStore('docs').getAll();
          req.onsuccess = () => ok(req.result as Record<string, unknown>[]);
          req.onerror = () => fail(req.error ?? new Error(`cannot read ${name}`));
        });
      } finally {
        db.close();
      }
    };
    return { events: await read('events'), history: await read('history') };
  });
  const live = (d: Record<string, unknown>) => d._deleted !== true && d._deleted !== '1';
  // The till's own events, one per document, and the shop's log in chunks of JSON text.
  const own = stores.events
    .filter(live)
    .map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('_'))));
  const pulled = stores.history
    .filter((d) => live(d) && d.kind === 'events')
    .flatMap((d) => JSON.parse(String(d.body)) as Record<string, unknown>[]);
  const byId = new Map<unknown, Record<string, unknown>>();
  for (const e of [...pulled, ...own]) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()];
}
