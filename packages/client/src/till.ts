/**
 * The till runtime: a full replica of the shop's events in RxDB, the shop's projection folded from
 * it (confirmed and pending events alike, so a sale shows in stock the instant it is made), the
 * commands of the counter and stock room, staff sign-in by PIN with no network, replication with
 * the server, and the durability guardrails (persistent storage, unsynced count and export).
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import type { Role } from '@smartkirana/domain/event-fields';
import { MAX_TOLERATED_SKEW_MS } from '@smartkirana/domain/hlc';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { argon2Verify } from 'hash-wasm';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { openTillDatabase, type OpenOptions, type TillDatabase } from './database.ts';
import { IncomingFolds } from './incoming-folds.ts';
import { LocalWriter } from './local-writer.ts';
import { startReplication, type Replication, type SyncState } from './replication.ts';
import type { EventDoc, ReceiptDoc } from './schema.ts';
import { TillCommands } from './till-commands.ts';
import { Transport, type FetchLike, type StaffMember } from './transport.ts';

export interface TillCredential {
  serverUrl: string;
  shopId: string;
  deviceId: string;
  /** Device code (T01…), the prefix of this till's invoice series. */
  code: string;
  secret: string;
}

export interface TillOptions extends Partial<
  Pick<OpenOptions, 'indexedDB' | 'IDBKeyRange' | 'multiInstance'>
> {
  credential: TillCredential;
  /** Database name (default `smartkirana-<shopId>-<deviceId>`). */
  name?: string;
  fetch?: FetchLike;
  /** The device's wall clock (tests make it lie). */
  clock?: () => number;
  /** Start syncing at once (default true). */
  sync?: boolean;
  /** Keep a live stream open (default true). */
  live?: boolean;
  retryMs?: number;
}

export interface SignedIn {
  userId: string;
  name: string;
  role: Role;
}

export interface TillStatus extends SyncState {
  /** This till's events the server has not acknowledged yet. */
  unsynced: number;
  /** Device time of the oldest unacknowledged event. */
  oldestUnsyncedAt: number | undefined;
  quarantined: number;
  /** This till's clock minus the server's at the last sync (undefined until one answered). */
  clockSkewMs: number | undefined;
  /** Whether that skew is beyond what the shop tolerates: the till should fix its clock. */
  clockFlagged: boolean;
}

const PAGE = 5000;

export class Till {
  readonly db: TillDatabase;
  readonly credential: TillCredential;
  readonly projection = new ShopProjection();
  /** Increments whenever the projection changes; views recompute from it. */
  readonly version$ = new BehaviorSubject(0);
  readonly transport: Transport;
  readonly commands: TillCommands;
  readonly #writer: LocalWriter;
  readonly #subs: Subscription[] = [];
  /**
   * Ids of this till's events not yet acknowledged by the server. Kept up to date from the
   * collections' change streams, so the sync indicator (polled every few seconds) reads no history.
   */
  readonly #pending = new Set<string>();
  /** Events from the server, folded into the projection in bulk (see `IncomingFolds`). */
  readonly #incoming = new IncomingFolds((events) => {
    const fresh = events.filter((e) => !this.projection.has(e.id));
    if (fresh.length === 0) return;
    this.projection.apply(fresh);
    this.projection.drainChanges();
    this.version$.next(this.version$.value + 1);
  });
  #replication: Replication | undefined;
  #actor: SignedIn | undefined;
  readonly #opts: TillOptions;

  private constructor(db: TillDatabase, opts: TillOptions) {
    this.db = db;
    this.#opts = opts;
    this.credential = opts.credential;
    const clock = opts.clock ?? Date.now;
    this.transport = new Transport(opts.credential, opts.fetch, clock);
    this.#writer = new LocalWriter(db, opts.credential, this.projection, clock);
    this.commands = new TillCommands(this, clock);
  }

  /** Open the till: its database, its projection from every stored event, then sync. */
  static async open(opts: TillOptions): Promise<Till> {
    const { credential } = opts;
    const db = await openTillDatabase({
      name: opts.name ?? `smartkirana-${credential.shopId}-${credential.deviceId}`,
      ...(opts.indexedDB ? { indexedDB: opts.indexedDB } : {}),
      ...(opts.IDBKeyRange ? { IDBKeyRange: opts.IDBKeyRange } : {}),
      ...(opts.multiInstance !== undefined ? { multiInstance: opts.multiInstance } : {}),
    });
    const till = new Till(db, opts);
    await till.#load();
    if (opts.sync !== false) till.startSync();
    return till;
  }

  /** The person signed in at the counter. */
  get actor(): SignedIn | undefined {
    return this.#actor;
  }

  /** Sign in with a PIN, checked locally against the synced staff list (works offline). */
  async signIn(userId: string, pin: string): Promise<SignedIn | undefined> {
    const member = (await this.staff()).find((s) => s.userId === userId);
    if (!member?.pinHash) return undefined;
    const ok = await argon2Verify({ password: pin, hash: member.pinHash }).catch(() => false);
    if (!ok) return undefined;
    this.#actor = { userId: member.userId, name: member.name, role: member.role as Role };
    return this.#actor;
  }

  /**
   * A manager's approval at the counter (a large discount, a void): any owner or manager whose PIN
   * matches. The signed-in person does not change.
   */
  async approve(pin: string): Promise<SignedIn | undefined> {
    for (const member of await this.staff()) {
      if (member.role !== 'owner' && member.role !== 'manager') continue;
      if (!member.pinHash) continue;
      const ok = await argon2Verify({ password: pin, hash: member.pinHash }).catch(() => false);
      if (ok) return { userId: member.userId, name: member.name, role: member.role };
    }
    return undefined;
  }

  /** Run `fn` with `actor` signed in (a manager approving a void at a cashier's counter). */
  async actingAs<T>(actor: SignedIn, fn: () => Promise<T>): Promise<T> {
    const previous = this.#actor;
    this.#actor = actor;
    try {
      return await fn();
    } finally {
      this.#actor = previous;
    }
  }

  signOut(): void {
    this.#actor = undefined;
  }

  /** Staff known to this till (refreshed from the server when online). */
  async staff(): Promise<StaffMember[]> {
    const doc = await this.db.getLocal<{ staff: StaffMember[] }>('staff');
    const staff: unknown = doc?.get('staff');
    return Array.isArray(staff) ? (staff as StaffMember[]) : [];
  }

  /** Fetch the staff list (with PIN hashes) from the server and keep it for offline sign-in. */
  async refreshStaff(): Promise<StaffMember[]> {
    const staff = await this.transport.staff();
    await this.db.upsertLocal('staff', { staff });
    return staff;
  }

  /** Start replicating with the server. */
  startSync(): void {
    if (this.#replication) return;
    this.#replication = startReplication(this.db, this.transport, {
      deviceId: this.credential.deviceId,
      live: this.#opts.live ?? true,
      multiInstance: this.#opts.multiInstance ?? false,
      ...(this.#opts.retryMs !== undefined ? { retryMs: this.#opts.retryMs } : {}),
    });
    this.refreshStaff().catch(() => undefined);
  }

  /** Push and pull everything now; resolves once in sync. */
  async syncNow(): Promise<void> {
    if (!this.#replication) this.startSync();
    await this.#replication?.syncNow();
    this.#incoming.flush();
  }

  /** Sync status with the unsynced count, for the always-visible indicator. */
  get status$(): Observable<SyncState> | undefined {
    return this.#replication?.status$;
  }

  /** This till's events the server has not acknowledged by id. */
  async unsynced(): Promise<DomainEvent[]> {
    const docs = await this.db.events.findByIds([...this.#pending]).exec();
    return [...docs.values()]
      .map((d) => strip(d.toJSON()))
      .sort((a, b) => a.deviceSeq - b.deviceSeq);
  }

  /** Counts for the sync indicator. */
  async status(): Promise<TillStatus> {
    const pending = await this.unsynced();
    const receipts = await this.db.receipts.find({ selector: { status: 'quarantined' } }).exec();
    const sync = this.#replication?.status$.value ?? {
      pulled: 0,
      head: 0,
      online: false,
      syncing: false,
      lastSyncAt: undefined,
      offlineSince: undefined,
      lastError: undefined,
    };
    return {
      ...sync,
      unsynced: this.#noteBacklog(
        pending.filter((e) => !receipts.some((r) => r.id === e.id)).length,
      ),
      oldestUnsyncedAt: pending[0]?.at,
      quarantined: receipts.length,
      clockSkewMs: this.transport.clockReading?.skewMs,
      clockFlagged: Math.abs(this.transport.clockReading?.skewMs ?? 0) > MAX_TOLERATED_SKEW_MS,
    };
  }

  #noteBacklog(count: number): number {
    this.transport.reportBacklog(count);
    return count;
  }

  /** Every unacknowledged event as a JSON file the server can import (`POST /api/v1/import`). */
  async exportUnsynced(): Promise<string> {
    const events = await this.unsynced();
    return JSON.stringify({
      format: 'smartkirana-events',
      version: 1,
      shopId: this.credential.shopId,
      deviceId: this.credential.deviceId,
      exportedAt: Date.now(),
      events,
    });
  }

  /** Ask the browser to keep this origin's storage; report usage. */
  async storage(): Promise<{ persisted: boolean; usage?: number; quota?: number }> {
    const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
    if (!storage) return { persisted: false };
    const persisted = (await storage.persisted()) || (await storage.persist());
    const { usage, quota } = await storage.estimate();
    return {
      persisted,
      ...(usage !== undefined ? { usage } : {}),
      ...(quota !== undefined ? { quota } : {}),
    };
  }

  /** Record events as the signed-in person (used by the commands). */
  async record(build: Parameters<LocalWriter['append']>[1]): Promise<DomainEvent[]> {
    const actor = this.#actor;
    if (!actor) throw new Error('sign in first');
    const events = await this.#writer.append(actor, build);
    for (const e of events) this.#pending.add(e.id);
    this.version$.next(this.version$.value + 1);
    return events;
  }

  /** Stop syncing and close the database. */
  async close(): Promise<void> {
    for (const s of this.#subs) s.unsubscribe();
    this.#incoming.stop();
    await this.#replication?.stop();
    this.#replication = undefined;
    await this.db.close();
    this.version$.complete();
  }

  async #load(): Promise<void> {
    // Fold what is stored, page by page, then follow the collection for pulled events.
    let skip = 0;
    for (;;) {
      const docs = await this.db.events.find({ sort: [{ id: 'asc' }], skip, limit: PAGE }).exec();
      if (docs.length === 0) break;
      this.projection.apply(docs.map((d) => strip(d.toJSON())));
      skip += docs.length;
      if (docs.length < PAGE) break;
    }
    this.projection.drainChanges();
    await this.#loadPending();
    this.#subs.push(
      this.db.receipts.eventBulks$.subscribe((bulk) => {
        for (const e of bulk.events)
          if (acknowledged((e.documentData as ReceiptDoc).status))
            this.#pending.delete(e.documentId);
      }),
      this.db.events.eventBulks$.subscribe((bulk) => {
        // Own events written here or by another tab: pending until a receipt says otherwise.
        const own = bulk.events.filter(
          (e) =>
            e.operation === 'INSERT' &&
            (e.documentData as EventDoc).deviceId === this.credential.deviceId,
        );
        // The till may close while this runs; the pending set then no longer matters.
        if (own.length > 0)
          this.#addPending(own.map((e) => e.documentId)).catch((err: unknown) => {
            if (!this.db.closed) throw err;
          });
        const fresh = bulk.events
          .filter((e) => e.operation === 'INSERT' && !this.projection.has(e.documentId))
          .map((e) => strip(e.documentData as EventDoc));
        if (fresh.length > 0) this.#incoming.add(fresh);
      }),
    );
    this.version$.next(this.version$.value + 1);
  }

  async #loadPending(): Promise<void> {
    const own = await this.db.events
      .find({ selector: { deviceId: this.credential.deviceId } })
      .exec();
    await this.#addPending(own.map((d) => d.id));
  }

  async #addPending(ids: readonly string[]): Promise<void> {
    const receipts = await this.db.receipts.findByIds([...ids]).exec();
    for (const id of ids) if (!acknowledged(receipts.get(id)?.status)) this.#pending.add(id);
  }
}

function acknowledged(status: string | undefined): boolean {
  return status === 'accepted' || status === 'duplicate';
}

/** An event without RxDB's bookkeeping fields. */
export function strip(doc: EventDoc | Record<string, unknown>): DomainEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  return out as unknown as DomainEvent;
}
