/**
 * Real Chromium for end-to-end tests: Debian's `chromium` driven by playwright-core (no browser
 * download). Under `CI=true` a missing Chromium fails the run instead of skipping it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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

/** Build the PWA once per test run; returns the dist directory. */
let built: Promise<string> | undefined;
export function buildPwa(): Promise<string> {
  built ??= (async () => {
    const root = resolve(import.meta.dirname, '..');
    await build({ root, logLevel: 'error', configFile: resolve(root, 'vite.config.ts') });
    return resolve(root, 'dist');
  })();
  return built;
}
