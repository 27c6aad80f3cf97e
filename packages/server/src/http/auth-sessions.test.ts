/**
 * Sessions on SQLite and Postgres: refresh rotation with reuse detection (also under concurrent
 * use), logout, switching between the shops of a multi-shop owner, changing name and password,
 * and races that must end in a 409 rather than a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../auth/sessions.ts';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import { dialects, startTestServer, type TestServer } from '../testing/index.ts';
import {
  login,
  newPhone,
  registerShop,
  send,
  type ErrorBody,
  expectNoSecretsLogged,
} from './auth-test-support.ts';

const secrets: string[] = [];

for (const dialect of await dialects()) {
  describe(`sessions on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(async () => {
      await server.close();
    });

    const refresh = (refreshToken: string) =>
      send<Session & ErrorBody>(server, 'POST', '/api/v1/auth/refresh', {
        body: { refreshToken },
      });

    it('rotates refresh tokens; reusing a retired one revokes the family', async () => {
      const { phone, password } = await registerShop(server);
      const first = await login(server, phone, password);
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      expect(second.body.accessToken).toBeTruthy();
      const third = await refresh(second.body.refreshToken);
      expect(third.status).toBe(200);
      secrets.push(first.refreshToken, second.body.refreshToken, third.body.refreshToken);

      const reuse = await refresh(first.refreshToken);
      expect(reuse.status).toBe(401);
      expect(reuse.body.error.code).toBe('token_invalid');
      // The thief and the owner are both out: even the newest token of the family is dead.
      const newest = await refresh(third.body.refreshToken);
      expect(newest.body.error.code).toBe('token_invalid');
      // Another session (family) of the same person is untouched.
      const other = await login(server, phone, password);
      expect((await refresh(other.refreshToken)).status).toBe(200);

      const stale = await login(server, phone, password);
      await server.services.db.db
        .updateTable('refresh_tokens')
        .set({ expires_at: Date.now() - 1 })
        .where('user_id', '=', stale.user.id)
        .where('revoked_at', 'is', null)
        .execute();
      const expired = await refresh(stale.refreshToken);
      expect(expired.status).toBe(401);
      expect(expired.body.error.code).toBe('token_expired');
      expect((await refresh('not-a-token')).body.error.code).toBe('token_invalid');
      const stored = await server.services.db.db
        .selectFrom('refresh_tokens')
        .select('token_hash')
        .execute();
      expect(stored.map((r) => r.token_hash)).not.toContain(first.refreshToken);
    });

    it('logs out one session, or every session in the shop', async () => {
      const { phone, password } = await registerShop(server);
      const a = await login(server, phone, password);
      const b = await login(server, phone, password);
      const out = await send(server, 'POST', '/api/v1/auth/logout', {
        token: a.accessToken,
        body: { refreshToken: a.refreshToken },
      });
      expect(out.status).toBe(200);
      expect((await refresh(a.refreshToken)).status).toBe(401);
      const stillIn = await refresh(b.refreshToken);
      expect(stillIn.status).toBe(200);
      // A stranger's token given to logout is ignored (no one is signed out on someone's behalf).
      const stranger = await registerShop(server);
      await send(server, 'POST', '/api/v1/auth/logout', {
        token: a.accessToken,
        body: { refreshToken: stranger.session.refreshToken },
      });
      expect((await refresh(stranger.session.refreshToken)).status).toBe(200);
      const all = await send(server, 'POST', '/api/v1/auth/logout', {
        token: a.accessToken,
        body: {},
      });
      expect(all.status).toBe(200);
      expect((await refresh(stillIn.body.refreshToken)).status).toBe(401);
      const noAuth = await send(server, 'POST', '/api/v1/auth/logout', { body: {} });
      expect(noAuth.status).toBe(401);
    });

    it('switches between the shops of a multi-shop owner, and only those', async () => {
      const a = await registerShop(server, { shopName: 'Shop A' });
      const b = await registerShop(server, { shopName: 'Shop B' });
      const c = await registerShop(server, { shopName: 'Shop C' });
      // B's owner makes A's owner a co-owner of B.
      const added = await send(server, 'POST', '/api/v1/staff', {
        token: b.session.accessToken,
        body: { name: 'Ramesh', phone: a.phone, role: 'owner' },
      });
      expect(added.status).toBe(201);
      const inA = await login(server, a.phone, a.password);
      expect(inA.shop.id).toBe(a.session.shop.id);
      expect(inA.shops.map((s) => s.name).sort()).toEqual(['Shop A', 'Shop B']);
      const inB = await login(server, a.phone, a.password, b.session.shop.id);
      expect(inB.shop.name).toBe('Shop B');

      const switched = await send<Session>(server, 'POST', '/api/v1/auth/switch-shop', {
        token: inA.accessToken,
        body: { shopId: b.session.shop.id },
      });
      expect(switched.status).toBe(200);
      expect(switched.body).toMatchObject({ shop: { id: b.session.shop.id }, role: 'owner' });
      const me = await send<Session>(server, 'GET', '/api/v1/auth/me', {
        token: switched.body.accessToken,
      });
      expect(me.body.shop.id).toBe(b.session.shop.id);
      const refreshed = await refresh(switched.body.refreshToken);
      expect(refreshed.body.shop.id).toBe(b.session.shop.id);

      const refused = await send(server, 'POST', '/api/v1/auth/switch-shop', {
        token: inA.accessToken,
        body: { shopId: c.session.shop.id },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      const refusedLogin = await send(server, 'POST', '/api/v1/auth/login', {
        body: { phone: a.phone, password: a.password, shopId: c.session.shop.id },
      });
      expect(refusedLogin.status).toBe(403);
    });

    it('changes name and password; the old password and sessions stop working', async () => {
      const { phone, password, session } = await registerShop(server);
      const renamed = await send<Session>(server, 'PATCH', '/api/v1/auth/me', {
        token: session.accessToken,
        body: { name: 'Ramesh K. Sharma' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.user.name).toBe('Ramesh K. Sharma');
      const wrong = await send(server, 'PATCH', '/api/v1/auth/me', {
        token: session.accessToken,
        body: { currentPassword: 'wrong one', newPassword: 'a brand new one' },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('invalid_credentials');
      const next = 'a brand new one';
      const changed = await send<Session>(server, 'PATCH', '/api/v1/auth/me', {
        token: session.accessToken,
        body: { currentPassword: password, newPassword: next },
      });
      expect(changed.status).toBe(200);
      expect(changed.body.refreshToken).toBeTruthy();
      secrets.push(password, next, changed.body.refreshToken);
      expect((await refresh(session.refreshToken)).status).toBe(401);
      expect((await refresh(changed.body.refreshToken)).status).toBe(200);
      const old = await send(server, 'POST', '/api/v1/auth/login', { body: { phone, password } });
      expect(old.status).toBe(401);
      await login(server, phone, next);
      const empty = await send(server, 'PATCH', '/api/v1/auth/me', {
        token: session.accessToken,
        body: {},
      });
      expect(empty.status).toBe(422);
    });

    it('lets exactly one of two concurrent uses of a refresh token through, and ends the family', async () => {
      const { phone, password } = await registerShop(server);
      const session = await login(server, phone, password);
      const both = await Promise.all([
        refresh(session.refreshToken),
        refresh(session.refreshToken),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = both.find((r) => r.status === 200);
      // The second use looked like theft: the winner's new token is revoked with its family.
      expect((await refresh(winner?.body.refreshToken ?? '')).status).toBe(401);
    });

    it('turns concurrent registrations of one phone into one shop and 409s', async () => {
      const body = {
        shopName: 'Race Kirana',
        stateCode: '27',
        ownerName: 'Racer',
        phone: newPhone(),
        password: 'long enough',
      };
      const replies = await Promise.all(
        [1, 2, 3].map(() => send(server, 'POST', '/api/v1/auth/register', { body })),
      );
      expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      // The last line of defence is the unique key; its error must be recognised on both dialects.
      const { db } = server.services.db;
      const row = {
        id: crypto.randomUUID(),
        phone: body.phone,
        name: 'Dup',
        password_hash: null,
        created_at: 0,
      };
      const err = await db
        .insertInto('users')
        .values(row)
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isUniqueViolation(err)).toBe(true);
    });

    it('never writes a password or token to the log', () => {
      expectNoSecretsLogged(server, secrets);
    });
  });
}
