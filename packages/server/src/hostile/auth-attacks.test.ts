/**
 * Hostile credentials against every route the app serves (read from Hono's route table), on SQLite
 * and Postgres. Existing tests prove each attack on one route (`auth/tokens.test.ts` on
 * `/auth/me`, `device-routes.test.ts`, `auth-sessions.test.ts`); this file proves them on all:
 *
 * - no token, garbage, a forged signature, `alg: none`, expired, not yet valid, a refresh token
 *   as a bearer token: 401 with the right code;
 * - a device token on a person's route and a person's token on a device route: 403 `forbidden`;
 * - a revoked device: 403 `device_revoked` everywhere but push, where its events are quarantined
 *   (a revoked shop server too: it is no longer trusted to relay);
 * - every role on every route its declaration does not grant, the books kept from counter and stock
 *   staff, a cashier's every forbidden write: 403 `forbidden`;
 * - another shop's owner and till on every route, naming this shop's records: refused, nothing of
 *   this shop in any answer, nothing of it changed.
 *
 * Every refusal leaves the database unchanged (digest), and no secret reaches the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecretsLogged } from '../http/auth-test-support.ts';
import { signAccessToken } from '../auth/tokens.ts';
import { enrollDevice } from '../shops.ts';
import { dialects, pushRequest } from '../testing/index.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../sync/protocol.ts';
import { databaseDigest, shopRows } from './db-digest.ts';
import { Watch, type Answer } from './probe.ts';
import { fillPath, liveRoutes, type LiveRoute } from './route-table.ts';
import { FIXED_PARAMS, validBody, validQuery } from './valid-bodies.ts';
import { buildWorld, type World } from './world.ts';

const ROLES = ['owner', 'manager', 'cashier', 'stockkeeper', 'accountant', 'customer'] as const;
/** Reports of the books (ledger, accounts, P&L, GST): for owners, managers and accountants only. */
const BOOKS = /^\/api\/v1\/(reports|journal|ledger|accounts|gst)(\/|$)/;
/** Writes that record what only management may (prices, catalogue, voids, stock, money out). */
const CASHIER_FORBIDDEN = [
  'POST /api/v1/products',
  'PATCH /api/v1/products/:productId',
  'POST /api/v1/products/:productId/price',
  'DELETE /api/v1/products/:productId',
  'POST /api/v1/sales/:saleId/void',
  'POST /api/v1/inventory/receipts',
  'POST /api/v1/inventory/adjustments',
  'POST /api/v1/inventory/counts',
  'POST /api/v1/expenses',
  'POST /api/v1/suppliers',
  'PATCH /api/v1/suppliers/:supplierId',
  'POST /api/v1/suppliers/:supplierId/payments',
  'PATCH /api/v1/customers/:customerId',
  'POST /api/v1/conflicts/:conflictId{.+}/resolve',
];

for (const dialect of await dialects()) {
  describe(`hostile credentials on every route on ${dialect}`, () => {
    let world: World;
    let watch: Watch;
    let routes: LiveRoute[];
    beforeAll(async () => {
      world = await buildWorld(dialect);
      watch = new Watch(world.server.app, world.server.services.db, () => world.secrets);
      routes = liveRoutes(world.server.app);
    });
    afterAll(async () => {
      const t = watch.tally;
      console.info(
        `auth attacks ${dialect}: ${t.requests} requests, 5xx ${t.fiveXx}, digest changes ${t.digestChanges}`,
      );
      await world.server.close();
    });

    /** Call `route` with `token`, this shop's ids (or `ids`) and a valid body; fails on any problem. */
    const attempt = async (
      route: LiveRoute,
      token: string | undefined,
      ids: Record<string, string> = world.ids.a,
    ): Promise<Answer> => {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const { answer, problems } = await watch.probe(route.key, {
        method: route.method,
        path: `${fillPath(route.path, { ...FIXED_PARAMS, ...ids })}?${validQuery(route.key)}`,
        headers,
        body: JSON.stringify(validBody(route.key, ids)),
      });
      expect(problems, route.key).toEqual([]);
      return answer;
    };
    const outcome = (a: Answer) => ({ status: a.status, code: a.code });
    const protectedRoutes = () => routes.filter((r) => r.spec && r.spec.access !== 'public');

    it('has every kind of route to attack', () => {
      const access = new Set(protectedRoutes().map((r) => r.spec?.access));
      expect([...access].sort()).toEqual(['any', 'device', 'user']);
      expect(protectedRoutes().length).toBeGreaterThan(80);
    });

    it('refuses every protected route without a valid token', async () => {
      const t = world.tokens;
      const cases: [string, string | undefined, number, string][] = [
        ['no token', undefined, 401, 'unauthenticated'],
        ['garbage', t.garbage, 401, 'token_invalid'],
        ['forged signature', t.forgedOwnerA, 401, 'token_invalid'],
        ['alg none', t.noneOwnerA, 401, 'token_invalid'],
        ['expired', t.expiredOwnerA, 401, 'token_expired'],
        ['not yet valid', t.futureOwnerA, 401, 'token_invalid'],
        ['refresh token as bearer', t.refreshAsAccessA, 401, 'token_invalid'],
      ];
      for (const route of protectedRoutes())
        for (const [label, token, status, code] of cases)
          expect({ route: route.key, label, ...outcome(await attempt(route, token)) }).toEqual({
            route: route.key,
            label,
            status,
            code,
          });
    });

    it("refuses a device token on a person's route, and a person's token on a device route", async () => {
      for (const route of protectedRoutes()) {
        const access = route.spec?.access;
        const wrong =
          access === 'user'
            ? [world.tokens.tillA, world.tokens.phoneA, world.tokens.serverA]
            : access === 'device'
              ? [world.tokens.ownerA, world.tokens.cashierA]
              : [];
        for (const token of wrong)
          expect({ route: route.key, ...outcome(await attempt(route, token)) }).toEqual({
            route: route.key,
            status: 403,
            code: 'forbidden',
          });
      }
    });

    it('refuses a revoked device everywhere but push, where what it sends is quarantined', async () => {
      const deviceRoutes = protectedRoutes().filter(
        (r) => r.spec?.access !== 'user' && r.key !== 'POST /sync/v1/push',
      );
      expect(deviceRoutes.length).toBeGreaterThan(5);
      for (const route of deviceRoutes)
        expect({
          route: route.key,
          ...outcome(await attempt(route, world.tokens.revokedTillA)),
        }).toEqual({ route: route.key, status: 403, code: 'device_revoked' });

      // A stolen shop server, revoked by the owner, is no longer trusted to relay: what it pushes
      // in any device's name is judged here, and kept in quarantine.
      const s = world.server.services;
      const box = await enrollDevice(s, world.a.shopId, world.a.ownerId, {
        name: 'Stolen box',
        kind: 'server',
      });
      world.secrets.push(box.secret);
      const token = await signAccessToken(s.jwtKey, {
        typ: 'device',
        sub: box.deviceId,
        shop: world.a.shopId,
      });
      const del = await world.server.app.request(`/api/v1/devices/${box.deviceId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${world.tokens.ownerA}` },
      });
      expect(del.status).toBe(200);
      const forged = world.a.sim
        .addDevice('T42', { actorId: world.a.ownerId })
        .changePrice(world.ids.a.productId ?? '', 1);
      const res = await world.server.app.request('/sync/v1/push', pushRequest(token, [forged]));
      const body = (await res.json()) as { results: { status: string; code?: string }[] };
      expect(res.status).toBe(200);
      expect(body.results).toMatchObject([{ status: 'quarantined', code: 'device_revoked' }]);
      const stored = await s.db.db
        .selectFrom('events')
        .select('id')
        .where('id', '=', forged.id)
        .execute();
      expect(stored).toEqual([]);
      watch.forget();
    });

    it('refuses every role what its route declaration does not grant', async () => {
      let checked = 0;
      for (const route of routes) {
        const allowed = route.spec?.roles;
        if (!allowed) continue;
        for (const role of ROLES.filter((r) => !allowed.includes(r))) {
          checked += 1;
          expect({
            route: route.key,
            role,
            ...outcome(await attempt(route, world.roles[role])),
          }).toEqual({ route: route.key, role, status: 403, code: 'forbidden' });
        }
      }
      expect(checked).toBeGreaterThan(30);
    });

    it('keeps the books, reports and GST from counter staff, stock keepers and customers', async () => {
      const books = routes.filter((r) => r.method === 'GET' && BOOKS.test(r.path));
      expect(books.length).toBeGreaterThan(12);
      for (const route of books)
        for (const role of ['cashier', 'stockkeeper', 'customer'] as const)
          expect({
            route: route.key,
            role,
            ...outcome(await attempt(route, world.roles[role])),
          }).toEqual({ route: route.key, role, status: 403, code: 'forbidden' });
    });

    it('refuses a cashier every write that records what a cashier may not', async () => {
      for (const key of CASHIER_FORBIDDEN) {
        const route = routes.find((r) => r.key === key);
        expect(route, key).toBeDefined();
        if (!route) continue;
        expect({ route: key, ...outcome(await attempt(route, world.roles.cashier)) }).toEqual({
          route: key,
          status: 403,
          code: 'forbidden',
        });
      }
    });

    it("refuses another shop's owner and till on every route naming this shop's records", async () => {
      const s = world.server.services;
      const people = await s.db.db
        .selectFrom('memberships')
        .select('user_id')
        .where('shop_id', '=', world.a.shopId)
        .execute();
      const sliceOfA = shopRows(
        world.a.shopId,
        people.map((p) => p.user_id),
      );
      const before = await databaseDigest(s.db, sliceOfA);
      const a = world.ids.a;
      // Nothing of shop A may appear in an answer to shop B: its records and its customer's name.
      const secretsOfA = [
        a.productId,
        a.customerId,
        a.supplierId,
        a.saleId,
        a.orderId,
        a.shopId,
        a.userId,
        a.actorId,
        a.deviceId,
        'Hostile Customer A',
        'Hostile Supplier A',
      ].filter((x): x is string => x !== undefined);
      for (const route of protectedRoutes()) {
        const access = route.spec?.access;
        const tokens = [
          ...(access !== 'device' ? [world.tokens.ownerB] : []),
          ...(access !== 'user' ? [world.tokens.tillB] : []),
        ];
        for (const token of tokens) {
          const answer = await attempt(route, token);
          // Every parameter but an invoice number (each shop has its own T01/…/000001) or a
          // fixed one names a record of shop A: shop B must not find it.
          const named = route.params.filter((p) => p !== 'invoiceNo' && !(p in FIXED_PARAMS));
          if (named.length > 0)
            expect({ route: route.key, ...outcome(answer) }).toEqual({
              route: route.key,
              status: 404,
              code: 'not_found',
            });
          for (const secret of secretsOfA)
            expect(answer.text.includes(secret), `${route.key} showed ${secret}`).toBe(false);
        }
      }
      expect(await databaseDigest(s.db, sliceOfA)).toEqual(before);
    });

    it('refuses an access or device token presented as a refresh token', async () => {
      const refresh = routes.find((r) => r.key === 'POST /api/v1/auth/refresh');
      expect(refresh).toBeDefined();
      for (const token of [world.tokens.ownerA, world.tokens.tillA, world.tokens.forgedOwnerA]) {
        const { answer, problems } = await watch.probe('POST /api/v1/auth/refresh', {
          method: 'POST',
          path: '/api/v1/auth/refresh',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: token }),
        });
        expect(problems).toEqual([]);
        expect(['token_invalid', 'validation_failed']).toContain(answer.code);
      }
    });

    it('wrote no password, PIN, code, refresh token, device secret or JWT to the log', () => {
      expectNoSecretsLogged(world.server, world.secrets, 'signed in');
    });
  });
}
