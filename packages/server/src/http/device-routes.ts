/**
 * Devices of a shop: list, enroll (the secret is shown once), revoke; and the device sign-in that
 * exchanges a device id and secret for a device access token. A device of another shop is
 * `not_found`, exactly like an id that does not exist.
 */
import type { Hono } from 'hono';
import { nameSchema } from '@smartkirana/domain/event-fields';
import { uuidSchema } from '@smartkirana/domain/ids';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { authenticateDevice, enrollDevice, revokeDevice } from '../shops.ts';
import { throttle } from '../auth/throttle.ts';
import { ACCESS_TTL_SECONDS, signAccessToken } from '../auth/tokens.ts';
import { deviceParams } from './auth-schemas.ts';
import { route } from './route.ts';
import { linkedUpstream, mayEnroll } from '../replication/routes.ts';
import { clockView } from '../sync/routes.ts';

const kindSchema = z.enum(['till', 'phone', 'server']);

const deviceRow = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: kindSchema,
  revoked: z.boolean(),
  lastSeenAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  /** Device clock minus server clock at its last sync, when it was measured, and whether it is off. */
  clockSkewMs: z.number().int().nullable(),
  clockCheckedAt: z.number().int().nullable(),
  clockFlagged: z.boolean(),
});

const TAG = 'devices';

/** Register the device routes. */
export function deviceRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/devices',
      summary: 'Devices of the shop',
      tag: TAG,
      access: 'user',
      roles: ['owner', 'manager', 'accountant'],
      response: z.object({ devices: z.array(deviceRow) }),
    },
    async (c, { auth }) => {
      const rows = await c
        .get('services')
        .db.db.selectFrom('devices')
        .select([
          'id',
          'code',
          'name',
          'kind',
          'revoked_at',
          'last_seen_at',
          'created_at',
          'clock_skew_ms',
          'clock_checked_at',
        ])
        .where('shop_id', '=', auth.shopId)
        .orderBy('code')
        .execute();
      return {
        devices: rows.map((r) => ({
          id: r.id,
          code: r.code,
          name: r.name,
          kind: r.kind,
          revoked: r.revoked_at !== null,
          lastSeenAt: r.last_seen_at,
          createdAt: r.created_at,
          ...clockView(r),
        })),
      };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/devices',
      summary: 'Enroll a device; its secret is in this answer only',
      tag: TAG,
      access: 'user',
      roles: ['owner', 'manager'],
      body: z.strictObject({ name: nameSchema, kind: kindSchema }),
      response: z.object({ deviceId: z.string(), code: z.string(), secret: z.string() }),
    },
    async (c, { body, auth }) => {
      const s = c.get('services');
      if (!mayEnroll(auth.role, body.kind))
        throw new ApiError('forbidden', `a ${auth.role} may not enroll a ${body.kind}`);
      // A shop linked to an upstream enrolls there: device codes are allocated in one place.
      let enrolled;
      if (await linkedUpstream(s, auth.shopId)) {
        if (s.upstream?.shopId !== auth.shopId)
          throw new ApiError('unavailable', 'the upstream server is not reachable yet; try again');
        enrolled = await s.upstream.enroll(auth.userId, body);
      } else enrolled = await enrollDevice(s, auth.shopId, auth.userId, body);
      s.log.info('device enrolled', {
        shopId: auth.shopId,
        deviceId: enrolled.deviceId,
        code: enrolled.code,
      });
      return enrolled;
    },
  );

  route(
    app,
    {
      method: 'delete',
      path: '/api/v1/devices/:deviceId',
      summary: 'Revoke a device: it cannot sign in, and what it pushes goes to quarantine',
      tag: TAG,
      access: 'user',
      roles: ['owner', 'manager'],
      params: deviceParams,
      response: z.object({ revoked: z.literal(true) }),
    },
    async (c, { params, auth }) => {
      const s = c.get('services');
      const shop = await s.db.db
        .selectFrom('shops')
        .select('server_device_id')
        .where('id', '=', auth.shopId)
        .executeTakeFirstOrThrow();
      // The server records REST writes as this device; revoking it would quarantine them all.
      if (shop.server_device_id === params.deviceId)
        throw new ApiError('conflict', "the shop server's own identity cannot be revoked");
      await revokeDevice(s, auth.shopId, auth.userId, params.deviceId);
      s.log.info('device revoked', { shopId: auth.shopId, deviceId: params.deviceId });
      return { revoked: true };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/auth/device-token',
      summary: 'Device sign-in: exchange the device id and secret for an access token',
      tag: 'auth',
      access: 'public',
      body: z.strictObject({ deviceId: uuidSchema, secret: z.string().min(1).max(256) }),
      response: z.object({
        accessToken: z.string(),
        expiresIn: z.number().int(),
        shopId: z.string(),
        deviceId: z.string(),
        code: z.string(),
      }),
    },
    async (c, { body }) => {
      const s = c.get('services');
      throttle(c, s.limits.login, `device:${body.deviceId}`);
      const device = await authenticateDevice(s, body.deviceId, body.secret);
      // Only someone holding the secret learns that the device was revoked.
      if (device.revoked_at !== null)
        throw new ApiError('device_revoked', 'this device was revoked; enroll it again');
      const accessToken = await signAccessToken(s.jwtKey, {
        typ: 'device',
        sub: device.id,
        shop: device.shop_id,
      });
      return c.json(
        {
          accessToken,
          expiresIn: ACCESS_TTL_SECONDS,
          shopId: device.shop_id,
          deviceId: device.id,
          code: device.code,
        },
        200,
      );
    },
  );
}
