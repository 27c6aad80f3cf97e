/**
 * Rate limits and lockouts on SQLite and Postgres, filling what the route tests leave open
 * (`auth-routes.test.ts` limits password attempts per phone, `auth-otp.test.ts` locks a code after
 * five wrong guesses and limits sends per minute, `auth/tokens.test.ts` limits pushes):
 *
 * - while a phone is limited even the right password is refused (no hashing, no confirmation);
 * - device sign-in (secret guessing), registration and password changes are limited too;
 * - OTP brute force over time: at most 10 codes an hour per phone (known or not), so at most 50
 *   guesses an hour reach a phone's codes, whatever the per-minute limiter allows;
 * - pushes are limited per device: one till over its limit does not hold up another;
 * - every refusal is 429 with `retry-after` and changes nothing; no secret reaches the log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OTP_MAX_ATTEMPTS, OTP_MAX_PER_HOUR } from '../auth/otp-service.ts';
import { expectNoSecretsLogged, registerShop } from '../http/auth-test-support.ts';
import { dialects, syncHeaders } from '../testing/index.ts';
import { Watch, type Answer } from './probe.ts';
import { buildWorld, OWNER_PASSWORD, uniquePhone, type World } from './world.ts';

for (const dialect of await dialects()) {
  describe(`rate limits and lockouts on ${dialect}`, () => {
    let world: World;
    let watch: Watch;
    const secrets: string[] = [];
    beforeAll(async () => {
      world = await buildWorld(dialect, { PUSH_RATE_PER_MINUTE: '4' });
      watch = new Watch(world.server.app, world.server.services.db, () => world.secrets);
      secrets.push(...world.secrets);
    });
    afterEach(() => {
      vi.useRealTimers();
    });
    afterAll(async () => {
      await world.server.close();
    });

    const post = async (path: string, body: unknown, token?: string): Promise<Answer> => {
      const { answer, problems } = await watch.probe(`POST ${path}`, {
        method: path.endsWith('/me') ? 'PATCH' : 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
      expect(problems).toEqual([]);
      return answer;
    };

    it('refuses even the right password while a phone is limited', async () => {
      const { phone, password, session } = await registerShop(world.server);
      secrets.push(password, session.refreshToken, session.accessToken);
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 10; i++)
        codes.push((await post('/api/v1/auth/login', { phone, password: `guess-${i}` })).code);
      expect(codes.every((c) => c === 'invalid_credentials')).toBe(true);
      const right = await post('/api/v1/auth/login', { phone, password });
      expect({ status: right.status, code: right.code }).toEqual({
        status: 429,
        code: 'rate_limited',
      });
      // Another phone is not held up by this one.
      const other = await post('/api/v1/auth/login', {
        phone: world.phones.ownerA,
        password: OWNER_PASSWORD,
      });
      expect(other.status).toBe(200);
      watch.forget();
    });

    it('limits guessing a device secret, for a real device and an unknown one alike', async () => {
      for (const deviceId of [world.a.till.deviceId, crypto.randomUUID()]) {
        const codes: (string | undefined)[] = [];
        for (let i = 0; i < 11; i++)
          codes.push(
            (await post('/api/v1/auth/device-token', { deviceId, secret: `guess-${i}` })).code,
          );
        expect(codes.slice(0, 10).every((c) => c === 'invalid_credentials')).toBe(true);
        expect(codes[10]).toBe('rate_limited');
      }
      // While limited, the real secret is refused too: a guess that hits is never confirmed.
      const real = await post('/api/v1/auth/device-token', {
        deviceId: world.a.till.deviceId,
        secret: world.a.till.secret,
      });
      expect(real.code).toBe('rate_limited');
    });

    it('limits registrations per phone', async () => {
      const phone = uniquePhone('7');
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const password = `register-${i}-long-enough`;
        secrets.push(password);
        const answer = await post('/api/v1/auth/register', {
          shopName: 'Limit Kirana',
          stateCode: '27',
          ownerName: 'Limit',
          phone,
          password,
        });
        statuses.push(answer.status);
      }
      watch.forget();
      expect(statuses[0]).toBe(201);
      expect(statuses.slice(1, 10).every((s) => s === 409)).toBe(true);
      expect(statuses[10]).toBe(429);
    });

    it('limits guessing the current password when changing it', async () => {
      const { session, password } = await registerShop(world.server);
      secrets.push(password, session.refreshToken, session.accessToken);
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 11; i++) {
        const newPassword = `new-password-${i}`;
        secrets.push(newPassword);
        const answer = await post(
          '/api/v1/auth/me',
          { currentPassword: `guess-${i}`, newPassword },
          session.accessToken,
        );
        codes.push(answer.code);
      }
      expect(codes.slice(0, 10).every((c) => c === 'invalid_credentials')).toBe(true);
      expect(codes[10]).toBe('rate_limited');
      const right = await post(
        '/api/v1/auth/me',
        { currentPassword: password, newPassword: 'a-new-password-at-last' },
        session.accessToken,
      );
      expect(right.code).toBe('rate_limited');
    });

    it('lets at most 10 codes an hour, and so 50 guesses an hour, reach a phone', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const start = Date.now();
      for (const phone of [world.phones.cashierA, uniquePhone('7')]) {
        vi.setSystemTime(start);
        const sends: (string | undefined)[] = [];
        let guessesChecked = 0;
        // Twelve codes asked for over 55 minutes (within the per-minute limit), each guessed six times.
        for (let i = 0; i < 12; i++) {
          vi.setSystemTime(start + i * 5 * 60_000);
          const sent = await post('/api/v1/auth/otp/send', { phone });
          sends.push(sent.code ?? String(sent.status));
          const code = world.server.otp.sent.get(phone);
          if (code !== undefined) secrets.push(code);
          for (let g = 0; g < 6; g++) {
            const wrong = String((Number(code ?? '0') + 1 + g) % 1_000_000).padStart(6, '0');
            const guess = await post('/api/v1/auth/otp/verify', { phone, code: wrong });
            expect(['otp_invalid', 'otp_locked']).toContain(guess.code);
          }
        }
        expect(sends.slice(0, OTP_MAX_PER_HOUR)).toEqual(Array(OTP_MAX_PER_HOUR).fill('202'));
        expect(sends.slice(OTP_MAX_PER_HOUR)).toEqual(['otp_locked', 'otp_locked']);
        const rows = await world.server.services.db.db
          .selectFrom('otps')
          .select('attempts')
          .where('phone', '=', phone)
          .execute();
        guessesChecked = rows.reduce((sum, r) => sum + r.attempts, 0);
        expect(guessesChecked).toBeLessThanOrEqual(OTP_MAX_PER_HOUR * OTP_MAX_ATTEMPTS);
        // An hour after the first code, a new one may be sent again.
        vi.setSystemTime(start + 61 * 60_000);
        expect((await post('/api/v1/auth/otp/send', { phone })).status).toBe(202);
        const code = world.server.otp.sent.get(phone);
        if (code !== undefined) secrets.push(code);
      }
      watch.forget();
    });

    it('limits pushes per device: one till over its limit does not hold up another', async () => {
      const push = async (token: string) => {
        const { answer, problems } = await watch.probe('POST /sync/v1/push', {
          method: 'POST',
          path: '/sync/v1/push',
          headers: syncHeaders(token),
          body: JSON.stringify({ rows: [] }),
        });
        expect(problems).toEqual([]);
        return answer;
      };
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await push(world.tokens.phoneA)).status);
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(statuses.slice(4)).toEqual([429, 429]);
      expect((await push(world.tokens.serverA)).status).toBe(200);
    });

    it('wrote no password, code, secret or token to the log', () => {
      expectNoSecretsLogged(world.server, secrets, 'signed in');
    });
  });
}
