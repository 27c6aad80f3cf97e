/**
 * The shop itself: its settings (name, GSTIN, state, registration, UPI address), which every till
 * learns from the `v1.ShopConfigured` event, and opening another shop under the same login.
 */
import type { Hono } from 'hono';
import { shopConfigured } from '@smartkirana/domain/event-payloads';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { addShopFor, recordAsServer } from '../shops.ts';
import { route } from './route.ts';

const settings = shopConfigured.partial();

/** Register the shop routes. */
export function shopRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/shop',
      summary: "The shop's settings",
      tag: 'shops',
      access: 'user',
    },
    async (c, { auth }) => {
      const { projection } = await c
        .get('services')
        .cache.get(c.get('services').db.db, auth.shopId);
      return { id: auth.shopId, ...projection.shop.value() };
    },
  );

  route(
    app,
    {
      method: 'patch',
      path: '/api/v1/shop',
      summary: "Change the shop's settings (owner)",
      tag: 'shops',
      access: 'user',
      roles: ['owner'],
      body: settings,
    },
    async (c, { body, auth }) => {
      const s = c.get('services');
      const { projection } = await s.cache.get(s.db.db, auth.shopId);
      // Nothing to change records nothing.
      if (Object.keys(body).length === 0) return { id: auth.shopId, ...projection.shop.value() };
      const merged = shopConfigured.safeParse({ ...projection.shop.value(), ...body });
      if (!merged.success)
        throw new ApiError('validation_failed', 'invalid settings', {
          issues: merged.error.issues
            .slice(0, 10)
            .map((i) => ({ path: i.path.map(String), message: i.message })),
        });
      await recordAsServer(s, auth.shopId, auth.userId, (w) => {
        w.emit('v1.ShopConfigured', merged.data);
      });
      await s.db.db
        .updateTable('shops')
        .set({
          name: merged.data.name,
          gstin: merged.data.gstin ?? null,
          state_code: merged.data.stateCode,
          registration: merged.data.registration,
        })
        .where('id', '=', auth.shopId)
        .execute();
      return { id: auth.shopId, ...merged.data };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/shops',
      summary: 'Open another shop under this login; switch to it with /api/v1/auth/switch-shop',
      tag: 'shops',
      access: 'user',
      roles: ['owner'],
      body: z.object({
        name: shopConfigured.shape.name,
        stateCode: shopConfigured.shape.stateCode,
        gstin: shopConfigured.shape.gstin,
        registration: shopConfigured.shape.registration.default('regular'),
        upiVpa: shopConfigured.shape.upiVpa,
      }),
    },
    async (c, { body, auth }) => {
      const shop = await addShopFor(c.get('services'), auth.userId, body);
      return { shopId: shop.shopId, name: body.name };
    },
  );
}
