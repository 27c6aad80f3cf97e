/**
 * Fuzzing every route the app serves (read from Hono's route table, so a new route is fuzzed
 * without being listed here), on SQLite and Postgres. Each route gets `FUZZ_RUNS` generated requests
 * (default 6): schema-shaped bodies then mutated, junk path and query parameters, every credential
 * of the world, odd content types, invalid UTF-8, deep nesting, bodies over the size limit.
 *
 * Proven for every request: no 5xx; a refusal is a 4xx with a stable code whose status matches the
 * code table; no secret is echoed; a refusal (and a read) leaves every table of the database exactly
 * as it was. After the run the derived rows still equal a rebuild from the log, and no secret used
 * by the run or by the world reached the server's log.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDerived } from '../derived-store.ts';
import { expectNoSecretsLogged } from '../http/auth-test-support.ts';
import { rebuildShop } from '../rebuild.ts';
import { dialects } from '../testing/index.ts';
import { Watch } from './probe.ts';
import { requestPlan, toProbe } from './request-arbitrary.ts';
import { liveRoutes } from './route-table.ts';
import { harvestSecrets } from './secrets-harvest.ts';
import { buildWorld, type World } from './world.ts';

/** Generated requests per route; raise locally with `FUZZ_RUNS=100`. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);

for (const dialect of await dialects()) {
  describe(`fuzzing every route on ${dialect}`, () => {
    let world: World;
    let watch: Watch;
    const secrets: string[] = [];
    let started = 0;
    beforeAll(async () => {
      world = await buildWorld(dialect);
      started = Date.now();
      secrets.push(...world.secrets);
      // Answers are checked for the world's own secrets; what the run generated is checked in the log.
      watch = new Watch(world.server.app, world.server.services.db, () => world.secrets);
    });
    afterAll(async () => {
      const t = watch.tally;
      console.info(
        `fuzz ${dialect}: ${t.requests} requests (${t.refused} refused, ${t.accepted} accepted), ` +
          `5xx ${t.fiveXx}, digest changes ${t.digestChanges}, ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
          `by status ${JSON.stringify(t.byStatus)}`,
      );
      await world.server.close();
    });

    it('reads the routes to fuzz from the app itself', () => {
      const keys = liveRoutes(world.server.app).map((r) => r.key);
      expect(keys.length).toBeGreaterThan(80);
      expect(keys).toEqual(
        expect.arrayContaining(['POST /sync/v1/push', 'GET /health', 'POST /api/v1/auth/login']),
      );
    });

    it('never answers 5xx; every refusal has a stable code and changes nothing', async () => {
      // Every route is fuzzed even when one fails, so a run reports all failing routes at once.
      const failures: string[] = [];
      for (const route of liveRoutes(world.server.app)) {
        try {
          await fc.assert(
            fc.asyncProperty(requestPlan(world, route), async (plan) => {
              const probe = toProbe(world, route, plan);
              const { answer, problems } = await watch.probe(route.key, probe);
              if (answer.status < 300) {
                harvestSecrets(probe.body, secrets);
                harvestSecrets(answer.text, secrets);
              }
              if (problems.length > 0)
                throw new Error(
                  `${probe.method} ${probe.path.slice(0, 200)}: ${problems.join('; ')}`,
                );
            }),
            { numRuns: RUNS },
          );
        } catch (err) {
          failures.push(`${route.key}: ${describeFailure(err)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(watch.tally.fiveXx).toBe(0);
      expect(watch.tally.digestChanges).toBe(0);
      expect(watch.tally.refused).toBeGreaterThan(watch.tally.accepted);
      expect(watch.tally.accepted).toBeGreaterThan(0);
    }, 600_000);

    it('answers unknown paths and methods with 404 not_found and changes nothing', async () => {
      const path = fc.oneof(
        fc.webPath(),
        fc.constantFrom(
          '/api/v1/nope',
          '/api/v2/products',
          '/sync/v1/../api/v1/shop',
          '//api//v1//products',
          '/api/v1/products/%ZZ/price/extra',
          `/${'a/'.repeat(2_000)}`,
        ),
      );
      await fc.assert(
        fc.asyncProperty(path, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), async (p, m) => {
          const { answer, problems } = await watch.probe(`${m} (unknown)`, {
            method: m,
            path: p.startsWith('/') ? `/zz${p}` : `/zz/${p}`,
            headers: { authorization: `Bearer ${world.tokens.ownerA}` },
          });
          expect(problems).toEqual([]);
          expect({ status: answer.status, code: answer.code }).toEqual({
            status: 404,
            code: 'not_found',
          });
        }),
        { numRuns: RUNS * 5 },
      );
    });

    it('leaves derived rows equal to a rebuild from the log, and the books balanced', async () => {
      const s = world.server.services;
      for (const shopId of [world.a.shopId, world.b.shopId]) {
        const incremental = await readDerived(s.db.db, shopId);
        await rebuildShop(s, shopId);
        expect(await readDerived(s.db.db, shopId)).toEqual(incremental);
        const sum = await s.db.db
          .selectFrom('balances')
          .select((eb) => eb.fn.sum<number | string>('amount').as('total'))
          .where('shop_id', '=', shopId)
          .executeTakeFirst();
        expect(Number(sum?.total ?? 0)).toBe(0);
      }
    });

    it('wrote no password, PIN, code, refresh token, device secret or JWT to the log', () => {
      console.info(
        `log scanned for ${secrets.length} secrets (${secrets.length - world.secrets.length} made by the run)`,
      );
      expectNoSecretsLogged(world.server, secrets, 'signed in');
    });
  });
}

/** The cause of a fast-check failure and the seed to replay it, without the (large) counterexample. */
function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const seed = /\{ seed: [^}]*\}/.exec(message)?.[0] ?? '';
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : message;
  return `${cause.slice(0, 500)} ${seed}`;
}
