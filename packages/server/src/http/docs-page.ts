/**
 * `GET /api/openapi.json` and `GET /api/docs`: the OpenAPI document and a self-contained page that
 * reads it and lists every operation by tag with its parameters and schemas. The page loads nothing
 * from elsewhere (works on a shop's LAN with no internet); its one inline script is allowed by hash
 * in the Content-Security-Policy, and it writes data only through `textContent`.
 */
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { openApiDocument } from './openapi.ts';
import { route } from './route.ts';

const SCRIPT = `
const el = (tag, text, cls) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};
const json = (v) => JSON.stringify(v, null, 2);
fetch('openapi.json').then((r) => r.json()).then((doc) => {
  const root = document.getElementById('ops');
  document.getElementById('about').textContent = doc.info.description;
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  const nav = document.getElementById('nav');
  for (const [tag, list] of byTag) {
    const link = el('a', tag + ' (' + list.length + ')');
    link.href = '#tag-' + tag;
    nav.append(link, ' ');
    const section = el('section');
    const h = el('h2', tag);
    h.id = 'tag-' + tag;
    section.append(h);
    for (const { path, method, op } of list) {
      const d = el('details', undefined, 'op');
      const s = el('summary');
      s.append(el('span', method.toUpperCase(), 'm ' + method), el('code', path), el('span', ' ' + (op.summary || '')));
      d.append(s);
      const who = op['x-access'] + (op['x-roles'] ? ' — roles: ' + op['x-roles'].join(', ') : '') + (op['x-csv'] ? ' — ?format=csv' : '');
      d.append(el('p', 'Access: ' + who));
      if (op.parameters && op.parameters.length) {
        const t = el('table');
        const head = el('tr');
        for (const c of ['name', 'in', 'required', 'schema']) head.append(el('th', c));
        t.append(head);
        for (const p of op.parameters) {
          const tr = el('tr');
          tr.append(el('td', p.name), el('td', p.in), el('td', p.required ? 'yes' : ''), el('td', json(p.schema)));
          t.append(tr);
        }
        d.append(t);
      }
      if (op.requestBody) {
        d.append(el('h4', 'Request body (application/json)'));
        d.append(el('pre', json(op.requestBody.content['application/json'].schema)));
      }
      d.append(el('h4', 'Responses: ' + Object.keys(op.responses).join(', ')));
      section.append(d);
    }
    root.append(section);
  }
}).catch((err) => { document.getElementById('ops').textContent = 'Could not load openapi.json: ' + err; });
`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SmartKirana API</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; color: #1a1a1a; }
h1 { margin: 0 0 4px; } h2 { border-bottom: 2px solid #ddd; margin-top: 32px; text-transform: capitalize; }
nav a { margin-right: 8px; } code { font-size: 13px; margin: 0 8px; }
details.op { border: 1px solid #ddd; border-radius: 6px; margin: 6px 0; padding: 4px 10px; }
summary { cursor: pointer; } .m { display: inline-block; width: 58px; font-weight: bold; font-size: 12px; }
.get { color: #1565c0; } .post { color: #2e7d32; } .patch, .put { color: #ef6c00; } .delete { color: #c62828; }
table { border-collapse: collapse; width: 100%; font-size: 12px; } td, th { border: 1px solid #e0e0e0; padding: 3px 6px; vertical-align: top; text-align: left; }
td:last-child { font-family: monospace; white-space: pre-wrap; } pre { background: #f6f6f6; padding: 8px; overflow: auto; font-size: 12px; }
</style></head><body>
<h1>SmartKirana API</h1>
<p id="about"></p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a>. Send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<nav id="nav"></nav>
<main id="ops">Loading…</main>
<script>${SCRIPT}</script>
</body></html>
`;

/** Register the OpenAPI document and the documentation page. */
export function docsRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/openapi.json',
      summary: 'The OpenAPI 3.1 document of every route',
      tag: 'docs',
      access: 'public',
    },
    () => Promise.resolve(openApiDocument()),
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/docs',
      summary: 'API documentation page (self-contained HTML)',
      tag: 'docs',
      access: 'public',
    },
    (c) =>
      Promise.resolve(
        c.html(PAGE, 200, {
          'content-security-policy': `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'`,
        }),
      ),
  );
}
