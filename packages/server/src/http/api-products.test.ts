/**
 * Product routes on SQLite and Postgres: create / list / search / edit / reprice / discontinue, SKU
 * uniqueness, role refusal that stores nothing, tenancy, bad input, CSV export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, type TestServer, type TestShop } from '../testing/index.ts';
import { caller, idOf, startApiShop, storedCounts, type Caller } from './api-testing.ts';
import type { ProductView } from './api-product-view.ts';

interface Page<T> {
  items: T[];
  total: number;
}

for (const dialect of await dialects()) {
  describe(`products API (${dialect})`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: Caller;
    let cashier: Caller;
    let stranger: Caller;
    let ids: Map<string, string>;

    beforeAll(async () => {
      ({ server, shop, owner, cashier, stranger, ids } = await startApiShop(dialect));
    });
    afterAll(async () => {
      await server.close();
    });

    it('creates products with stock, rate and status', async () => {
      const rice = await owner.get<ProductView>(`/api/v1/products/${idOf(ids, 'RICE-BSM')}`);
      expect(rice.status).toBe(200);
      expect(rice.body).toMatchObject({
        sku: 'RICE-BSM',
        unit: 'g',
        per: 1000,
        sellingPrice: 11000,
        mrp: 12000,
        rateBps: 500,
        qty: 0,
        stockValue: 0,
        status: 'critical',
        discontinued: false,
      });
      const single = await owner.post<ProductView>('/api/v1/products', {
        sku: 'SOAP-1',
        name: 'Bath Soap',
        category: 'personal-care',
        unit: 'pc',
        mrp: 4000,
        sellingPrice: 3800,
        costPrice: 3000,
        rateBps: 1800,
      });
      expect(single.status).toBe(201);
      expect(single.body.gst).toEqual([{ from: '2017-07-01', rateBps: 1800 }]);
      expect(single.body.minStock).toBe(0);
      ids.set('SOAP-1', single.body.productId);
    });

    it('refuses a SKU already in the shop (any case) and stores nothing', async () => {
      const before = await storedCounts(server, shop.shopId);
      const dup = await owner.post('/api/v1/products', {
        sku: 'rice-bsm',
        name: 'Another rice',
        category: 'grains',
        unit: 'g',
        mrp: 100,
        sellingPrice: 100,
        costPrice: 50,
        rateBps: 500,
      });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ error: { code: 'conflict' } });
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
      // Another shop may use the same SKU.
      const elsewhere = await stranger.post('/api/v1/products', {
        sku: 'RICE-BSM',
        name: 'Rice',
        category: 'grains',
        unit: 'g',
        mrp: 100,
        sellingPrice: 100,
        costPrice: 50,
        rateBps: 500,
      });
      expect(elsewhere.status).toBe(201);
    });

    it('lets only one of two concurrent creates take a SKU', async () => {
      const body = {
        sku: 'RACE-1',
        name: 'Race',
        category: 'misc',
        unit: 'pc',
        mrp: 100,
        sellingPrice: 100,
        costPrice: 50,
        rateBps: 0,
      };
      const replies = await Promise.all([1, 2, 3].map(() => owner.post('/api/v1/products', body)));
      expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      const made = replies.find((r) => r.status === 201)?.body as ProductView;
      expect((await owner.del(`/api/v1/products/${made.productId}`)).status).toBe(200);
    });

    it('lists with category filter, search and pagination', async () => {
      const all = await owner.get<Page<ProductView>>('/api/v1/products');
      expect(all.body.total).toBe(7);
      const staples = await owner.get<Page<ProductView>>('/api/v1/products?category=staples');
      expect(staples.body.items.map((p) => p.sku).sort()).toEqual(['SALT-1K', 'SUGAR']);
      const byName = await owner.get<Page<ProductView>>('/api/v1/products?q=tea');
      expect(byName.body.items.map((p) => p.sku)).toEqual(['TEA-250']);
      const byBarcode = await owner.get<Page<ProductView>>('/api/v1/products?q=8901234500036');
      expect(byBarcode.body.items.map((p) => p.sku)).toEqual(['OIL-1L']);
      const page = await owner.get<Page<ProductView>>('/api/v1/products?limit=2&offset=2');
      expect(page.body).toMatchObject({ total: 7, limit: 2, offset: 2 });
      expect(page.body.items).toHaveLength(2);
      expect(page.body.items[0]?.name).toBe(all.body.items[2]?.name);
      // A cashier may read the catalogue.
      expect((await cashier.get('/api/v1/products')).status).toBe(200);
    });

    it('edits catalogue fields and keeps SKUs unique', async () => {
      const salt = idOf(ids, 'SALT-1K');
      const edited = await owner.patch<ProductView>(`/api/v1/products/${salt}`, {
        name: 'Iodised Salt 1 kg (Tata)',
        minStock: 12,
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ name: 'Iodised Salt 1 kg (Tata)', minStock: 12 });
      const clash = await owner.patch(`/api/v1/products/${salt}`, { sku: 'SUGAR' });
      expect(clash.status).toBe(409);
      const empty = await owner.patch(`/api/v1/products/${salt}`, {});
      expect(empty.status).toBe(422);
    });

    it('changes a price based on the current price, and a cashier may not', async () => {
      const tea = idOf(ids, 'TEA-250');
      const before = await storedCounts(server, shop.shopId);
      const refused = await cashier.post(`/api/v1/products/${tea}/price`, { sellingPrice: 14000 });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
      expect(await storedCounts(server, shop.shopId)).toEqual(before);

      const changed = await owner.post<ProductView>(`/api/v1/products/${tea}/price`, {
        sellingPrice: 14000,
        costPrice: 11800,
      });
      expect(changed.status).toBe(201);
      expect(changed.body).toMatchObject({ sellingPrice: 14000, costPrice: 11800, mrp: 15000 });
      const { db } = server.services.db;
      const rows = await db
        .selectFrom('events')
        .select(['type', 'hlc', 'body'])
        .where('shop_id', '=', shop.shopId)
        .where('type', 'in', ['v1.ProductCreated', 'v1.PriceChanged'])
        .orderBy('seq')
        .execute();
      const created = rows.find(
        (r) => r.type === 'v1.ProductCreated' && r.body.includes(`"productId":"${tea}"`),
      );
      const price = rows.find((r) => r.type === 'v1.PriceChanged');
      expect(created).toBeDefined();
      expect(
        (JSON.parse(price?.body ?? '{}') as { payload: { basedOn: string } }).payload.basedOn,
      ).toBe(created?.hlc);
      const aboveMrp = await owner.post(`/api/v1/products/${tea}/price`, { sellingPrice: 15100 });
      expect(aboveMrp.status).toBe(422);
    });

    it('discontinues (soft delete) and lists low stock', async () => {
      const soap = idOf(ids, 'SOAP-1');
      const gone = await owner.del<ProductView>(`/api/v1/products/${soap}?reason=not+selling`);
      expect(gone.status).toBe(200);
      expect(gone.body.discontinued).toBe(true);
      const again = await owner.del<ProductView>(`/api/v1/products/${soap}`);
      expect(again.status).toBe(200);
      const list = await owner.get<Page<ProductView>>('/api/v1/products');
      expect(list.body.items.some((p) => p.productId === soap)).toBe(false);
      const withOld = await owner.get<Page<ProductView>>(
        '/api/v1/products?includeDiscontinued=true',
      );
      expect(withOld.body.items.some((p) => p.productId === soap)).toBe(true);
      const low = await owner.get<Page<{ sku: string; status: string }>>(
        '/api/v1/products/low-stock',
      );
      expect(low.status).toBe(200);
      expect(low.body.total).toBe(6);
      expect(low.body.items.every((r) => r.status === 'critical')).toBe(true);
    });

    it('keeps tenants sealed: another shop’s product is not found', async () => {
      const rice = idOf(ids, 'RICE-BSM');
      const before = await storedCounts(server, shop.shopId);
      expect((await stranger.get(`/api/v1/products/${rice}`)).status).toBe(404);
      expect((await stranger.patch(`/api/v1/products/${rice}`, { name: 'x' })).status).toBe(404);
      const price = await stranger.post(`/api/v1/products/${rice}/price`, { sellingPrice: 1 });
      expect(price.status).toBe(404);
      expect(price.body).toMatchObject({ error: { code: 'not_found' } });
      expect((await stranger.del(`/api/v1/products/${rice}`)).status).toBe(404);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });

    it('refuses bad input with 4xx and stores nothing', async () => {
      const before = await storedCounts(server, shop.shopId);
      const base = {
        sku: 'NEW-1',
        name: 'New',
        category: 'misc',
        unit: 'pc',
        mrp: 100,
        sellingPrice: 100,
        costPrice: 50,
        rateBps: 500,
      };
      const cases = [
        { ...base, mrp: -1 },
        { ...base, sellingPrice: 10.5 },
        { ...base, unit: 'kg' },
        { ...base, category: 'Not A Slug' },
        { ...base, rateBps: undefined },
        { ...base, extra: true },
        { ...base, sku: '' },
      ];
      for (const body of cases) {
        const res = await owner.post('/api/v1/products', body);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
      }
      expect((await owner.raw('POST', '/api/v1/products', '{"sku":')).status).toBe(400);
      expect((await owner.get('/api/v1/products/not-a-uuid')).status).toBe(422);
      expect((await owner.get('/api/v1/products?limit=0')).status).toBe(422);
      expect((await caller(server).get('/api/v1/products')).status).toBe(401);
      expect(await storedCounts(server, shop.shopId)).toEqual(before);
    });

    it('exports CSV with quoting and formula guards', async () => {
      const risky = await owner.post<ProductView>('/api/v1/products', {
        sku: 'RISKY',
        name: '=HYPERLINK("http://x", "click, here")',
        category: 'misc',
        unit: 'pc',
        mrp: 100,
        sellingPrice: 100,
        costPrice: 50,
        rateBps: 0,
      });
      expect(risky.status).toBe(201);
      const csv = await owner.get<string>('/api/v1/products?format=csv&limit=1');
      expect(csv.status).toBe(200);
      expect(csv.type).toContain('text/csv');
      const lines = csv.text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]?.split(',').slice(0, 4)).toEqual(['productId', 'sku', 'name', 'category']);
      expect(lines).toHaveLength(1 + 7); // every row, not one page
      expect(csv.text).toContain(`"'=HYPERLINK(""http://x"", ""click, here"")"`);
    });
  });
}
