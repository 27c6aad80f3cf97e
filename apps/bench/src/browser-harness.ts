/**
 * What the browser measures stand on: the benchmark page built with Vite and served by the sync
 * server itself (one origin, as the PWA is served), Debian's Chromium driven by playwright-core
 * with an on-disk profile (IndexedDB as a till keeps it, not the in-memory store of an incognito
 * context), shops filled over HTTP with realistic sales, and the page's JS heap read over CDP.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import type { DomainEvent } from '@smartkirana/domain/events';
import { enrollDevice } from '@smartkirana/server/shops';
import {
  createTestShop,
  pushRequest,
  syncHeaders,
  type TestServer,
  type TestShop,
} from '@smartkirana/server/testing';
import type { BenchPageApi, PageCredential } from '../browser/api.ts';
import { batches, buildWorkload } from './workload.ts';

/** Debian's Chromium (never a downloaded browser); `CHROMIUM_PATH` overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is here; under CI a missing one fails the run instead of skipping. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(`Chromium is required under CI and is missing at ${CHROMIUM}`);
  return false;
}

/** Build the benchmark page into a fresh directory; the caller removes it. */
export async function buildBenchPage(): Promise<string> {
  const root = fileURLToPath(new URL('../browser', import.meta.url));
  const outDir = mkdtempSync(join(tmpdir(), 'smartkirana-bench-page-'));
  await build({
    root,
    configFile: false,
    logLevel: 'error',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 4000,
      rolldownOptions: { input: { till: join(root, 'index.html'), raw: join(root, 'raw.html') } },
    },
  });
  return outDir;
}

export interface Chromium {
  context: BrowserContext;
  /** e.g. "156.0.8078.79". */
  version: string;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh on-disk profile. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'smartkirana-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  // The user agent string hides the minor version numbers; the DevTools protocol does not.
  const probe = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(probe);
  const { product } = await cdp.send('Browser.getVersion');
  await cdp.detach();
  await probe.close();
  return {
    context,
    version: product.replace(/^\D*/, ''),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new tab on the till or the raw page, served by `server`; uncaught errors go to `log`. */
export async function openBenchPage(
  chrome: Chromium,
  server: TestServer,
  kind: 'till' | 'raw',
  log: (line: string) => void,
): Promise<Page> {
  const page = await chrome.context.newPage();
  page.on('pageerror', (err) => log(`page error: ${err.message}`));
  await page.goto(`${server.url}/${kind === 'till' ? '' : 'raw.html'}`);
  await page.waitForFunction(() => 'bench' in globalThis);
  return page;
}

/** Call one of the page's functions with plain data. */
export function callPage<K extends keyof BenchPageApi>(
  page: Page,
  name: K,
  input: Parameters<BenchPageApi[K]>[0],
): Promise<Awaited<ReturnType<BenchPageApi[K]>>> {
  return page.evaluate(
    ([fn, arg]) => {
      const bench = (globalThis as unknown as { bench: Record<string, (a: unknown) => unknown> })
        .bench;
      return bench[fn]?.(arg);
    },
    [name, input] as const,
  ) as Promise<Awaited<ReturnType<BenchPageApi[K]>>>;
}

/** The page's JS heap after a full garbage collection, MiB. */
export async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize / 2 ** 20;
  } finally {
    await cdp.detach();
  }
}

export interface FilledShop {
  shop: TestShop;
  /** Events in the shop's log (its latest sequence). */
  events: number;
}

/** A shop with `products` products, their opening stock and `sales` sales, pushed over HTTP. */
export async function fillShop(
  server: TestServer,
  opts: { products: number; sales: number; seed: number },
): Promise<FilledShop> {
  const shop = await createTestShop(server, { seed: opts.seed });
  const workload = buildWorkload(shop.tillSim, { products: opts.products, sales: opts.sales });
  for (const chunk of batches(workload.setup, 100)) await push(server, shop, chunk);
  for (const chunk of batches(workload.sales, 1000)) await push(server, shop, chunk);
  return { shop, events: await head(server, shop) };
}

/** Enroll a new till for the shop; returns its credential (the till stores it at enrollment). */
export async function enrollTill(server: TestServer, filled: FilledShop): Promise<PageCredential> {
  const { shopId, ownerId } = filled.shop;
  const device = await enrollDevice(server.services, shopId, ownerId, {
    name: 'Bench till',
    kind: 'till',
  });
  // Enrolling records the new device in the shop's log.
  filled.events = await head(server, filled.shop);
  return { shopId, ...device };
}

/**
 * Push one batch. A connection the server closed while idle can fail a request before it is
 * read; the push is then sent again, which is safe: a repeated event is answered `duplicate`.
 */
async function push(server: TestServer, shop: TestShop, events: readonly DomainEvent[]) {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${server.url}/sync/v1/push`, pushRequest(shop.till.token, events));
    } catch (err) {
      if (attempt < 3) continue;
      throw err;
    }
    if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { results: { status: string }[] };
    const refused = body.results.filter((r) => r.status !== 'accepted' && r.status !== 'duplicate');
    if (refused.length > 0) throw new Error(`push did not accept ${refused.length} events`);
    return;
  }
}

/** The shop's latest sequence, as a pull reports it. */
async function head(server: TestServer, shop: TestShop): Promise<number> {
  const res = await fetch(`${server.url}/sync/v1/pull?after=0&limit=1`, {
    headers: syncHeaders(shop.till.token),
  });
  if (res.status !== 200) throw new Error(`pull answered ${res.status}`);
  const page = (await res.json()) as { head?: number };
  if (page.head === undefined) throw new Error('the pull did not report the head');
  return page.head;
}
