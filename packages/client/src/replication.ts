/**
 * Replicating the `events` collection with RxDB's `replicateRxCollection`, unmodified: push sends
 * this till's new events and records the server's answer for each in `receipts`; pull fetches by
 * sequence checkpoint; the live stream wakes the pull. A failed request is retried (RxDB retries
 * every failure, including ones the server applied — safe, because a repeated push answers the
 * same). In several tabs, only the leader runs the loop.
 */
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { BehaviorSubject, Subject, tap } from 'rxjs';
import type { TillDatabase } from './database.ts';
import { liveStream } from './live-stream.ts';
import type { EventDoc, ReceiptDoc } from './schema.ts';
import type { Checkpoint, Transport } from './transport.ts';

export interface SyncState {
  /** Pulled so far and the shop's latest sequence: a fresh till's first-sync progress. */
  pulled: number;
  head: number;
  online: boolean;
  syncing: boolean;
  lastSyncAt: number | undefined;
  offlineSince: number | undefined;
  lastError: string | undefined;
}

export interface Replication {
  state: RxReplicationState<EventDoc, Checkpoint>;
  status$: BehaviorSubject<SyncState>;
  /** Pull and push everything now; resolves when in sync (throws if offline). */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

const RXDB_FIELDS = new Set(['_deleted', '_rev', '_meta', '_attachments']);
const REOFFER_BATCH = 500;

/** The underlying cause of a replication error (RxDB wraps handler errors in RC_PUSH / RC_PULL). */
function describeError(err: unknown): string {
  const inner = (err as { parameters?: { errors?: unknown[] } } | undefined)?.parameters?.errors;
  const cause = inner?.at(-1);
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function stripRxdb(doc: Record<string, unknown>): EventDoc {
  return Object.fromEntries(Object.entries(doc).filter(([k]) => !RXDB_FIELDS.has(k))) as EventDoc;
}

/** Start replication for a till database. */
export function startReplication(
  db: TillDatabase,
  transport: Transport,
  opts: {
    deviceId: string;
    live?: boolean;
    multiInstance?: boolean;
    retryMs?: number;
    now?: () => number;
  },
): Replication {
  const now = opts.now ?? Date.now;
  let checkpoint: Checkpoint = { seq: 0 };
  const status$ = new BehaviorSubject<SyncState>({
    pulled: 0,
    head: 0,
    online: false,
    syncing: false,
    lastSyncAt: undefined,
    offlineSince: now(),
    lastError: undefined,
  });
  const patch = (p: Partial<SyncState>): void => status$.next({ ...status$.value, ...p });
  // The live stream waits for the first pull to catch up, and retries at once when a request
  // gets through (see `liveStream`).
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  const reachable$ = new Subject<void>();
  const ok = (): void => {
    patch({ online: true, offlineSince: undefined, lastError: undefined, lastSyncAt: now() });
    reachable$.next();
  };
  /** Resume the stream from the newest position seen, by pull or by stream. */
  const advance = (next: Checkpoint): void => {
    if (next.log !== checkpoint.log || next.seq > checkpoint.seq) checkpoint = next;
  };
  const failed = (err: unknown): void => {
    patch({
      online: false,
      offlineSince: status$.value.offlineSince ?? now(),
      lastError: describeError(err),
    });
  };

  const state = replicateRxCollection<EventDoc, Checkpoint>({
    collection: db.events,
    replicationIdentifier: `smartkirana-events-${transport.serverUrl}`,
    // Always live: without a stream, the loop still pushes local writes and pulls on reSync.
    live: true,
    retryTime: opts.retryMs ?? 2000,
    waitForLeadership: opts.multiInstance ?? false,
    autoStart: true,
    push: {
      batchSize: 100,
      handler: async (rows) => {
        try {
          // Only this till's own events are its to push. Events of other devices are in the replica
          // because a server sent them; when the till syncs with another server of the shop (a
          // new replication), RxDB offers those too, and that server gets them from its peers.
          const events = rows
            .map((r) => stripRxdb(r.newDocumentState))
            .filter((e) => e.deviceId === opts.deviceId);
          if (events.length === 0) return [];
          const res = await transport.push(events);
          const at = now();
          const receipts: ReceiptDoc[] = res.results.map((r) => ({
            id: r.id,
            status: r.status,
            at,
            ...(r.seq !== undefined ? { seq: r.seq } : {}),
            ...(r.code !== undefined ? { code: r.code } : {}),
            ...(r.reason !== undefined ? { reason: r.reason.slice(0, 500) } : {}),
          }));
          await db.receipts.bulkUpsert(receipts);
          ok();
          return res.conflicts.map((c) => ({ ...c, _deleted: false }));
        } catch (err) {
          failed(err);
          throw err;
        }
      },
    },
    pull: {
      batchSize: 1000,
      handler: async (from, batchSize) => {
        try {
          const res = await transport.pull(from ?? { seq: 0 }, batchSize);
          // The server's log is not the one this till last pulled from: it was restored from a
          // backup, or this till now syncs with another server. Whatever of ours it lacks, we offer
          // again (a repeated push is answered as a duplicate).
          if (from?.log !== undefined && from.log !== res.checkpoint.log) reoffer();
          advance(res.checkpoint);
          patch({ pulled: checkpoint.seq, head: Math.max(res.head ?? 0, checkpoint.seq) });
          if (!res.hasMore) caughtUp();
          // Own events seen in the shop's log are acknowledged, even if the push answer was lost.
          const own = res.documents.filter((d) => d.deviceId === opts.deviceId);
          if (own.length > 0) {
            const known = new Set(
              (await db.receipts.findByIds(own.map((d) => d.id)).exec()).keys(),
            );
            const fresh = own
              .filter((d) => !known.has(d.id))
              .map((d): ReceiptDoc => ({ id: d.id, status: 'accepted', at: now() }));
            if (fresh.length > 0) await db.receipts.bulkUpsert(fresh);
          }
          ok();
          return {
            documents: res.documents.map((d) => ({ ...d, _deleted: false })),
            checkpoint: res.checkpoint,
          };
        } catch (err) {
          failed(err);
          throw err;
        }
      },
      ...(opts.live === false
        ? {}
        : {
            stream$: liveStream(transport, {
              after: () => checkpoint,
              ready,
              reachable: reachable$,
              onConnection: (up) => (up ? ok() : undefined),
            }).pipe(tap((item) => (item === 'RESYNC' ? undefined : advance(item.checkpoint)))),
          }),
    },
  });
  let reoffering: Promise<void> | undefined;
  const reoffer = (): void => {
    reoffering ??= (async () => {
      try {
        for (let skip = 0; ; skip += REOFFER_BATCH) {
          const docs = await db.events
            .find({
              selector: { deviceId: opts.deviceId },
              sort: [{ deviceSeq: 'asc' }],
              skip,
              limit: REOFFER_BATCH,
            })
            .exec();
          if (docs.length === 0) break;
          await transport.push(docs.map((d) => stripRxdb(d.toJSON() as Record<string, unknown>)));
          if (docs.length < REOFFER_BATCH) break;
        }
      } catch (err) {
        failed(err);
      } finally {
        reoffering = undefined;
      }
    })();
  };
  state.active$.subscribe((active) => patch({ syncing: active }));
  state.error$.subscribe((err) => failed(err));

  return {
    state,
    status$,
    async syncNow() {
      state.reSync();
      await state.awaitInSync();
    },
    async stop() {
      await state.cancel();
      status$.complete();
    },
  };
}
