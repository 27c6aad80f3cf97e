import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../testing/index.ts';
import { caller, startApiShop, storedCounts, type ApiShop } from './api-testing.ts';

for (const dialect of await dialects()) {
  describe(`shop settings and several shops on ${dialect}`, () => {
    let api: ApiShop;
    beforeAll(async () => {
      api = await startApiShop(dialect);
    });
    afterAll(async () => {
      await api.server.close();
    });

    it('the owner changes the UPI address; every replica learns it from the event', async () => {
      const res = await api.owner.patch<{ upiVpa: string; name: string }>('/api/v1/shop', {
        upiVpa: 'testkirana@okbank',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ upiVpa: 'testkirana@okbank', name: 'Test Kirana' });
      const pulled = await api.server.services.db.db
        .selectFrom('events')
        .select(['body'])
        .where('shop_id', '=', api.shop.shopId)
        .where('type', '=', 'v1.ShopConfigured')
        .execute();
      expect(pulled.at(-1)?.body).toContain('testkirana@okbank');
      expect((await api.cashier.get<{ upiVpa: string }>('/api/v1/shop')).body.upiVpa).toBe(
        'testkirana@okbank',
      );
    });

    it('a cashier may not change settings; invalid settings are 422 and store nothing', async () => {
      const before = await storedCounts(api.server, api.shop.shopId);
      expect((await api.cashier.patch('/api/v1/shop', { name: 'Mine now' })).status).toBe(403);
      expect((await api.owner.patch('/api/v1/shop', { gstin: 'NOT-A-GSTIN' })).status).toBe(422);
      expect((await api.owner.patch('/api/v1/shop', { upiVpa: 'no at sign' })).status).toBe(422);
      expect(await storedCounts(api.server, api.shop.shopId)).toEqual(before);
    });

    it('an owner opens a second shop and switches to it with one login', async () => {
      const opened = await api.owner.post<{ shopId: string }>('/api/v1/shops', {
        name: 'Second Branch',
        stateCode: '29',
      });
      expect(opened.status).toBe(201);
      const switched = await api.owner.post<{ accessToken: string; shop: { id: string } }>(
        '/api/v1/auth/switch-shop',
        { shopId: opened.body.shopId },
      );
      expect(switched.status).toBe(200);
      expect(switched.body.shop.id).toBe(opened.body.shopId);
      const there = caller(api.server, switched.body.accessToken);
      expect(
        (await there.get<{ name: string; stateCode: string }>('/api/v1/shop')).body,
      ).toMatchObject({ name: 'Second Branch', stateCode: '29' });
      const me = await there.get<{ shops: { id: string }[] }>('/api/v1/auth/me');
      expect(me.body.shops.map((s) => s.id)).toContain(api.shop.shopId);
      expect(
        (await api.cashier.post('/api/v1/shops', { name: 'Nope', stateCode: '27' })).status,
      ).toBe(403);
    });
  });
}
