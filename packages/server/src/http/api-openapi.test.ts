/**
 * The API as a whole, on SQLite and Postgres: the OpenAPI document lists every declared route with
 * its parameters and body; the docs page is self-contained HTML; every list route answers CSV; and
 * a sweep of every REST route with garbage input never gets a 5xx or stores anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, type TestServer, type TestShop } from '../testing/index.ts';
import { caller, startApiShop, storedCounts, type Caller } from './api-testing.ts';
import { openApiPath } from './openapi.ts';
import { REGISTRY } from './route.ts';

interface Operation {
  tags: string[];
  summary: string;
  security: unknown[];
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { content: { 'application/json': { schema: { properties?: object } } } };
  responses: Record<string, unknown>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { scheme: string }> };
}

/** Tags of the books API (auth, staff and sync routes are swept by their own suites). */
const BOOKS = new Set([
  'products',
  'sales',
  'orders',
  'inventory',
  'accounting',
  'khata',
  'suppliers',
  'expenses',
  'gst',
  'conflicts',
]);

/** Fill every path parameter with one value (garbage, or an id that exists nowhere). */
const fill = (path: string, value: string): string =>
  path.replace(/:([A-Za-z0-9_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, value);
const NOWHERE = '0190e8a2-7b3c-7d4e-8f5a-1b2c3d4e5f60';

for (const dialect of await dialects()) {
  describe(`OpenAPI, docs and route sweep (${dialect})`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: Caller;
    let cashier: Caller;

    beforeAll(async () => {
      ({ server, shop, owner, cashier } = await startApiShop(dialect));
    });
    afterAll(async () => {
      await server.close();
    });

    it('lists every declared route in the OpenAPI document', async () => {
      const res = await caller(server).get<Doc>('/api/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.components.securitySchemes.bearerAuth?.scheme).toBe('bearer');
      expect(REGISTRY.filter((r) => BOOKS.has(r.tag)).length).toBeGreaterThan(60);
      for (const spec of REGISTRY) {
        const op = doc.paths[openApiPath(spec.path)]?.[spec.method];
        expect(op, `${spec.method} ${spec.path}`).toBeDefined();
        expect(op?.summary).toBe(spec.summary);
        expect(op?.tags).toEqual([spec.tag]);
      }
      const print = doc.paths['/api/v1/invoices/{invoiceNo}/print']?.get;
      expect(print?.parameters).toEqual([
        expect.objectContaining({ name: 'invoiceNo', in: 'path', required: true }),
      ]);
      const list = doc.paths['/api/v1/products']?.get;
      expect(list?.parameters.map((p) => p.name)).toEqual(
        expect.arrayContaining(['limit', 'offset', 'format', 'category', 'q']),
      );
      expect(list?.parameters.find((p) => p.name === 'limit')?.required).toBe(false);
      const create = doc.paths['/api/v1/products']?.post;
      expect(create?.requestBody?.content['application/json'].schema.properties).toHaveProperty(
        'sku',
      );
      expect(create?.responses).toHaveProperty('201');
      expect(doc.paths['/api/v1/conflicts/{conflictId}/resolve']?.post).toBeDefined();
      expect(doc.paths['/api/openapi.json']?.get?.security).toEqual([]);
    });

    it('serves a self-contained docs page', async () => {
      const res = await caller(server).get<string>('/api/docs');
      expect(res.status).toBe(200);
      expect(res.type).toContain('text/html');
      expect(res.text).toContain('openapi.json');
      expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(res.text).not.toMatch(/<script[^>]+src=/);
    });

    it('answers CSV on every list route', async () => {
      const lists = REGISTRY.filter(
        (r) => r.csv && r.method === 'get' && BOOKS.has(r.tag) && !r.path.includes(':'),
      );
      expect(lists.length).toBeGreaterThan(15);
      for (const spec of lists) {
        const res = await owner.get<string>(`${spec.path}?format=csv&account=sales`);
        expect(res.status, spec.path).toBe(200);
        expect(res.type, spec.path).toContain('text/csv');
      }
    });

    it('never answers 5xx or stores anything for garbage input', async () => {
      const before = await storedCounts(server, shop.shopId);
      const paths = REGISTRY.filter((r) => BOOKS.has(r.tag)).flatMap((spec) =>
        [...new Set([fill(spec.path, 'zz'), fill(spec.path, NOWHERE)])].map((path) => ({
          spec,
          path,
        })),
      );
      for (const { spec, path } of paths) {
        for (const who of [owner, cashier]) {
          const replies =
            spec.method === 'get'
              ? [await who.get(`${path}?limit=-1&from=x&days=abc&format=xml`), await who.get(path)]
              : [
                  await who.raw(spec.method.toUpperCase(), path, '{"lines":"x","qty":1e400}'),
                  await who.raw(spec.method.toUpperCase(), path, 'not json'),
                  await who.raw(spec.method.toUpperCase(), path, '[]'),
                ];
          for (const r of replies)
            expect(r.status, `${spec.method} ${path}: ${r.text}`).toBeLessThan(500);
        }
      }
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });
  });
}
