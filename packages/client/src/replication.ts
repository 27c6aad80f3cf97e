/**
 * Syncing a till with its server. Push is RxDB's `replicateRxCollection` on the till's own events,
 * unmodified: it sends each new event and records the server's answer for it in `receipts`. A failed
 * request is retried (RxDB retries every failure, including ones the server applied — safe, because
 * a repeated push answers the same). Pull fills the till's history (`history-sync.ts`) by checkpoint,
 * woken by the live stream. In several tabs, only the leader runs either loop.
 */
import type { ProjectionSeed } from '@smartkirana/domain/projection-seed';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { BehaviorSubject, Subject, type Subscription } from 'rxjs';
import type { TillDatabase } from './database.ts';
import type { Coverage, History, LogPage } from './history.ts';
import { HistorySync } from './history-sync.ts';
import { liveStream } from './live-stream.ts';
import type { EventDoc, ReceiptDoc } from './schema.ts';
import type { Checkpoint, Transport } from './transport.ts';

export interface SyncState {
  /** Positions of the shop's log held and its latest: a fresh till's history progress. */
  pulled: number;
  head: number;
  online: boolean;
  syncing: boolean;
  lastSyncAt: number | undefined;
  offlineSince: number | undefined;
  lastError: string | undefined;
}

export interface Replication {
  push: RxReplicationState<EventDoc, unknown>;
  status$: BehaviorSubject<SyncState>;
  /** Pull and push everything now; resolves when in sync (throws if offline). */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

/** What the till does with what sync brings. */
export interface SyncHooks {
  held: Coverage | undefined;
  fresh: boolean;
  onSeed(seed: ProjectionSeed, at: number, log: string): Promise<void>;
  onPage(page: LogPage, backfill: boolean): void;
  onComplete(log: string): void;
}

const RXDB_FIELDS = new Set(['_deleted', '_rev', '_meta', '_attachments']);
const REOFFER_BATCH = 500;
/** Push answers remembered until their events come back in the log (the oldest go first). */
const ANSWERED_MAX = 20_000;

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

/** Start syncing a till database. */
export function startReplication(
  db: TillDatabase,
  history: History,
  transport: Transport,
  hooks: SyncHooks,
  opts: {
    deviceId: string;
    live?: boolean;
    multiInstance?: boolean;
    retryMs?: number;
    now?: () => number;
  },
): Replication {
  const now = opts.now ?? Date.now;
  const retryMs = opts.retryMs ?? 2000;
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
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  const reachable$ = new Subject<void>();
  const ok = (): void => {
    patch({ online: true, offlineSince: undefined, lastError: undefined, lastSyncAt: now() });
    reachable$.next();
  };
  const failed = (err: unknown): void => {
    patch({
      online: false,
      offlineSince: status$.value.offlineSince ?? now(),
      lastError: describeError(err),
    });
  };

  // Ids whose receipts this loop has stored: when the events come back in the shop's log (the
  // live stream echoes every push), there is nothing to look up, so no read competes with the
  // counter's next sale.
  const answered = new Set<string>();
  const remember = (ids: readonly string[]): void => {
    for (const id of ids) answered.add(id);
    if (answered.size <= ANSWERED_MAX) return;
    for (const id of answered) {
      answered.delete(id);
      if (answered.size <= ANSWERED_MAX / 2) break;
    }
  };

  const push = replicateRxCollection<EventDoc, unknown>({
    collection: db.events,
    replicationIdentifier: `smartkirana-push-${transport.serverUrl}`,
    live: true,
    retryTime: retryMs,
    waitForLeadership: opts.multiInstance ?? false,
    autoStart: true,
    push: {
      batchSize: 100,
      handler: async (rows) => {
        try {
          // Only this till's own events are its to push (a till from before the history collection
          // also holds other devices' events here; the server has those from their own tills).
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
          remember(receipts.map((r) => r.id));
          ok();
          return res.conflicts.map((c) => ({ ...c, _deleted: false }));
        } catch (err) {
          failed(err);
          throw err;
        }
      },
    },
  });

  /** Own events seen in the shop's log are acknowledged, even if the push answer was lost. */
  const acknowledge = async (page: LogPage): Promise<void> => {
    const own = page.events.flatMap((e, i) =>
      e.deviceId === opts.deviceId && !answered.delete(e.id)
        ? [{ id: e.id, seq: page.from + i }]
        : [],
    );
    if (own.length === 0) return;
    const known = await db.receipts.findByIds(own.map((o) => o.id)).exec();
    const fresh = own
      .filter((o) => !known.has(o.id))
      .map((o): ReceiptDoc => ({ id: o.id, status: 'accepted', seq: o.seq, at: now() }));
    if (fresh.length > 0) await db.receipts.bulkUpsert(fresh);
  };

  const pull = new HistorySync({
    history,
    transport,
    held: hooks.held,
    fresh: hooks.fresh,
    onSeed: (seed, at, log) => hooks.onSeed(seed, at, log),
    onPage: async (page, backfill) => {
      hooks.onPage(page, backfill);
      await acknowledge(page);
    },
    onComplete: (log) => {
      hooks.onComplete(log);
      void history.dropOtherLogs(log).catch(() => undefined);
    },
    // The server's log is not the one this till last pulled from: it was restored from a backup,
    // or this till now syncs with another server. Whatever of ours it lacks, we offer again (a
    // repeated push is answered as a duplicate).
    onLogChanged: () => reoffer(),
    onProgress: (held, head) => patch({ pulled: held, head }),
    onOk: ok,
    onError: failed,
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

  // The pull loop: now, again after every failure (retrying like RxDB's own loop does), and
  // whenever the live stream reconnects or shows a gap.
  const state = { stopped: false };
  // Read through a function: the flag changes across awaits, which the compiler cannot see.
  const isStopped = (): boolean => state.stopped;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let pulling = 0;
  let pushing = false;
  const cycle = async (): Promise<void> => {
    if (state.stopped) return;
    clearTimeout(retry);
    pulling += 1;
    patch({ syncing: true });
    try {
      await pull.sync();
      caughtUp();
    } catch (err) {
      failed(err);
      if (!isStopped()) retry = setTimeout(() => void cycle().catch(() => undefined), retryMs);
      throw err;
    } finally {
      pulling -= 1;
      patch({ syncing: pulling > 0 || pushing });
    }
  };
  const subs: Subscription[] = [];
  const startPulling = (): void => {
    void cycle().catch(() => undefined);
    if (opts.live === false) return;
    subs.push(
      liveStream(transport, {
        after: (): Checkpoint => pull.checkpoint,
        ready,
        reachable: reachable$,
        onConnection: (up) => (up ? ok() : undefined),
      }).subscribe((item) => {
        if (item === 'RESYNC') void cycle().catch(() => undefined);
        else void pull.live(item.page, item.json).catch((err: unknown) => failed(err));
      }),
    );
  };
  if (opts.multiInstance) void db.waitForLeadership().then(() => state.stopped || startPulling());
  else startPulling();

  subs.push(
    push.active$.subscribe((active) => {
      pushing = active;
      patch({ syncing: active || pulling > 0 });
    }),
    push.error$.subscribe((err) => failed(err)),
  );

  return {
    push,
    status$,
    async syncNow() {
      push.reSync();
      await push.awaitInSync();
      await cycle();
      await pull.flush();
    },
    async stop() {
      state.stopped = true;
      clearTimeout(retry);
      await pull.flush().catch(() => undefined);
      pull.stop();
      for (const s of subs) s.unsubscribe();
      await push.cancel();
      status$.complete();
    },
  };
}
