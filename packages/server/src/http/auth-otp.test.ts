/**
 * Signing in by OTP on SQLite and Postgres: codes are sent only to known phones but every answer
 * is the same; a code dies after five wrong guesses (also in parallel) or five minutes; sending
 * is rate-limited; codes are stored only as MACs and never logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../auth/sessions.ts';
import { dialects, startTestServer, type TestServer } from '../testing/index.ts';
import { newPhone, registerShop, send, expectNoSecretsLogged } from './auth-test-support.ts';

const secrets: string[] = [];

for (const dialect of await dialects()) {
  describe(`OTP sign-in on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(async () => {
      await server.close();
    });

    it('signs in by OTP, and never says whether a phone has an account', async () => {
      const { phone, session } = await registerShop(server);
      const sent = await send(server, 'POST', '/api/v1/auth/otp/send', { body: { phone } });
      expect(sent.status).toBe(202);
      expect(sent.body).toEqual({ sent: true });
      const code = server.otp.sent.get(phone)!;
      expect(code).toMatch(/^\d{6}$/);
      secrets.push(code);

      const stranger = newPhone();
      const strange = await send(server, 'POST', '/api/v1/auth/otp/send', {
        body: { phone: stranger },
      });
      expect(strange.status).toBe(202);
      expect(strange.body).toEqual({ sent: true });
      expect(server.otp.sent.has(stranger)).toBe(false);
      const guess = await send(server, 'POST', '/api/v1/auth/otp/verify', {
        body: { phone: stranger, code },
      });
      expect(guess.status).toBe(401);
      expect(guess.body.error.code).toBe('otp_invalid');

      const wrongCode = code === '000000' ? '111111' : '000000';
      const wrong = await send(server, 'POST', '/api/v1/auth/otp/verify', {
        body: { phone, code: wrongCode },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual(guess.body);
      const ok = await send<Session>(server, 'POST', '/api/v1/auth/otp/verify', {
        body: { phone, code },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.user.id).toBe(session.user.id);
      expect(ok.body.role).toBe('owner');
      secrets.push(ok.body.refreshToken);
      const again = await send(server, 'POST', '/api/v1/auth/otp/verify', {
        body: { phone, code },
      });
      expect(again.body.error.code).toBe('otp_invalid');
      const stored = await server.services.db.db
        .selectFrom('otps')
        .select('code_hash')
        .where('phone', '=', phone)
        .execute();
      expect(stored.map((r) => r.code_hash).join()).not.toContain(code);
    });

    it('locks an OTP after five wrong codes, and expires codes after five minutes', async () => {
      const { phone } = await registerShop(server);
      await send(server, 'POST', '/api/v1/auth/otp/send', { body: { phone } });
      const code = server.otp.sent.get(phone)!;
      secrets.push(code);
      const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await send(server, 'POST', '/api/v1/auth/otp/verify', {
          body: { phone, code: wrongCode },
        });
        codes.push(res.body.error.code);
      }
      expect(codes).toEqual([
        'otp_invalid',
        'otp_invalid',
        'otp_invalid',
        'otp_invalid',
        'otp_locked',
      ]);
      // The right code is no good now: the OTP is dead.
      const late = await send(server, 'POST', '/api/v1/auth/otp/verify', { body: { phone, code } });
      expect(late.status).toBe(429);
      expect(late.body.error.code).toBe('otp_locked');

      await send(server, 'POST', '/api/v1/auth/otp/send', { body: { phone } });
      const fresh = server.otp.sent.get(phone)!;
      secrets.push(fresh);
      await server.services.db.db
        .updateTable('otps')
        .set({ expires_at: Date.now() - 1 })
        .where('phone', '=', phone)
        .execute();
      const expired = await send(server, 'POST', '/api/v1/auth/otp/verify', {
        body: { phone, code: fresh },
      });
      expect(expired.body.error.code).toBe('otp_invalid');

      await send(server, 'POST', '/api/v1/auth/otp/send', { body: { phone } });
      const third = server.otp.sent.get(phone)!;
      secrets.push(third);
      const ok = await send(server, 'POST', '/api/v1/auth/otp/verify', {
        body: { phone, code: third },
      });
      expect(ok.status).toBe(200);
      // Three codes in a minute is the limit, for known and unknown phones alike.
      for (const p of [phone, newPhone()]) {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++)
          statuses.push(
            (await send(server, 'POST', '/api/v1/auth/otp/send', { body: { phone: p } })).status,
          );
        expect(statuses.at(-1)).toBe(429);
      }
    });

    it('counts parallel guesses at an OTP: never more than five', async () => {
      const { phone } = await registerShop(server);
      await send(server, 'POST', '/api/v1/auth/otp/send', { body: { phone } });
      const code = server.otp.sent.get(phone)!;
      secrets.push(code);
      const wrongCode = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
      const replies = await Promise.all(
        Array.from({ length: 12 }, () =>
          send(server, 'POST', '/api/v1/auth/otp/verify', { body: { phone, code: wrongCode } }),
        ),
      );
      expect(replies.every((r) => r.status === 401 || r.status === 429)).toBe(true);
      const row = await server.services.db.db
        .selectFrom('otps')
        .select('attempts')
        .where('phone', '=', phone)
        .executeTakeFirstOrThrow();
      expect(row.attempts).toBe(5);
    });

    it('never writes a code to the log', () => {
      expectNoSecretsLogged(server, secrets, 'signed in');
    });
  });
}
