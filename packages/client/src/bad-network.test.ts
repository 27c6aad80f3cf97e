/**
 * A bad network between tills and the server, request by request: four real tills sell while every
 * request (push, pull, sign-in, staff, live stream) goes through a `ChaosProxy` on a seeded random
 * schedule that drops requests, drops answers after the server committed, sends requests twice (at
 * once, or late after newer ones), delays them, holds them back until a later request overtook
 * them, and cuts live streams in the middle of a message. Each round ends by healing the network:
 * then every replica and the server hold the same events and derive the same books, every event is
 * stored exactly once in a gapless log, everything acknowledged is there, the derived rows equal a
 * rebuild, and each till's invoice and credit-note numbers are unique and gapless. On SQLite and
 * Postgres; `FAULT_ROUNDS` runs more rounds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import { Rng } from '@smartkirana/domain/testing';
import { readDerived } from '@smartkirana/server/derived-store';
import { rebuildShop } from '@smartkirana/server/rebuild';
import {
  ChaosProxy,
  dialects,
  startTestServer,
  type Fault,
  type ProxiedRequest,
} from '@smartkirana/server/testing';
import { AckLedger } from './testing/ack-ledger.ts';
import { CounterWork } from './testing/counter-work.ts';
import { eventually, faultRounds, faultSeed, sleep, trace } from './testing/fault-run.ts';
import { setUpFaultShop } from './testing/fault-shop.ts';
import { openTestTill } from './testing/index.ts';
import { auditLog, logSnapshot, seriesProblems } from './testing/log-audit.ts';
import type { Till } from './till.ts';

const TILLS = 4;
const ROUNDS = faultRounds(3);
const STEPS_PER_ROUND = 15;
const SEED = faultSeed();

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
}, 60_000);

/** The seeded schedule of a storm: a fault for every request. */
function storm(rng: Rng): (req: ProxiedRequest) => Fault {
  return (req) => {
    const roll = rng.next();
    if (req.stream) {
      if (roll < 0.6) return { kind: 'cut-stream', afterMessages: rng.int(0, 2) };
      if (roll < 0.75) return { kind: 'drop-request' };
      return { kind: 'pass' };
    }
    if (roll < 0.1) return { kind: 'drop-request' };
    if (roll < 0.24) return { kind: 'drop-response' };
    if (roll < 0.36) return { kind: 'duplicate', late: rng.chance(0.5) };
    if (roll < 0.46) return { kind: 'delay', ms: rng.int(20, 400) };
    if (roll < 0.62) return { kind: 'reorder' };
    return { kind: 'pass' };
  };
}

/** Sync a till until it has nothing unacknowledged and holds `events` events; say where it stalled. */
async function settle(till: Till, ledger: AckLedger, events: number | undefined): Promise<void> {
  await eventually(120, `till ${till.credential.code} to settle`, async () => {
    await Promise.race([till.syncNow(), sleep(5000)]);
    const unsynced = (await till.unsynced()).length;
    const size = till.projection.size;
    if (unsynced > 0 || (events !== undefined && size < events))
      throw new Error(
        `${unsynced} unsynced, replica ${size}${events === undefined ? '' : ` of ${events}`}, ` +
          `status ${JSON.stringify(await till.status())}, ` +
          `waiting for ${ledger.describeWaiting() || 'nothing'}`,
      );
  });
}

for (const dialect of await dialects()) {
  describe(`bad network between tills and the server (${dialect})`, () => {
    it('converges exactly once through dropped, doubled, delayed and reordered requests and cut streams', async ({
      onTestFailed,
    }) => {
      const started = Date.now();
      const rng = new Rng(SEED);
      const server = await startTestServer(dialect, { PUSH_RATE_PER_MINUTE: '1000000' });
      cleanup.push(() => server.close());
      const shop = await setUpFaultShop(server, TILLS, SEED);
      const proxy = await ChaosProxy.start(server.port, { maxHoldMs: 1500 });
      cleanup.push(() => proxy.close());
      onTestFailed(() => {
        process.stderr.write(`seed ${SEED}; proxy ${proxy.describe()}\n`);
      });

      const ledgers = shop.credentials.map(() => new AckLedger());
      const tills: Till[] = [];
      for (const [i, credential] of shop.credentials.entries()) {
        const till = await openTestTill(
          { ...credential, serverUrl: proxy.url },
          { fetch: ledgers[i]!.fetch, retryMs: 100 },
        );
        cleanup.push(() => till.close());
        tills.push(till);
      }
      for (const till of tills)
        await eventually(
          30,
          `till ${till.credential.code} to sign in and get the catalogue`,
          async () => {
            await till.refreshStaff().catch(() => undefined);
            if (!(await till.signIn(shop.cashierId, shop.cashierPin)))
              throw new Error('sign-in refused');
            await Promise.race([till.syncNow(), sleep(5000)]);
            if (!CounterWork.ready(till, shop.catalog)) throw new Error('no catalogue yet');
          },
        );
      trace('tills open');
      const work = tills.map((_, i) => new CounterWork(new Rng(SEED + i + 1), shop.catalog));

      const db = server.services.db.db;
      for (let round = 1; round <= ROUNDS; round++) {
        proxy.decide = storm(rng);
        proxy.cutStreams();
        // Every till sells through the storm; now and then the cashier presses "sync now".
        await Promise.all(
          tills.map(async (till, i) => {
            for (let step = 0; step < STEPS_PER_ROUND; step++) {
              await work[i]!.step(till);
              if (rng.chance(0.15))
                await Promise.race([till.syncNow(), sleep(300)]).catch(() => undefined);
              await sleep(rng.int(10, 120));
            }
          }),
        );
        proxy.calm();
        trace(`round ${round}: storm over`);

        await Promise.all(tills.map((till, i) => settle(till, ledgers[i]!, undefined)));
        const log = await auditLog(db, shop.shopId);
        await Promise.all(tills.map((till, i) => settle(till, ledgers[i]!, log.events)));
        trace(`round ${round}: settled`);

        expect(log.duplicated, `round ${round}: duplicated rows`).toBe(0);
        expect(log.gaps, `round ${round}: gaps in the log`).toEqual([]);
        expect(log.quarantined, `round ${round}: events held back`).toBe(0);
        const told = new Set(ledgers.flatMap((l) => [...l.acked, ...l.served]));
        expect(
          [...told].filter((id) => !log.ids.has(id)),
          `round ${round}: lost`,
        ).toEqual([]);
        const { projection } = await server.services.cache.get(db, shop.shopId);
        const serverSnap = snapshotProjection(projection);
        expect(await logSnapshot(db, shop.shopId)).toEqual(serverSnap);
        for (const till of tills) {
          const code = till.credential.code;
          const own = (
            await till.db.events.find({ selector: { deviceId: till.credential.deviceId } }).exec()
          ).map(
            (d) => d.toJSON() as { id: string; type: string; payload: Record<string, unknown> },
          );
          expect(
            [...(log.byDevice.get(till.credential.deviceId) ?? [])].sort(),
            `round ${round}: till ${code}'s events on the server`,
          ).toEqual(own.map((e) => e.id).sort());
          const numbers = own.flatMap((e) => {
            if (e.type === 'v1.SaleCompleted') return [e.payload.invoiceNo as string];
            if (e.type === 'v1.SaleReturned') return [e.payload.creditNoteNo as string];
            return [];
          });
          expect(seriesProblems(numbers), `round ${round}: till ${code}'s numbers`).toEqual([]);
          expect(
            snapshotProjection(till.projection),
            `round ${round}: till ${code}'s books`,
          ).toEqual(serverSnap);
        }
        trace(`round ${round}: checked`);
        const derived = await readDerived(db, shop.shopId);
        await rebuildShop(server.services, shop.shopId);
        expect(await readDerived(db, shop.shopId), `round ${round}: derived rows`).toEqual(derived);
      }

      const log = await auditLog(db, shop.shopId);
      const s = proxy.stats;
      const told = new Set(ledgers.flatMap((l) => [...l.acked, ...l.served]));
      process.stdout.write(
        `faults/network [${dialect}] seed ${SEED}: ${ROUNDS} rounds, ${TILLS} tills, ${log.events} events, ` +
          `${s.requests} requests: ${s.droppedRequests} dropped, ${s.droppedResponses} answers dropped after commit, ` +
          `${s.duplicated} duplicated, ${s.delayed} delayed, ${s.reordered} reordered (${s.heldAlone} held alone), ` +
          `${s.streamsCut} streams cut mid-message; ` +
          `lost = ${[...told].filter((id) => !log.ids.has(id)).length}, duplicated = ${log.duplicated}, ` +
          `${Math.round((Date.now() - started) / 1000)} s\n`,
      );
    }, 240_000);
  });
}
