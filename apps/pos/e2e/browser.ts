/**
 * Real Chromium for end-to-end tests: Debian's `chromium` driven by playwright-core (no browser
 * download). Under `CI=true` a missing Chromium fails the run instead of skipping it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the end-to-end tests can run here; throws under CI when they cannot. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(`Chromium is required under CI and is missing at ${CHROMIUM}`);
  return false;
}

/** Launch headless Chromium with the flags this closed network needs. */
export function launch(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * Build the PWA once per test process; returns the directory it was built into. Each process gets
 * its own directory: test files run in parallel, and one build emptying a shared `dist` would pull
 * the app from under another file's server.
 */
let built: Promise<string> | undefined;
export function buildPwa(): Promise<string> {
  built ??= (async () => {
    const root = resolve(import.meta.dirname, '..');
    removeStaleBuilds();
    const outDir = mkdtempSync(join(tmpdir(), PREFIX));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    await build({
      root,
      logLevel: 'error',
      configFile: resolve(root, 'vite.config.ts'),
      build: { outDir, emptyOutDir: true },
    });
    return outDir;
  })();
  return built;
}

const PREFIX = 'smartkirana-pos-';

/** Test workers are often killed rather than exiting: drop builds left behind over an hour ago. */
function removeStaleBuilds(): void {
  const cutoff = Date.now() - 3_600_000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    try {
      if (statSync(dir).mtimeMs < cutoff) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}
