/**
 * The device routes on SQLite and Postgres: enroll, sign in as the device, push, revoke (pushes
 * then go to quarantine), who may do what, and devices of another shop being `not_found`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShopSim } from '@smartkirana/domain/testing';
import type { Session } from '../auth/sessions.ts';
import { dialects, pushRequest, startTestServer, type TestServer } from '../testing/index.ts';
import {
  login,
  newPhone,
  registerShop,
  send,
  type ErrorBody,
  expectNoSecretsLogged,
} from './auth-test-support.ts';

interface Enrolled {
  deviceId: string;
  code: string;
  secret: string;
}
interface DeviceToken {
  accessToken: string;
  expiresIn: number;
  shopId: string;
  deviceId: string;
  code: string;
}
interface DeviceList {
  devices: {
    id: string;
    code: string;
    kind: string;
    revoked: boolean;
    lastSeenAt: number | null;
  }[];
}
interface PushReply {
  results: { id: string; status: string; code?: string }[];
}

const secrets: string[] = [];

for (const dialect of await dialects()) {
  describe(`device routes on ${dialect}`, () => {
    let server: TestServer;
    let owner: Session;
    let other: Session;
    const enroll = async (session: Session, name = 'Counter 2', kind = 'till') => {
      const res = await send<Enrolled>(server, 'POST', '/api/v1/devices', {
        token: session.accessToken,
        body: { name, kind },
      });
      expect(res.status).toBe(201);
      secrets.push(res.body.secret);
      return res.body;
    };
    const deviceToken = (deviceId: string, secret: string) =>
      send<DeviceToken & ErrorBody>(server, 'POST', '/api/v1/auth/device-token', {
        body: { deviceId, secret },
      });
    const push = async (token: string, sim: ShopSim, deviceId: string, code: string) => {
      const device =
        sim.devices.find((d) => d.deviceId === deviceId) ?? sim.addDevice(code, { deviceId });
      const event = device.createCustomer(`Customer ${device.seq + 1}`);
      const res = await server.app.request(
        '/sync/v1/push',
        pushRequest(token, [{ ...event, _deleted: false }]),
      );
      return { status: res.status, body: (await res.json()) as PushReply & ErrorBody };
    };

    beforeAll(async () => {
      server = await startTestServer(dialect);
      owner = (await registerShop(server)).session;
      other = (await registerShop(server, { shopName: 'Other Shop' })).session;
    });
    afterAll(async () => {
      await server.close();
    });

    it('enrolls a till that signs in, pushes, and after revocation is quarantined', async () => {
      const till = await enroll(owner);
      expect(till.code).toBe('T01');
      const signedIn = await deviceToken(till.deviceId, till.secret);
      expect(signedIn.status).toBe(200);
      expect(signedIn.body).toMatchObject({
        shopId: owner.shop.id,
        deviceId: till.deviceId,
        code: 'T01',
        expiresIn: 24 * 3600,
      });
      const sim = new ShopSim({ shopId: owner.shop.id, ownerId: owner.user.id });
      const first = await push(signedIn.body.accessToken, sim, till.deviceId, till.code);
      expect(first.status).toBe(200);
      expect(first.body.results.map((r) => r.status)).toEqual(['accepted']);
      const list = await send<DeviceList>(server, 'GET', '/api/v1/devices', {
        token: owner.accessToken,
      });
      expect(list.body.devices.map((d) => d.code)).toEqual(['S01', 'T01']);
      expect(list.body.devices[1]).toMatchObject({
        id: till.deviceId,
        kind: 'till',
        revoked: false,
      });
      expect(list.body.devices[1]?.lastSeenAt).toBeGreaterThan(0);
      expect(JSON.stringify(list.body)).not.toContain(till.secret);

      const revoked = await send(server, 'DELETE', `/api/v1/devices/${till.deviceId}`, {
        token: owner.accessToken,
      });
      expect(revoked.status).toBe(200);
      const after = await push(signedIn.body.accessToken, sim, till.deviceId, till.code);
      expect(after.status).toBe(200);
      expect(after.body.results[0]).toMatchObject({
        status: 'quarantined',
        code: 'device_revoked',
      });
      const again = await deviceToken(till.deviceId, till.secret);
      expect(again.status).toBe(403);
      expect(again.body.error.code).toBe('device_revoked');
      const listed = await send<DeviceList>(server, 'GET', '/api/v1/devices', {
        token: owner.accessToken,
      });
      expect(listed.body.devices.find((d) => d.id === till.deviceId)?.revoked).toBe(true);
      // Revoking twice is harmless.
      const twice = await send(server, 'DELETE', `/api/v1/devices/${till.deviceId}`, {
        token: owner.accessToken,
      });
      expect(twice.status).toBe(200);
    });

    it('refuses wrong secrets, unknown devices, and tokens of the wrong kind', async () => {
      const phone = await enroll(owner, 'Owner phone', 'phone');
      expect(phone.code).toMatch(/^M\d\d$/);
      const wrong = await deviceToken(phone.deviceId, 'not the secret');
      const unknown = await deviceToken(crypto.randomUUID(), phone.secret);
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error.code).toBe('invalid_credentials');
      const ok = await deviceToken(phone.deviceId, phone.secret);
      const asUser = await send(server, 'GET', '/api/v1/auth/me', { token: ok.body.accessToken });
      expect(asUser.status).toBe(403);
      const userPush = await server.app.request(
        '/sync/v1/push',
        pushRequest(owner.accessToken, []),
      );
      expect(userPush.status).toBe(403);
      const serverDevice = await send<DeviceList>(server, 'GET', '/api/v1/devices', {
        token: owner.accessToken,
      });
      const s01 = serverDevice.body.devices.find((d) => d.code === 'S01');
      const revokeS01 = await send(server, 'DELETE', `/api/v1/devices/${s01?.id ?? ''}`, {
        token: owner.accessToken,
      });
      expect(revokeS01.status).toBe(409);
    });

    it('lets owners and managers manage devices, accountants list, cashiers nothing', async () => {
      const staff: Record<string, Session> = {};
      for (const role of ['manager', 'accountant', 'cashier']) {
        const phone = newPhone();
        const password = `device-test-${role}`;
        secrets.push(password);
        const res = await send(server, 'POST', '/api/v1/staff', {
          token: owner.accessToken,
          body: { name: role, phone, role, password },
        });
        expect(res.status).toBe(201);
        staff[role] = await login(server, phone, password);
      }
      const manager = staff.manager!;
      const byManager = await enroll(manager, 'Counter 3');
      expect(
        (
          await send(server, 'DELETE', `/api/v1/devices/${byManager.deviceId}`, {
            token: manager.accessToken,
          })
        ).status,
      ).toBe(200);
      const accountant = staff.accountant!.accessToken;
      expect((await send(server, 'GET', '/api/v1/devices', { token: accountant })).status).toBe(
        200,
      );
      const denied: [string, string, string, unknown][] = [
        [accountant, 'POST', '/api/v1/devices', { name: 'X', kind: 'till' }],
        [staff.cashier!.accessToken, 'GET', '/api/v1/devices', undefined],
        [staff.cashier!.accessToken, 'POST', '/api/v1/devices', { name: 'X', kind: 'till' }],
        [staff.cashier!.accessToken, 'DELETE', `/api/v1/devices/${byManager.deviceId}`, undefined],
      ];
      for (const [token, method, path, body] of denied) {
        const res = await send(server, method, path, { token, body });
        expect({ method, path, status: res.status, code: res.body.error.code }).toEqual({
          method,
          path,
          status: 403,
          code: 'forbidden',
        });
      }
    });

    it('treats devices of another shop as not found', async () => {
      const theirs = await enroll(other, 'Their till');
      const res = await send(server, 'DELETE', `/api/v1/devices/${theirs.deviceId}`, {
        token: owner.accessToken,
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      const list = await send<DeviceList>(server, 'GET', '/api/v1/devices', {
        token: owner.accessToken,
      });
      expect(list.body.devices.map((d) => d.id)).not.toContain(theirs.deviceId);
      const still = await deviceToken(theirs.deviceId, theirs.secret);
      expect(still.status).toBe(200);
      const bad = await send(server, 'POST', '/api/v1/devices', {
        token: owner.accessToken,
        body: { name: 'X', kind: 'toaster' },
      });
      expect(bad.status).toBe(422);
      const malformed = await send(server, 'POST', '/api/v1/auth/device-token', {
        raw: '{',
      });
      expect(malformed.status).toBe(400);
    });

    it('never writes a device secret or password to the log', () => {
      expectNoSecretsLogged(server, secrets, 'device enrolled');
    });
  });
}
