/**
 * The staff routes on SQLite and Postgres: who may add, re-role, set the PIN of and remove whom;
 * every change mirrored as an event; people of another shop are `not_found`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../auth/sessions.ts';
import { verifySecret } from '../auth/secrets.ts';
import { dialects, startTestServer, type TestServer } from '../testing/index.ts';
import {
  eventsOf,
  login,
  newPhone,
  registerShop,
  send,
  type ErrorBody,
  expectNoSecretsLogged,
} from './auth-test-support.ts';

interface StaffList {
  staff: { userId: string; name: string; phone: string; role: string; hasPin: boolean }[];
}

const secrets: string[] = [];

for (const dialect of await dialects()) {
  describe(`staff routes on ${dialect}`, () => {
    let server: TestServer;
    let owner: Session;
    let other: Session;
    /** A staff member added through the API, signed in by password. */
    const hire = async (by: Session, role: string, pin?: string) => {
      const phone = newPhone();
      const password = `staff-${Math.random().toString(36).slice(2)}`;
      secrets.push(password);
      const res = await send<{ userId: string } & ErrorBody>(server, 'POST', '/api/v1/staff', {
        token: by.accessToken,
        body: { name: `A ${role}`, phone, role, password, ...(pin ? { pin } : {}) },
      });
      expect(res.status).toBe(201);
      const session = await login(server, phone, password, by.shop.id);
      return { userId: res.body.userId, phone, session };
    };

    beforeAll(async () => {
      server = await startTestServer(dialect);
      owner = (await registerShop(server)).session;
      other = (await registerShop(server, { shopName: 'Other Shop' })).session;
    });
    afterAll(async () => {
      await server.close();
    });

    it('adds staff with a PIN, lists them without secrets, mirrors them as events', async () => {
      const pin = '482913';
      secrets.push(pin);
      const cashier = await hire(owner, 'cashier', pin);
      expect(cashier.session.role).toBe('cashier');
      const list = await send<StaffList>(server, 'GET', '/api/v1/staff', {
        token: owner.accessToken,
      });
      expect(list.status).toBe(200);
      const row = list.body.staff.find((s) => s.userId === cashier.userId);
      expect(row).toMatchObject({ role: 'cashier', hasPin: true, phone: cashier.phone });
      expect(JSON.stringify(list.body)).not.toMatch(/argon2|pin_?hash/i);
      const added = await eventsOf(server, owner.shop.id, 'v1.StaffAdded');
      expect(added.at(-1)?.payload).toEqual({
        userId: cashier.userId,
        name: 'A cashier',
        role: 'cashier',
        phone: cashier.phone,
      });
      const again = await send(server, 'POST', '/api/v1/staff', {
        token: owner.accessToken,
        body: { name: 'Again', phone: cashier.phone, role: 'manager' },
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('conflict');
    });

    it('lets a manager add counter staff but not an owner or a manager', async () => {
      const manager = await hire(owner, 'manager');
      for (const role of ['owner', 'manager']) {
        const res = await send(server, 'POST', '/api/v1/staff', {
          token: manager.session.accessToken,
          body: { name: 'Boss', phone: newPhone(), role },
        });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      const before = (await eventsOf(server, owner.shop.id, 'v1.StaffAdded')).length;
      for (const role of ['cashier', 'stockkeeper', 'accountant']) {
        await hire(manager.session, role);
      }
      expect((await eventsOf(server, owner.shop.id, 'v1.StaffAdded')).length).toBe(before + 3);
      // The manager cannot demote the owner by "adding" the owner's phone again.
      const demote = await send(server, 'POST', '/api/v1/staff', {
        token: manager.session.accessToken,
        body: { name: 'Owner', phone: owner.user.phone, role: 'cashier' },
      });
      expect(demote.status).toBe(409);
      const me = await send<Session>(server, 'GET', '/api/v1/auth/me', {
        token: owner.accessToken,
      });
      expect(me.body.role).toBe('owner');
    });

    it('changes roles (owner only) with a v1.StaffAdded event', async () => {
      const cashier = await hire(owner, 'cashier');
      const manager = await hire(owner, 'manager');
      const byManager = await send(server, 'PATCH', `/api/v1/staff/${cashier.userId}`, {
        token: manager.session.accessToken,
        body: { role: 'stockkeeper' },
      });
      expect(byManager.status).toBe(403);
      const self = await send(server, 'PATCH', `/api/v1/staff/${owner.user.id}`, {
        token: owner.accessToken,
        body: { role: 'cashier' },
      });
      expect(self.status).toBe(403);
      const ok = await send(server, 'PATCH', `/api/v1/staff/${cashier.userId}`, {
        token: owner.accessToken,
        body: { role: 'manager' },
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ userId: cashier.userId, role: 'manager' });
      const last = (await eventsOf(server, owner.shop.id, 'v1.StaffAdded')).at(-1);
      expect(last?.payload).toMatchObject({ userId: cashier.userId, role: 'manager' });
      expect(last?.actorId).toBe(owner.user.id);
      // The old token now acts with the new role (roles are checked live).
      const list = await send(server, 'GET', '/api/v1/staff', {
        token: cashier.session.accessToken,
      });
      expect(list.status).toBe(200);
    });

    it('sets PINs: owner for anyone, manager for counter staff, everyone for themself', async () => {
      const cashier = await hire(owner, 'cashier');
      const manager = await hire(owner, 'manager');
      const setPin = (session: Session, userId: string, pin: string) =>
        send(server, 'PUT', `/api/v1/staff/${userId}/pin`, {
          token: session.accessToken,
          body: { pin },
        });
      secrets.push('735104', '902107', '246810');
      expect((await setPin(owner, cashier.userId, '735104')).status).toBe(200);
      expect((await setPin(manager.session, cashier.userId, '902107')).status).toBe(200);
      expect((await setPin(cashier.session, cashier.userId, '246810')).status).toBe(200);
      const row = await server.services.db.db
        .selectFrom('memberships')
        .select('pin_hash')
        .where('user_id', '=', cashier.userId)
        .where('shop_id', '=', owner.shop.id)
        .executeTakeFirstOrThrow();
      expect(row.pin_hash).not.toContain('246810');
      expect(await verifySecret(row.pin_hash ?? '', '246810')).toBe(true);
      expect((await setPin(cashier.session, owner.user.id, '1111')).status).toBe(403);
      expect((await setPin(manager.session, owner.user.id, '1111')).status).toBe(403);
      expect((await setPin(owner, cashier.userId, '12')).status).toBe(422);
      expect((await setPin(owner, cashier.userId, '12ab')).status).toBe(422);
    });

    it('removes staff: signed out at once, StaffRemoved recorded, owner cannot remove themself', async () => {
      const cashier = await hire(owner, 'cashier');
      const manager = await hire(owner, 'manager');
      const remove = (session: Session, userId: string) =>
        send(server, 'DELETE', `/api/v1/staff/${userId}`, { token: session.accessToken });
      expect((await remove(owner, owner.user.id)).status).toBe(403);
      expect((await remove(manager.session, owner.user.id)).status).toBe(403);
      const removed = await remove(manager.session, cashier.userId);
      expect(removed.status).toBe(200);
      const events = await eventsOf(server, owner.shop.id, 'v1.StaffRemoved');
      expect(events.at(-1)?.payload).toEqual({ userId: cashier.userId });
      expect(events.at(-1)?.actorId).toBe(manager.userId);
      const me = await send(server, 'GET', '/api/v1/auth/me', {
        token: cashier.session.accessToken,
      });
      expect(me.status).toBe(401);
      const refreshed = await send(server, 'POST', '/api/v1/auth/refresh', {
        body: { refreshToken: cashier.session.refreshToken },
      });
      expect(refreshed.status).toBe(401);
      expect((await remove(owner, cashier.userId)).status).toBe(404);
      const list = await send<StaffList>(server, 'GET', '/api/v1/staff', {
        token: owner.accessToken,
      });
      expect(list.body.staff.map((s) => s.userId)).not.toContain(cashier.userId);
    });

    it('refuses a cashier everything on staff routes but their own PIN', async () => {
      const cashier = await hire(owner, 'cashier');
      const token = cashier.session.accessToken;
      const calls: [string, string, unknown][] = [
        ['GET', '/api/v1/staff', undefined],
        ['POST', '/api/v1/staff', { name: 'X', phone: newPhone(), role: 'cashier' }],
        ['PATCH', `/api/v1/staff/${owner.user.id}`, { role: 'cashier' }],
        ['DELETE', `/api/v1/staff/${owner.user.id}`, undefined],
      ];
      for (const [method, path, body] of calls) {
        const res = await send(server, method, path, { token, body });
        expect({ path, status: res.status, code: res.body.error.code }).toEqual({
          path,
          status: 403,
          code: 'forbidden',
        });
      }
    });

    it('treats people of another shop as not found', async () => {
      const theirs = await hire(other, 'cashier');
      const token = owner.accessToken;
      const calls: [string, string, unknown][] = [
        ['PATCH', `/api/v1/staff/${theirs.userId}`, { role: 'manager' }],
        ['PUT', `/api/v1/staff/${theirs.userId}/pin`, { pin: '1234' }],
        ['DELETE', `/api/v1/staff/${theirs.userId}`, undefined],
        ['PATCH', `/api/v1/staff/${other.user.id}`, { role: 'cashier' }],
        ['DELETE', `/api/v1/staff/${crypto.randomUUID()}`, undefined],
      ];
      for (const [method, path, body] of calls) {
        const res = await send(server, method, path, { token, body });
        expect({ path, status: res.status, code: res.body.error.code }).toEqual({
          path,
          status: 404,
          code: 'not_found',
        });
      }
      const list = await send<StaffList>(server, 'GET', '/api/v1/staff', { token });
      expect(list.body.staff.map((s) => s.userId)).not.toContain(theirs.userId);
      // Nothing changed in the other shop.
      const me = await send<Session>(server, 'GET', '/api/v1/auth/me', {
        token: theirs.session.accessToken,
      });
      expect(me.body.role).toBe('cashier');
      const bad = await send(server, 'DELETE', '/api/v1/staff/not-a-uuid', { token });
      expect(bad.status).toBe(422);
    });

    it('never writes a password or PIN to the log', () => {
      expectNoSecretsLogged(server, secrets, 'staff added');
    });
  });
}
