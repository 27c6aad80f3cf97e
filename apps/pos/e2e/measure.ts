/**
 * PWA figures for docs/benchmarks.md: the production bundle (raw and gzip) and the time to
 * interactive when the app opens from the service worker with the network off (reload → the
 * sign-in screen usable). Run: `npx tsx apps/pos/e2e/measure.ts`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { startTestServer } from '@smartkirana/server/testing';
import { buildPwa, launch } from './browser.ts';
import { enroll } from './flows.ts';

const dist = await buildPwa();
const files = walk(dist).filter((f) => /\.(js|css|html|wasm)$/.test(f));
let raw = 0;
let gzip = 0;
for (const f of files) {
  const body = readFileSync(f);
  raw += body.length;
  gzip += gzipSync(body).length;
}
console.log(
  `bundle: ${files.length} files, ${(raw / 1024).toFixed(0)} KiB raw, ${(gzip / 1024).toFixed(0)} KiB gzip`,
);

const server = await startTestServer('sqlite', { STATIC_DIR: dist });
await seedDemo(server.services, { days: 1 });
const browser = await launch();
const context = await browser.newContext({ serviceWorkers: 'allow' });
const page = await context.newPage();
await enroll(page, server.url, { offlineReady: true });
await context.setOffline(true);
const samples: number[] = [];
for (let i = 0; i < 7; i++) {
  await page.reload();
  await page.waitForSelector('.staff-list .chip');
  samples.push(await page.evaluate(() => performance.now()));
}
samples.sort((a, b) => a - b);
console.log(
  `time to interactive from the service worker, offline: median ${samples[3]?.toFixed(0)} ms (min ${samples[0]?.toFixed(0)}, max ${samples[6]?.toFixed(0)}, 7 reloads)`,
);
await browser.close();
await server.close();

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
