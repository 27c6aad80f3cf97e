/**
 * The server killed with SIGKILL at random points while ten real tills (in two child processes,
 * `TillFleet`) keep selling and pushing, round after round, on SQLite and on Postgres.
 * `smartkirana serve` runs as a process behind a `ChaosProxy` that only watches, so a kill can land
 * at an exact point: at a random moment, while a push is at the server (mid-ingest), or after the
 * server answered a push and before the answer reaches the till (committed, unacknowledged). After every kill, with the server dead, its database
 * must hold every event it acknowledged or served to any till, numbered 1..N without gaps, with
 * derived books equal to a rebuild from the log. After the last restart everyone syncs: every till's
 * events are on the server exactly once, every replica equals the log, document series are
 * gapless, and the `rebuild` command changes nothing. `FAULT_ROUNDS` runs more rounds.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Rng } from '@smartkirana/domain/testing';
import { connect, type Db } from '@smartkirana/server/db/connect';
import { readDerived } from '@smartkirana/server/derived-store';
import {
  ChaosProxy,
  dialects,
  freshDatabase,
  runCli,
  ServerProcess,
  startTestServer,
} from '@smartkirana/server/testing';
import { eventually, faultRounds, faultSeed, sleep, trace } from './testing/fault-run.ts';
import { setUpFaultShop } from './testing/fault-shop.ts';
import { auditLog, derivedAndRebuilt, logSnapshot, seriesProblems } from './testing/log-audit.ts';
import { TillFleet } from './testing/till-fleet.ts';

const TILLS = 10;
const ROUNDS = faultRounds(5);
const SEED = faultSeed();

type KillPoint = 'random' | 'mid-push' | 'before-ack';
const PUSH = '/sync/v1/push';
/** Push answers a restarted server gives before it may be killed again. */
const PUSHES_BETWEEN_KILLS = 5;

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
}, 120_000);

// The till processes start now and serve every dialect in turn.
const fleet = TillFleet.start(TILLS);
afterAll(() => fleet.close(), 60_000);

/**
 * Kill the server at a point of the kind asked for; resolves once it is dead, with how many pushes
 * were at the server at that instant. Waits up to 10 s for a push to act on, then kills anyway.
 */
async function killAt(
  point: KillPoint,
  server: ServerProcess,
  proxy: ChaosProxy,
  rng: Rng,
): Promise<{ point: KillPoint; atServer: number }> {
  let atServer = 0;
  const kill = async (): Promise<void> => {
    atServer = proxy.inFlight(PUSH);
    await server.kill('SIGKILL');
  };
  if (point === 'random') {
    await kill();
    return { point, atServer };
  }
  let done: Promise<void> | undefined;
  const armed = new Promise<void>((resolve) => {
    if (point === 'mid-push') {
      proxy.tap = {
        sent: (req) => {
          if (done || !req.url.startsWith(PUSH)) return;
          // Somewhere between parsing the batch and committing it (or just after).
          done = sleep(rng.int(0, 6)).then(kill);
          resolve();
        },
      };
    } else {
      proxy.tap = {
        answered: async (req, status) => {
          if (done || !req.url.startsWith(PUSH) || status !== 200) return 'forward';
          done = kill();
          resolve();
          await done;
          return 'drop';
        },
      };
    }
  });
  const pushed = await Promise.race([armed.then(() => true), sleep(10_000).then(() => false)]);
  proxy.tap = {};
  if (!pushed) {
    await kill();
    return { point: 'random', atServer };
  }
  await done;
  return { point, atServer };
}

for (const dialect of await dialects()) {
  describe(`server killed under load (${dialect})`, () => {
    it('loses and doubles nothing through SIGKILLs at random points while ten tills push', async ({
      onTestFailed,
    }) => {
      const started = Date.now();
      const rng = new Rng(SEED);
      const db = await freshDatabase(dialect);
      cleanup.push(() => db.drop());
      const jwt = `kill-test-secret-${SEED}-0123456789abcdefghijklmnop`;
      const setup = await startTestServer(dialect, { JWT_SECRET: jwt }, { databaseUrl: db.url });
      const shop = await setUpFaultShop(setup, TILLS, SEED).finally(() => setup.close());
      trace('shop set up');

      const env = {
        DATABASE_URL: db.url,
        JWT_SECRET: jwt,
        // Ten tills retrying at once after every restart is the point here, not the rate limit.
        PUSH_RATE_PER_MINUTE: '1000000',
      };
      const server = new ServerProcess(`server (${dialect})`, env);
      cleanup.push(() => server.kill());
      const proxy = await ChaosProxy.start(await server.start());
      cleanup.push(() => proxy.close());
      await fleet.open(
        shop.credentials.map((credential, i) => ({
          credential: { ...credential, serverUrl: proxy.url },
          userId: shop.cashierId,
          pin: shop.cashierPin,
          seed: SEED + i + 1,
        })),
        // Retrying a failed push builds an error over its whole batch: not ten times a second.
        { retryMs: 500 },
      );
      cleanup.push(() => fleet.all({ cmd: 'close-tills' }));
      trace('tills open');
      onTestFailed(() => {
        process.stderr.write(
          `seed ${SEED}; proxy ${proxy.describe()}\n--- ${server.name}:\n${server.output.slice(-30).join('')}\n${fleet.output()}\n`,
        );
      });
      const reader: Db = await connect(db.url, { migrate: false, poolSize: 2 });
      cleanup.push(() => reader.close());

      await fleet.all({ cmd: 'await-catalog', catalog: shop.catalog, seconds: 60 }, 90);
      trace('catalogue on every till');
      await fleet.all({ cmd: 'start-work', catalog: shop.catalog, pauseMs: [300, 900] });

      const kills: { point: KillPoint; atServer: number }[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // Under load means pushes are flowing: several tills have been answered since the (re)start.
        const before = proxy.answered(PUSH);
        await eventually(60, `pushes to flow again before round ${round}`, () =>
          proxy.answered(PUSH) >= before + PUSHES_BETWEEN_KILLS
            ? Promise.resolve()
            : Promise.reject(new Error(`${proxy.answered(PUSH) - before} pushes answered`)),
        );
        await sleep(rng.int(0, 800));
        const point = rng.pick<KillPoint>(['random', 'mid-push', 'before-ack']);
        kills.push(await killAt(point, server, proxy, rng));
        trace(`round ${round}: killed (${point}); proxy ${proxy.describe()}`);

        // The server is dead: what it acknowledged or served must be in its database already.
        const told = new Set(await fleet.all<string>({ cmd: 'acknowledged' }));
        const log = await auditLog(reader.db, shop.shopId);
        const lost = [...told].filter((id) => !log.ids.has(id));
        expect(lost, `round ${round}: acknowledged events missing after the kill`).toEqual([]);
        expect(log.duplicated, `round ${round}: duplicated rows`).toBe(0);
        expect(log.gaps, `round ${round}: gaps in the log's sequence`).toEqual([]);
        const { derived, rebuilt } = await derivedAndRebuilt(reader.db, shop.shopId);
        expect(derived, `round ${round}: derived books differ from a rebuild`).toEqual(rebuilt);
        trace(`round ${round}: checked ${log.events} events`);

        // The tills keep selling offline for a moment before the server is back.
        await sleep(rng.int(0, 500));
        proxy.retarget(await server.start());
        trace(`round ${round}: restarted`);
      }

      // Let the last incarnation carry load too, then stop selling and let everyone sync.
      await sleep(rng.int(500, 1500));
      await fleet.all({ cmd: 'stop-work' });
      await fleet.all({ cmd: 'settle', seconds: 180 }, 240);
      trace('pushed');
      const final = await auditLog(reader.db, shop.shopId);
      await fleet.all({ cmd: 'settle', events: final.events, seconds: 180 }, 240);
      trace('pulled');
      const reports = await fleet.reports();
      trace('reported');

      const told = new Set(reports.flatMap((r) => [...r.acked, ...r.served]));
      const lost = [...told].filter((id) => !final.ids.has(id));
      const logSnap = await logSnapshot(reader.db, shop.shopId);
      let tillEvents = 0;
      for (const r of reports) {
        expect(r.workErrors, `till ${r.code}: local commands failed`).toEqual([]);
        expect(r.unsynced, `till ${r.code}: unsynced events`).toBe(0);
        // Exactly its own events are on the server under its device, each once.
        const onServer = final.byDevice.get(r.deviceId) ?? [];
        expect([...onServer].sort(), `till ${r.code}: events on the server`).toEqual(
          r.own.map((e) => e.id).sort(),
        );
        expect(seriesProblems(r.own.flatMap((e) => (e.number ? [e.number] : [])))).toEqual([]);
        expect(r.snapshot, `till ${r.code}: replica differs from the log`).toEqual(logSnap);
        tillEvents += r.own.length;
      }
      expect(lost).toEqual([]);
      expect(final.duplicated).toBe(0);
      expect(final.gaps).toEqual([]);
      expect(final.head).toBe(final.events);
      expect(final.quarantined).toBe(0);

      // The derived rows the last incarnation left equal what the `rebuild` command writes.
      await server.kill('SIGTERM');
      const derived = await readDerived(reader.db, shop.shopId);
      const rebuild = await runCli(['rebuild', '--shop', shop.shopId], env);
      expect(rebuild.code, rebuild.stderr).toBe(0);
      expect(await readDerived(reader.db, shop.shopId)).toEqual(derived);
      trace('rebuilt');

      const midPush = kills.filter((k) => k.atServer > 0).length;
      const count = (p: KillPoint) => kills.filter((k) => k.point === p).length;
      process.stdout.write(
        `faults/kill [${dialect}] seed ${SEED}: ${ROUNDS} rounds, ${TILLS} tills, ${final.events} events ` +
          `(${tillEvents} from tills, ${told.size} acknowledged), ${kills.length} kills ` +
          `(${count('random')} random, ${count('mid-push')} mid-push, ${count('before-ack')} before-ack; ` +
          `${midPush} with a push at the server), ` +
          `${reports.reduce((s, r) => s + r.failedPushes, 0)} pushes failed and retried, ` +
          `lost = ${lost.length}, duplicated = ${final.duplicated}, gaps = ${final.gaps.length}, ` +
          `${Math.round((Date.now() - started) / 1000)} s\n`,
      );
    }, 600_000);
  });
}
