/**
 * Serving the built PWA from the same origin as the API, so the till's service worker, IndexedDB
 * and the sync calls share one origin. Hashed assets are cached for a year; `index.html`, the
 * service worker and the manifest are always revalidated so an update is picked up.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

const API = /^\/(api|sync|health|ready)(\/|$)/;

/** Serve files under `dir`; unknown non-API paths get `index.html` (client-side routes). */
export function staticRoutes(app: Hono<AppEnv>, dir: string): void {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) return;
  app.get('*', (c, next) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    if (API.test(path)) return next();
    const file = normalize(join(root, path));
    // Never serve anything outside the build directory.
    const target =
      file.startsWith(root) && existsSync(file) && statSync(file).isFile()
        ? file
        : join(root, 'index.html');
    const ext = extname(target);
    const body = readFileSync(target);
    const revalidate =
      ext === '.html' ||
      target.endsWith('sw.js') ||
      ext === '.webmanifest' ||
      target.includes('workbox-');
    return c.body(body, 200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'cache-control': revalidate ? 'no-cache' : 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });
}
