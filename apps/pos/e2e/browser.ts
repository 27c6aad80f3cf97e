/**
 * Real Chromium for end-to-end tests: Debian's `chromium` driven by playwright-core (no browser
 * download). Under `CI=true` a missing Chromium fails the run instead of skipping it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the end-to-end tests can run here; throws under CI when they cannot. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(`Chromium is required under CI and is missing at ${CHROMIUM}`);
  return false;
}

/** The flags this closed network needs. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launch headless Chromium with the flags this closed network needs. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** Chromium on a profile directory that outlives it, and a way to kill it like a crash. */
export interface ProfileBrowser {
  context: BrowserContext;
  /** Process group of every Chromium process of this browser (the browser process leads it). */
  pgid: number;
  /**
   * SIGKILL every process of this browser at the same instant (browser, renderers, storage and
   * network services): nothing gets to flush, unload or answer. The kill is sent synchronously, before
   * the returned promise's first await; it resolves once no process of the group is left.
   */
  crash(): Promise<void>;
}

/**
 * Headless Chromium on `userDataDir`: IndexedDB, localStorage and service workers live there, so a
 * browser launched again on the same directory reopens the same till, as after a crash or reboot.
 */
export async function launchProfile(
  userDataDir: string,
  opts: { serviceWorkers?: 'allow' | 'block' } = {},
): Promise<ProfileBrowser> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    serviceWorkers: opts.serviceWorkers ?? 'block',
  });
  const browser = context.browser();
  if (!browser) throw new Error('a persistent Chromium context has no browser');
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number }[];
  };
  await cdp.detach();
  const pid = processInfo.find((p) => p.type === 'browser')?.id;
  if (pid === undefined) throw new Error('Chromium reported no browser process');
  const pgid = processGroup(pid);
  // Playwright starts the browser as the leader of a group of its own; never signal ours.
  if (pgid !== pid || pgid === processGroup(process.pid))
    throw new Error(`Chromium ${pid} does not lead its own process group (group ${pgid})`);
  const closed = new Promise<void>((ok) => context.once('close', () => ok()));
  return {
    context,
    pgid,
    crash: () => {
      process.kill(-pgid, 'SIGKILL');
      return (async () => {
        await closed;
        for (let i = 0; groupAlive(pgid); i++) {
          if (i > 150) throw new Error(`Chromium processes of group ${pgid} outlived SIGKILL`);
          await sleep(100);
        }
      })();
    },
  };
}

/** State and process group of a process from `/proc/<pid>/stat` ("pid (comm) state ppid pgrp …"). */
function procStat(pid: number | string): { state: string; pgrp: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const [state = '', , pgrp = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, pgrp: Number(pgrp) };
}

function processGroup(pid: number): number {
  const stat = procStat(pid);
  if (!stat) throw new Error(`no process ${pid}`);
  return stat.pgrp;
}

/** Whether a process of the group still runs (zombies waiting to be reaped do not count). */
function groupAlive(pgid: number): boolean {
  return readdirSync('/proc').some((name) => {
    if (!/^\d+$/.test(name)) return false;
    const stat = procStat(name);
    return stat?.pgrp === pgid && stat.state !== 'Z';
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
