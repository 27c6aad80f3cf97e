/**
 * Real tills for the benchmarks: the till runtime of `@smartkirana/client` (RxDB replica,
 * push/pull replication, live stream) in this Node process, each on an IndexedDB of its own from
 * `fake-indexeddb`, so closing a till frees its storage. `arrivals` records when events from the
 * server are stored in a till's history, which is where the latency measures stop their clocks.
 */
import { createHash } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Till, TillOptions } from '@smartkirana/client/till';
import { openTestTill } from '@smartkirana/client/testing';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { snapshotProjection } from '@smartkirana/domain/projection-snapshot';
import type { FleetCredential } from './fleet.ts';

/**
 * Open a till on an in-memory IndexedDB of its own (sync and live stream as `opts` say); pass the
 * same `storage` again to reopen the till on what it stored.
 */
export function openBenchTill(
  credential: FleetCredential,
  opts: Partial<Pick<TillOptions, 'sync' | 'live' | 'retryMs'>> = {},
  storage: IDBFactory = new IDBFactory(),
): Promise<Till> {
  return openTestTill(credential, { indexedDB: storage, IDBKeyRange, ...opts });
}

/** When each event id was first written into a till's replica (`performance.now()`). */
export class Arrivals {
  readonly #at = new Map<string, number>();
  readonly #waiting = new Map<string, (at: number) => void>();
  readonly #stop: () => void;

  constructor(till: Till) {
    const sub = till.received$.subscribe((events) => {
      const now = performance.now();
      for (const e of events) {
        if (this.#at.has(e.id)) continue;
        this.#at.set(e.id, now);
        this.#waiting.get(e.id)?.(now);
        this.#waiting.delete(e.id);
      }
    });
    this.#stop = () => sub.unsubscribe();
  }

  /** Resolves with the arrival time of `id` (at once if it is already there). */
  wait(id: string, timeoutMs: number): Promise<number> {
    const at = this.#at.get(id);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`event ${id} did not reach the replica within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(id, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }

  stop(): void {
    this.#stop();
  }
}

/** A digest of everything a projection derived: equal for equal snapshots. */
export function snapshotHash(projection: ShopProjection): string {
  return createHash('sha256')
    .update(canonicalJson(snapshotProjection(projection)))
    .digest('hex');
}

/** JSON with every object's keys sorted, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
