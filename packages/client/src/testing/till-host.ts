/**
 * A child process that hosts a few Node tills for `TillFleet`. A fault test with ten tills needs
 * more than one process: RxDB's free tier opens at most 13 collections per process and a till uses
 * two. Each hosted till is a real `Till` on its own fake IndexedDB, with an `AckLedger` at its edge;
 * the parent drives them with the commands below over IPC and reads back what they hold.
 */
import {
  snapshotProjection,
  type ProjectionSnapshot,
} from '@smartkirana/domain/projection-snapshot';
import { Rng } from '@smartkirana/domain/testing';
import type { Till, TillCredential, TillStatus } from '../till.ts';
import { AckLedger } from './ack-ledger.ts';
import { CounterWork, type Catalog, type WorkKind } from './counter-work.ts';
import { eventually, sleep, withTimeout } from './fault-run.ts';
import { openTestTill } from './index.ts';

export interface HostedTill {
  credential: TillCredential;
  /** The cashier who signs in, and their PIN. */
  userId: string;
  pin: string;
  seed: number;
}

export type HostCommand =
  | { cmd: 'open'; tills: HostedTill[]; retryMs: number }
  | { cmd: 'await-catalog'; catalog: Catalog; seconds: number }
  | { cmd: 'start-work'; catalog: Catalog; pauseMs: [number, number] }
  | { cmd: 'stop-work' }
  /** Every id the server acknowledged to or served any hosted till so far. */
  | { cmd: 'acknowledged' }
  /** Push everything; with `events`, also pull until the replica holds that many. */
  | { cmd: 'settle'; events?: number; seconds: number }
  | { cmd: 'report' }
  /** Close the tills; the process stays for the next `open`. */
  | { cmd: 'close-tills' }
  /** Close the tills and leave. */
  | { cmd: 'close' };

export interface TillReport {
  deviceId: string;
  code: string;
  /** This till's own events, with the document number of sales and returns. */
  own: { id: string; deviceSeq: number; type: string; number?: string }[];
  acked: string[];
  served: string[];
  pushes: number;
  failedPushes: number;
  replica: number;
  unsynced: number;
  work: Record<WorkKind, number>;
  /** Local commands that threw (a till must always be able to sell). */
  workErrors: string[];
  snapshot: ProjectionSnapshot;
}

export type HostReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

interface Hosted {
  spec: HostedTill;
  till: Till;
  ledger: AckLedger;
  work?: CounterWork;
  errors: string[];
}

const hosted: Hosted[] = [];
let working: Promise<void>[] = [];
let stopWork = false;

async function run(command: HostCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'open':
      if (hosted.length > 0) throw new Error('close the tills first');
      for (const spec of command.tills) {
        const ledger = new AckLedger();
        const till = await openTestTill(spec.credential, {
          fetch: ledger.fetch,
          retryMs: command.retryMs,
        });
        hosted.push({ spec, till, ledger, errors: [] });
      }
      await Promise.all(
        hosted.map((h) =>
          eventually(30, `staff to reach till ${h.spec.credential.code}`, async () => {
            await h.till.refreshStaff().catch(() => undefined);
            if (!(await h.till.signIn(h.spec.userId, h.spec.pin)))
              throw new Error('sign-in refused');
          }),
        ),
      );
      return hosted.length;
    case 'await-catalog':
      await Promise.all(
        hosted.map((h) =>
          eventually(
            command.seconds,
            `the catalogue to reach till ${h.spec.credential.code}`,
            async () => {
              await withTimeout(h.till.syncNow(), 5000).catch(() => undefined);
              if (!CounterWork.ready(h.till, command.catalog)) throw new Error('not yet');
            },
          ),
        ),
      );
      return true;
    case 'start-work':
      stopWork = false;
      working = hosted.map((h) => {
        const rng = new Rng(h.spec.seed);
        const work = new CounterWork(rng, command.catalog);
        h.work = work;
        const [min, max] = command.pauseMs;
        return (async () => {
          while (!stopWork) {
            await work.step(h.till).catch((err: unknown) => {
              h.errors.push(err instanceof Error ? err.message : String(err));
            });
            await sleep(rng.int(min, max));
          }
        })();
      });
      return true;
    case 'stop-work':
      stopWork = true;
      await Promise.all(working);
      working = [];
      return true;
    case 'acknowledged':
      return hosted.flatMap((h) => [...h.ledger.acked, ...h.ledger.served]);
    case 'settle':
      await Promise.all(hosted.map((h) => settle(h, command.seconds, command.events)));
      return true;
    case 'report':
      return Promise.all(hosted.map(report));
    case 'close-tills':
    case 'close':
      stopWork = true;
      await Promise.all(working);
      working = [];
      for (const h of hosted.splice(0)) await h.till.close();
      return true;
  }
}

/** Sync until nothing of this till's is unacknowledged (and it holds `events`), or fail saying where it stalled. */
async function settle(h: Hosted, seconds: number, events?: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    await withTimeout(h.till.syncNow(), 5000).catch(() => undefined);
    const unsynced = (await h.till.unsynced()).length;
    const size = h.till.projection.size;
    if (unsynced === 0 && (events === undefined || size >= events)) return;
    if (process.env.FAULT_TRACE)
      process.stderr.write(
        `${new Date().toISOString()} ${h.spec.credential.code}: ${unsynced} unsynced, replica ${size}, ${JSON.stringify(await h.till.status())} waiting ${h.ledger.describeWaiting()}\n`,
      );
    if (Date.now() > until) {
      const status: TillStatus = await h.till.status();
      throw new Error(
        `till ${h.spec.credential.code} did not settle in ${seconds} s: ${unsynced} unsynced, ` +
          `replica ${size}${events === undefined ? '' : ` of ${events}`} events, status ${JSON.stringify(status)}, ` +
          `waiting for ${h.ledger.describeWaiting() || 'nothing'}`,
      );
    }
    await sleep(200);
  }
}

async function report(h: Hosted): Promise<TillReport> {
  const { deviceId, code } = h.spec.credential;
  const docs = await h.till.db.events.find({ selector: { deviceId } }).exec();
  const own = docs.map((d) => {
    const e = d.toJSON() as {
      id: string;
      deviceSeq: number;
      type: string;
      payload: Record<string, unknown>;
    };
    const number = e.payload.creditNoteNo ?? e.payload.invoiceNo;
    return {
      id: e.id,
      deviceSeq: e.deviceSeq,
      type: e.type,
      ...(e.type !== 'v1.SaleVoided' && typeof number === 'string' ? { number } : {}),
    };
  });
  return {
    deviceId,
    code,
    own,
    acked: [...h.ledger.acked],
    served: [...h.ledger.served],
    pushes: h.ledger.pushes,
    failedPushes: h.ledger.failedPushes,
    replica: h.till.projection.size,
    unsynced: (await h.till.unsynced()).length,
    work: h.work?.done ?? { sale: 0, 'khata-payment': 0, return: 0 },
    workErrors: h.errors,
    snapshot: snapshotProjection(h.till.projection),
  };
}

// Only when started as a child process by `TillFleet` (not when a test imports the types).
if (process.send && process.env.SMARTKIRANA_TILL_HOST === '1') {
  const send = (reply: HostReply): void => {
    process.send?.(reply);
  };
  process.on('message', (message: { id: number; command: HostCommand }) => {
    run(message.command).then(
      (value) => {
        send({ id: message.id, ok: true, value });
        if (message.command.cmd === 'close') process.disconnect();
      },
      (err: unknown) =>
        send({
          id: message.id,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        }),
    );
  });
  // The parent went away (a test run aborted): nothing left to do here.
  process.once('disconnect', () => process.exit(0));
}
