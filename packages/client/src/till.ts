/**
 * The till runtime: a full replica of the shop's events in RxDB, the shop's projection folded from
 * it (confirmed and pending events alike, so a sale shows in stock the instant it is made), the
 * commands of the counter and stock room, staff sign-in by PIN with no network, replication with
 * the server, and the durability guardrails (persistent storage, unsynced count and export).
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import type { Role } from '@smartkirana/domain/event-fields';
import { MAX_TOLERATED_SKEW_MS } from '@smartkirana/domain/hlc';
import {
  projectionSeedSchema,
  seededProjection,
  type ProjectionSeed,
} from '@smartkirana/domain/projection-seed';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { argon2Verify } from 'hash-wasm';
import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import { openTillDatabase, type OpenOptions, type TillDatabase } from './database.ts';
import {
  chunkEvents,
  coverageOf,
  forwardTo,
  History,
  missing,
  type Coverage,
  type LogPage,
} from './history.ts';
import { IncomingFolds } from './incoming-folds.ts';
import { LocalWriter } from './local-writer.ts';
import { startReplication, type Replication, type SyncState } from './replication.ts';
import type { EventDoc, HistoryDoc, ReceiptDoc } from './schema.ts';
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

/** Events folded between yields to the page while a whole history is folded. */
const FOLD_SLICE = 2000;

/** How far the till's history has come (a fresh till sells from a seed before it is complete). */
export interface HistoryState {
  /** The projection started from the server's seed: history before it is still being filled in. */
  seeded: boolean;
  /** Every position of the shop's log up to the newest pulled is held and folded. */
  complete: boolean;
}

export class Till {
  readonly db: TillDatabase;
  readonly credential: TillCredential;
  /** Increments whenever the projection changes; views recompute from it. */
  readonly version$ = new BehaviorSubject(0);
  /** Where the till's history stands; a fresh till is ready to sell once `seeded` or `complete`. */
  readonly history$ = new BehaviorSubject<HistoryState>({ seeded: false, complete: false });
  /** Events from the server, as each page of them is stored in this till's history. */
  readonly received$ = new Subject<readonly DomainEvent[]>();
  readonly transport: Transport;
  readonly commands: TillCommands;
  readonly #history: History;
  readonly #writer: LocalWriter;
  readonly #subs: Subscription[] = [];
  #projection = new ShopProjection();
  /** Every event folded, by id: the projection keeps sales, returns and receipts, this the rest. */
  #byId = new Map<string, DomainEvent>();
  /** What the history holds of the log the till last pulled from. */
  #held: Coverage | undefined;
  /** Set while the projection is a seeded one: the log position the seed summarises. */
  #seedAt: number | undefined;
  /** Events folded while a full fold runs behind a seeded projection; they join it at the end. */
  #since: DomainEvent[] | undefined;
  #rebuilding: Promise<void> | undefined;
  /**
   * Ids of this till's events not yet acknowledged by the server. Kept up to date from the
   * collections' change streams, so the sync indicator (polled every few seconds) reads no history.
   */
  readonly #pending = new Set<string>();
  /** Work started from a collection event that close() must let finish before the database goes. */
  readonly #settling = new Set<Promise<void>>();
  #closing = false;
  /** Events from the server, folded into the projection in bulk (see `IncomingFolds`). */
  readonly #incoming = new IncomingFolds((events) => this.#fold(events));
  #replication: Replication | undefined;
  #actor: SignedIn | undefined;
  #fresh = false;
  readonly #opts: TillOptions;

  private constructor(db: TillDatabase, opts: TillOptions) {
    this.db = db;
    this.#opts = opts;
    this.credential = opts.credential;
    const clock = opts.clock ?? Date.now;
    this.transport = new Transport(opts.credential, opts.fetch, clock);
    this.#history = new History(db.history);
    this.#writer = new LocalWriter(
      db,
      opts.credential,
      {
        maxKey: () => this.#projection.maxKey,
        apply: (events) => this.#fold(events, false),
      },
      clock,
    );
    this.commands = new TillCommands(this, clock);
  }

  /**
   * The shop's derived state as this till knows it: every event it holds, folded. A fresh till's
   * is seeded (see `history$`) until its history is in, then the full fold replaces it.
   */
  get projection(): ShopProjection {
    return this.#projection;
  }

  /** Events by id, as far as this till holds them (in the order asked; unknown ids are left out). */
  events(ids: Iterable<string>): DomainEvent[] {
    const out: DomainEvent[] = [];
    for (const id of ids) {
      const e = this.#byId.get(id);
      if (e) out.push(e);
    }
    return out;
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
    this.#replication = startReplication(
      this.db,
      this.#history,
      this.transport,
      {
        held: this.#held,
        fresh: this.#fresh,
        onSeed: (seed, at, log) => this.#startFromSeed(seed, at, log),
        onPage: (page, backfill) => this.#stored(page, backfill),
        onComplete: () => this.#completed(),
      },
      {
        deviceId: this.credential.deviceId,
        live: this.#opts.live ?? true,
        multiInstance: this.#opts.multiInstance ?? false,
        ...(this.#opts.retryMs !== undefined ? { retryMs: this.#opts.retryMs } : {}),
      },
    );
    this.refreshStaff().catch(() => undefined);
  }

  /** Resolves once the till can sell: it holds its shop's catalogue (from a seed or the history). */
  async ready(): Promise<void> {
    await new Promise<void>((resolve) => {
      const sub = this.history$.subscribe((h) => {
        if (!h.seeded && !h.complete) return;
        resolve();
        queueMicrotask(() => sub.unsubscribe());
      });
    });
  }

  /** Resolves once the whole history is held and folded (no seed left behind). */
  async historyComplete(): Promise<void> {
    await new Promise<void>((resolve) => {
      const sub = this.history$.subscribe((h) => {
        if (!h.complete) return;
        resolve();
        queueMicrotask(() => sub.unsubscribe());
      });
    });
    await this.#rebuilding;
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

  /** How many of this till's events the server has not acknowledged (no storage read). */
  get unsyncedCount(): number {
    return this.#pending.size;
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
    this.#closing = true;
    for (const s of this.#subs) s.unsubscribe();
    this.#incoming.stop();
    await this.#replication?.stop();
    this.#replication = undefined;
    await this.#rebuilding?.catch(() => undefined);
    await Promise.all(this.#settling);
    await this.#writer.close();
    await this.db.close();
    this.version$.complete();
    this.history$.complete();
    this.received$.complete();
  }

  /**
   * Fold what is stored: the whole history and this till's own events, or (a fresh till that had
   * started from a seed and was closed before its history was in) the seed and what came after it.
   * Then follow the collections for what other tabs write.
   */
  async #load(): Promise<void> {
    const docs = await this.#history.all();
    const own = (await this.db.events.find().exec()).map((d) => strip(d.toJSON()));
    const log = currentLog(docs);
    this.#held = log === undefined ? undefined : coverageOf(log, docs);
    this.#fresh = docs.length === 0 && own.length === 0;
    const held = this.#held;
    const seedDoc = docs.find((d) => d.kind === 'seed' && d.log === log);
    const seed = seedDoc && held && !isComplete(held) ? parseSeed(seedDoc.body) : undefined;
    if (seed && held?.seedAt !== undefined) {
      const at = held.seedAt;
      this.#projection = seededProjection(seed);
      this.#seedAt = at;
      for (const doc of docs) if (doc.log === log) this.#fold(after(doc, at), false);
      this.#fold(await this.#ownAfter(own, at), false);
    } else {
      for (const doc of docs) {
        this.#fold(chunkEvents(doc), false);
        await yieldToPage();
      }
      this.#fold(own, false);
    }
    this.projection.drainChanges();
    this.#announce();
    await this.#loadPending();
    this.#subs.push(
      this.db.receipts.eventBulks$.subscribe((bulk) => {
        for (const e of bulk.events)
          if (acknowledged((e.documentData as ReceiptDoc).status))
            this.#pending.delete(e.documentId);
      }),
      this.db.events.eventBulks$.subscribe((bulk) => {
        // Own events written here or by another tab: pending until a receipt says otherwise.
        const inserted = bulk.events.filter(
          (e) =>
            e.operation === 'INSERT' &&
            (e.documentData as EventDoc).deviceId === this.credential.deviceId,
        );
        // close() waits for this; if the till is closing, the pending set no longer matters.
        if (inserted.length > 0) {
          const settling = this.#addPending(inserted.map((e) => e.documentId)).catch(
            (err: unknown) => {
              if (!this.#closing) throw err;
            },
          );
          this.#settling.add(settling);
          void settling.finally(() => this.#settling.delete(settling));
        }
        const fresh = bulk.events
          .filter((e) => e.operation === 'INSERT' && !this.projection.has(e.documentId))
          .map((e) => strip(e.documentData as EventDoc));
        if (fresh.length > 0) this.#incoming.add(fresh);
      }),
      // History another tab stored (this tab folds what it stores itself as it stores it).
      this.db.history.eventBulks$.subscribe((bulk) => {
        if (bulk.databaseToken === this.db.token) return;
        for (const e of bulk.events) this.#storedElsewhere(e.documentData as HistoryDoc);
      }),
    );
    this.version$.next(this.version$.value + 1);
  }

  /** Fold events into the projection (duplicates are skipped), and keep them findable by id. */
  #fold(events: readonly DomainEvent[], announce = true): void {
    if (events.length === 0) return;
    for (const e of events) if (!this.#byId.has(e.id)) this.#byId.set(e.id, e);
    const fresh = events.filter((e) => !this.#projection.has(e.id));
    if (fresh.length === 0) return;
    this.#projection.apply(fresh);
    this.#projection.drainChanges();
    this.#since?.push(...fresh);
    if (announce) this.version$.next(this.version$.value + 1);
  }

  /** A fresh till's first answer: sell from the seed while the history before it comes in. */
  async #startFromSeed(seed: ProjectionSeed, at: number, log: string): Promise<void> {
    const seeded = seededProjection(seed);
    // Whatever this till recorded before the seed arrived carries over, unless the seed has it.
    seeded.apply(await this.#ownAfter([...this.#byId.values()], at));
    seeded.drainChanges();
    this.#projection = seeded;
    this.#seedAt = at;
    this.#held = { log, runs: [], seedAt: at };
    this.#announce();
    this.version$.next(this.version$.value + 1);
  }

  /** A page this tab stored: fold it now, unless it lies before the seed the projection holds. */
  #stored(page: LogPage, backfill: boolean): void {
    this.#track(page.log, page.from, page.to);
    for (const e of page.events) if (!this.#byId.has(e.id)) this.#byId.set(e.id, e);
    this.received$.next(page.events);
    if (backfill && this.#seedAt !== undefined) return;
    this.#incoming.add(page.events);
  }

  /** A chunk or seed another tab stored. */
  #storedElsewhere(doc: HistoryDoc): void {
    if (doc.kind === 'seed') {
      const seed = this.#held ? undefined : parseSeed(doc.body);
      if (seed) void this.#startFromSeed(seed, doc.to, doc.log);
      return;
    }
    this.#track(doc.log, doc.from, doc.to);
    const at = this.#seedAt;
    const events = chunkEvents(doc);
    for (const e of events) if (!this.#byId.has(e.id)) this.#byId.set(e.id, e);
    this.received$.next(events);
    this.#incoming.add(at === undefined ? events : after(doc, at));
    if (this.#held && isComplete(this.#held)) this.#completed();
  }

  #track(log: string, from: number, to: number): void {
    const held =
      this.#held?.log === log
        ? this.#held
        : { log, runs: [], seedAt: undefined as number | undefined };
    this.#held = { ...held, runs: [...held.runs, [from, to] as [number, number]] };
    this.#held = coverageFromRuns(this.#held);
  }

  /** The history is complete: a seeded till folds all of it and leaves the seed behind. */
  #completed(): void {
    if (this.#seedAt === undefined) {
      this.#announce(true);
      return;
    }
    this.#rebuilding ??= this.#foldEverything()
      .catch(() => undefined)
      .finally(() => {
        this.#rebuilding = undefined;
      });
  }

  /**
   * Fold the whole stored history into a new projection, a slice at a time so the counter stays
   * responsive, then swap it in with whatever was folded into the seeded one meanwhile.
   */
  async #foldEverything(): Promise<void> {
    this.#since = [];
    const full = new ShopProjection();
    // The new projection's own copies replace the ones kept so far (one copy of each event).
    const byId = new Map<string, DomainEvent>();
    const fold = (events: readonly DomainEvent[]): void => {
      full.apply(events);
      for (const e of events) if (!byId.has(e.id)) byId.set(e.id, e);
    };
    for (const doc of await this.#history.all()) {
      const events = chunkEvents(doc);
      for (let i = 0; i < events.length; i += FOLD_SLICE) {
        if (this.db.closed) return;
        fold(events.slice(i, i + FOLD_SLICE));
        await yieldToPage();
      }
    }
    fold((await this.db.events.find().exec()).map((d) => strip(d.toJSON())));
    fold(this.#since);
    full.drainChanges();
    this.#since = undefined;
    this.#byId = byId;
    this.#projection = full;
    this.#seedAt = undefined;
    this.#announce(true);
    this.version$.next(this.version$.value + 1);
  }

  #announce(complete = this.#held !== undefined && isComplete(this.#held)): void {
    const state = { seeded: this.#seedAt !== undefined, complete: complete && !this.#seedAt };
    const now = this.history$.value;
    if (now.seeded !== state.seeded || now.complete !== state.complete) this.history$.next(state);
  }

  /** Own events not in the seed: those the server had not numbered at or before its position. */
  async #ownAfter(own: DomainEvent[], at: number): Promise<DomainEvent[]> {
    const receipts = await this.db.receipts.findByIds(own.map((e) => e.id)).exec();
    return own.filter((e) => {
      const seq = receipts.get(e.id)?.seq;
      return seq === undefined || seq > at;
    });
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

/** The log the till pulled from last: the seed's, else the one most of its history is from. */
function currentLog(docs: readonly HistoryDoc[]): string | undefined {
  const seed = docs.find((d) => d.kind === 'seed');
  if (seed) return seed.log;
  const held = new Map<string, number>();
  for (const d of docs) held.set(d.log, (held.get(d.log) ?? 0) + d.count);
  return [...held].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Whether every position from the first to the newest pulled is held. */
function isComplete(c: Coverage): boolean {
  return (
    missing(c, forwardTo(c)).length === 0 && (c.seedAt === undefined || forwardTo(c) >= c.seedAt)
  );
}

function coverageFromRuns(c: Coverage): Coverage {
  const runs: [number, number][] = [];
  for (const [from, to] of [...c.runs].sort((a, b) => a[0] - b[0])) {
    const last = runs.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else runs.push([from, to]);
  }
  return { ...c, runs };
}

/** The events of a chunk at positions after `at`. */
function after(doc: HistoryDoc, at: number): DomainEvent[] {
  if (doc.kind !== 'events' || doc.to <= at) return [];
  const events = chunkEvents(doc);
  return doc.from > at ? events : events.slice(at - doc.from + 1);
}

function parseSeed(body: string): ProjectionSeed | undefined {
  try {
    const parsed = projectionSeedSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Let the page paint between slices of a long fold. */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
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
