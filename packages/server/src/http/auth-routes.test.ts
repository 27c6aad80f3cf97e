/**
 * The authentication routes on SQLite and Postgres: register, password sign-in (same answer and
 * similar time for an unknown phone), rate limits, the profile, bad input on every route of the
 * group, and logs that never carry a secret. Sessions and OTP have their own files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, startTestServer, type TestServer } from '../testing/index.ts';
import { REGISTRY } from './route.ts';
import {
  expectNoSecretsLogged,
  eventsOf,
  login,
  newPhone,
  registerShop,
  send,
  leaks,
} from './auth-test-support.ts';

/** Every secret a test used: none may appear in the server's logs. */
const secrets: string[] = [];

for (const dialect of await dialects()) {
  describe(`auth routes on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(async () => {
      await server.close();
    });

    it('registers a shop, signs in and reads the profile', async () => {
      const { session, phone, password } = await registerShop(server, {
        gstin: '27AAPFU0939F1ZV',
        registration: 'composition',
      });
      secrets.push(password, session.refreshToken);
      expect(session.role).toBe('owner');
      expect(session.shop).toMatchObject({
        name: 'Sharma Kirana',
        stateCode: '27',
        gstin: '27AAPFU0939F1ZV',
        registration: 'composition',
      });
      expect(session.shops).toEqual([
        { id: session.shop.id, name: 'Sharma Kirana', role: 'owner' },
      ]);
      expect(JSON.stringify(session)).not.toContain(password);
      const configured = await eventsOf(server, session.shop.id, 'v1.ShopConfigured');
      expect(configured).toHaveLength(1);

      const signedIn = await login(server, phone, password);
      secrets.push(signedIn.refreshToken);
      expect(signedIn).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 24 * 3600,
        refreshExpiresIn: 30 * 24 * 3600,
        role: 'owner',
        user: { id: session.user.id, name: 'Ramesh Sharma', phone },
        shop: { id: session.shop.id },
      });
      const me = await send(server, 'GET', '/api/v1/auth/me', { token: signedIn.accessToken });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        user: { id: session.user.id, name: 'Ramesh Sharma', phone },
        shop: {
          id: session.shop.id,
          name: 'Sharma Kirana',
          stateCode: '27',
          gstin: '27AAPFU0939F1ZV',
          registration: 'composition',
        },
        role: 'owner',
        shops: [{ id: session.shop.id, name: 'Sharma Kirana', role: 'owner' }],
      });
    });

    it('refuses a wrong password and an unknown phone alike, and a taken phone', async () => {
      const { phone, password } = await registerShop(server);
      const wrong = await send(server, 'POST', '/api/v1/auth/login', {
        body: { phone, password: 'not the password' },
      });
      const unknown = await send(server, 'POST', '/api/v1/auth/login', {
        body: { phone: newPhone(), password: 'not the password' },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error.code).toBe('invalid_credentials');
      const taken = await send(server, 'POST', '/api/v1/auth/register', {
        body: {
          shopName: 'Other',
          stateCode: '29',
          ownerName: 'X',
          phone,
          password: 'whatever123',
        },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('phone_taken');
      secrets.push(password);
    });

    it('spends similar time on an unknown phone as on a wrong password', async () => {
      const { phone } = await registerShop(server);
      const stranger = newPhone();
      const time = async (p: string): Promise<number> => {
        const t = performance.now();
        await send(server, 'POST', '/api/v1/auth/login', { body: { phone: p, password: 'nope' } });
        return performance.now() - t;
      };
      await time(stranger); // the dummy hash is made on first use
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        known.push(await time(phone));
        unknown.push(await time(stranger));
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]!;
      // Both do one argon2 verification; without the dummy hash the unknown phone would take ~0 ms.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.4);
    });

    it('rate-limits password attempts per phone', async () => {
      const phone = newPhone();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await send(server, 'POST', '/api/v1/auth/login', {
          body: { phone, password: 'guess' },
        });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.body.error.code).toBe('rate_limited');
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        }
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses[10]).toBe(429);
    });

    it('answers bad input with a 4xx and a stable code, never a 5xx', async () => {
      const { session } = await registerShop(server);
      const token = session.accessToken;
      const cases: [string, string, Parameters<typeof send>[3], number, string][] = [
        [
          'POST',
          '/api/v1/auth/login',
          { raw: '{"phone":', contentType: 'application/json' },
          400,
          'malformed_json',
        ],
        [
          'POST',
          '/api/v1/auth/login',
          { raw: 'phone=1', contentType: 'text/plain' },
          415,
          'unsupported_media_type',
        ],
        [
          'POST',
          '/api/v1/auth/login',
          { body: { phone: '12345', password: 'x' } },
          422,
          'validation_failed',
        ],
        ['POST', '/api/v1/auth/login', { body: [] }, 422, 'validation_failed'],
        ['POST', '/api/v1/auth/login', { body: null }, 422, 'validation_failed'],
        [
          'POST',
          '/api/v1/auth/register',
          {
            body: {
              shopName: 'x',
              stateCode: '27',
              ownerName: 'y',
              phone: newPhone(),
              password: 'short',
            },
          },
          422,
          'validation_failed',
        ],
        [
          'POST',
          '/api/v1/auth/register',
          {
            body: {
              shopName: 'x',
              stateCode: '29',
              gstin: '27AAPFU0939F1ZV',
              ownerName: 'y',
              phone: newPhone(),
              password: 'long enough',
            },
          },
          422,
          'validation_failed',
        ],
        [
          'POST',
          '/api/v1/auth/register',
          {
            body: {
              shopName: 'x',
              stateCode: '27',
              gstin: '27AAPFU0939F1ZX',
              ownerName: 'y',
              phone: newPhone(),
              password: 'long enough',
            },
          },
          422,
          'validation_failed',
        ],
        [
          'POST',
          '/api/v1/auth/otp/verify',
          { body: { phone: newPhone(), code: '12345' } },
          422,
          'validation_failed',
        ],
        [
          'POST',
          '/api/v1/auth/refresh',
          { body: { refreshToken: 'x'.repeat(5000) } },
          422,
          'validation_failed',
        ],
        [
          'POST',
          '/api/v1/auth/switch-shop',
          { token, body: { shopId: 'not-a-uuid' } },
          422,
          'validation_failed',
        ],
        ['GET', '/api/v1/auth/me', { token: 'garbage.token.value' }, 401, 'token_invalid'],
        ['GET', '/api/v1/auth/me', {}, 401, 'unauthenticated'],
        [
          'PATCH',
          '/api/v1/auth/me',
          { token, body: { name: 'x', role: 'owner' } },
          422,
          'validation_failed',
        ],
      ];
      for (const [method, path, opts, status, code] of cases) {
        const res = await send(server, method, path, opts);
        expect({ path, status: res.status, code: res.body.error.code }).toEqual({
          path,
          status,
          code,
        });
      }
    });

    it('never answers 5xx to junk sent to any auth, staff or device route', async () => {
      const { session } = await registerShop(server);
      const routes = REGISTRY.filter((r) => /^\/api\/v1\/(auth|staff|devices)/.test(r.path));
      expect(routes.length).toBeGreaterThanOrEqual(16);
      const junk: (string | undefined)[] = [
        undefined,
        '',
        '"text"',
        '42',
        '{}',
        '{"phone":["9876543210"],"password":{"$ne":null}}',
        '{"a":'.repeat(500),
        JSON.stringify({ phone: '9'.repeat(10_000), code: 1e308, refreshToken: null, pin: true }),
      ];
      for (const spec of routes) {
        // Logout is left out while signed in: it would sign this test's session out.
        if (spec.path === '/api/v1/auth/logout') continue;
        const path = spec.path.replace(/:\w+/g, crypto.randomUUID());
        for (const token of [undefined, session.accessToken, 'x'.repeat(20)]) {
          for (const raw of spec.method === 'get' ? [undefined] : junk) {
            const res = await send(server, spec.method.toUpperCase(), path, {
              token,
              ...(raw === undefined ? {} : { raw }),
            });
            expect({ path, raw, status: res.status < 500 }).toEqual({ path, raw, status: true });
            if (res.status >= 400) expect(res.body.error.code).toMatch(/^[a-z_]+$/);
          }
        }
      }
    });

    it('never writes a password, code or token to the log', () => {
      expect(secrets.length).toBeGreaterThan(3);
      expect(leaks('{"pin":"246810"}', '246810')).toBe(true);
      expect(leaks('id 0b246810-aaaa', '246810')).toBe(false);
      expectNoSecretsLogged(server, secrets, 'signed in');
    });
  });
}
