/**
 * Hostile tokens against a real route: forged signatures, `alg: none`, expired and not-yet-valid
 * tokens, wrong issuer or audience, a removed member, a revoked device. All refused with 401.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestShop,
  dialects,
  startTestServer,
  pushRequest,
  type TestServer,
  type TestShop,
} from '../testing/index.ts';
import { AUDIENCE, ISSUER, signAccessToken } from './tokens.ts';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

for (const dialect of await dialects()) {
  describe(`hostile tokens on ${dialect}`, () => {
    let server: TestServer;
    let shop: TestShop;
    beforeAll(async () => {
      server = await startTestServer(dialect, { PUSH_RATE_PER_MINUTE: '3' });
      shop = await createTestShop(server);
    });
    afterAll(async () => {
      await server.close();
    });

    const me = async (token: string) => {
      const res = await server.app.request('/api/v1/auth/me', {
        headers: { authorization: `Bearer ${token}` },
      });
      return {
        status: res.status,
        code: ((await res.json()) as { error?: { code: string } }).error?.code,
      };
    };
    const claims = () => ({ typ: 'user', shop: shop.shopId, role: 'owner' });

    it('accepts the real thing', async () => {
      expect((await me(shop.ownerToken)).status).toBe(200);
    });

    it('refuses a token signed with another key', async () => {
      const forged = await signAccessToken(
        new TextEncoder().encode('not-the-server-key-not-the-server-key'),
        { typ: 'user', sub: shop.ownerId, shop: shop.shopId, role: 'owner' },
      );
      expect(await me(forged)).toEqual({ status: 401, code: 'token_invalid' });
    });

    it('refuses alg none', async () => {
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), sub: shop.ownerId, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
      expect((await me(none)).status).toBe(401);
    });

    it('refuses expired, not-yet-valid, wrong-issuer and wrong-audience tokens', async () => {
      const key = server.services.jwtKey;
      const base = () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(shop.ownerId)
          .setIssuedAt();
      const expired = await base()
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(key);
      const future = await base()
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setNotBefore(Math.floor(Date.now() / 1000) + 3600)
        .setExpirationTime('2h')
        .sign(key);
      const issuer = await base()
        .setIssuer('someone-else')
        .setAudience(AUDIENCE)
        .setExpirationTime('1h')
        .sign(key);
      const audience = await base()
        .setIssuer(ISSUER)
        .setAudience('another-api')
        .setExpirationTime('1h')
        .sign(key);
      const hs512 = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject(shop.ownerId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('1h')
        .sign(key);
      expect(await me(expired)).toEqual({ status: 401, code: 'token_expired' });
      for (const t of [future, issuer, audience, hs512])
        expect(await me(t)).toEqual({ status: 401, code: 'token_invalid' });
    });

    it('refuses a token claiming a shop the person is not a member of', async () => {
      const other = await createTestShop(server, { seed: 3 });
      const crossed = await signAccessToken(server.services.jwtKey, {
        typ: 'user',
        sub: shop.ownerId,
        shop: other.shopId,
        role: 'owner',
      });
      expect((await me(crossed)).status).toBe(401);
    });

    it('rate-limits pushes per device with 429 and retry-after', async () => {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const res = await server.app.request('/sync/v1/push', pushRequest(shop.till.token, []));
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    });
  });
}
