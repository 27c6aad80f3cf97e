/**
 * A child process hosting a few benchmark tills (RxDB's free tier opens at most 13 collections per
 * process and a till uses two). The parent (`till-hosts.ts`) drives it over IPC: open the tills
 * (syncing, live stream on, the product's retry interval) and wait until each has pulled the
 * catalogue, write their offline sales, answer once every hosted till holds the whole log, and
 * report what each derives.
 */
import type { Till } from '@smartkirana/client/till';
import type { DomainEvent } from '@smartkirana/domain/events';
import type { FleetCredential } from './fleet.ts';
import { openBenchTill, snapshotHash } from './tills.ts';
import { batches } from './workload.ts';

export type HostCommand =
  | { cmd: 'open'; tills: FleetCredential[] }
  /** Write sales into each till's replica as its local writer would (while it is offline). */
  | { cmd: 'sell-offline'; events: DomainEvent[][] }
  /** Answer with each till's time (ms since the epoch) of holding `total` events. */
  | { cmd: 'hold'; total: number; seconds: number }
  | { cmd: 'report' }
  /** CPU time this process has used so far, seconds. */
  | { cmd: 'cpu' }
  | { cmd: 'close' };

export interface HostedReport {
  code: string;
  events: number;
  /** SHA-256 of the canonical JSON of the till's projection snapshot. */
  snapshot: string;
  unsynced: number;
}

export type HostReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** The till's retry interval for failed pushes and pulls: the product's default. */
const RETRY_MS = 2000;

const tills: { credential: FleetCredential; till: Till }[] = [];

async function run(command: HostCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'open':
      for (const credential of command.tills) {
        const till = await openBenchTill(credential, { retryMs: RETRY_MS });
        tills.push({ credential, till });
        await till.syncNow();
      }
      return tills.length;
    case 'sell-offline':
      for (const [i, { till }] of tills.entries())
        for (const chunk of batches(command.events[i] ?? [], 500))
          await till.db.events.bulkInsert(chunk);
      return true;
    case 'hold':
      return Promise.all(tills.map(({ till }) => holding(till, command.total, command.seconds)));
    case 'report':
      return Promise.all(
        tills.map(async ({ credential, till }): Promise<HostedReport> => ({
          code: credential.code,
          events: till.projection.size,
          snapshot: snapshotHash(till.projection),
          unsynced: (await till.unsynced()).length,
        })),
      );
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      // One answer per host: the parent joins answers per till, so it is wrapped in a list.
      return [(user + system) / 1e6];
    }
    case 'close':
      for (const { till } of tills.splice(0)) await till.close();
      return true;
  }
}

/** Resolves with the wall-clock time at which `till` holds `total` events. */
/**
 * When the till holds all `total` events and the server has acknowledged every one of its own
 * (a till that holds everything may still be waiting for the answer to its last push).
 */
async function holding(till: Till, total: number, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  for (;;) {
    if (till.projection.size >= total && till.unsyncedCount === 0)
      return performance.timeOrigin + performance.now();
    if (performance.now() > until)
      throw new Error(
        `till ${till.credential.code} holds ${till.projection.size} of ${total} events, ` +
          `${(await till.unsynced()).length} of its own unacknowledged, after ${seconds} s`,
      );
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Only as the host process the parent started (never when this module is merely imported).
if (process.send && process.env.SK_BENCH_TILL_HOST === '1') {
  process.on('message', (message: { id: number; command: HostCommand }) => {
    run(message.command).then(
      (value) => process.send?.({ id: message.id, ok: true, value } satisfies HostReply),
      (err: unknown) =>
        process.send?.({
          id: message.id,
          ok: false,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        } satisfies HostReply),
    );
  });
}
