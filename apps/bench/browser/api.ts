/**
 * What the benchmark pages offer the harness (as `globalThis.bench`): the till page opens a fresh
 * till on an enrolled device and times it until it can sell, and rings up sales on it timing each
 * commit; the raw page times plain Dexie `bulkPut`. Only plain data crosses between Node and a page.
 */

/** An enrolled till; the page talks to the server it was loaded from. */
export interface PageCredential {
  shopId: string;
  deviceId: string;
  code: string;
  secret: string;
}

export interface FreshTillInput {
  credential: PageCredential;
  /** Events in the shop's log when the till starts: its backfill is done once it holds them all. */
  expected: number;
  /** Who signs in at the counter (PIN checked locally against the synced staff list). */
  staff: { userId: string; pin: string };
  seed: number;
}

export interface FreshTillResult {
  /** Events folded into the till's projection once its history was complete. */
  folded: number;
  /** From `Till.open` to the open database with its (empty) projection. */
  openMs: number;
  /** From `Till.open` to every event of the log at the start stored in IndexedDB. */
  storedMs: number;
  /** From `Till.open` to the whole history folded (the seed, if any, left behind). */
  foldedMs: number;
  /** From `Till.open` to the cashier signed in. */
  signedInMs: number;
  /** From `Till.open` to the first sale committed: the till can sell. */
  readyMs: number;
  /** The till sold before its history was in (from the server's seed). */
  seeded: boolean;
  invoiceNo: string;
}

export interface CommitInput {
  /** Timed sales. */
  sales: number;
  /** Sales rung up first and not timed. */
  warmup: number;
  /** Pause after each sale is acknowledged by the server, before the next customer. */
  gapMs: number;
  /** `counter`: the stock view the counter screen shows is live; `every`: all the till's views. */
  views: 'counter' | 'every';
  seed: number;
}

export interface CommitResult {
  /** Milliseconds per timed sale, from the call to `sell` until it resolves (the live views have
   * recomputed with the sale by then: they are checked after each sale). */
  samples: number[];
  /** Events stored in the till's replica after the last sale. */
  stored: number;
  firstInvoice: string;
  lastInvoice: string;
}

export interface BulkPutInput {
  credential: PageCredential;
  expected: number;
  /** Events per `bulkPut` call. */
  batch: number;
  /**
   * Then, on the raw page, time `count` sales written as a till commits one: a single `put` in a
   * transaction of its own, awaited, `gapMs` apart (the raw floor under a sale commit).
   */
  puts?: { count: number; gapMs: number };
}

export interface BulkPutResult {
  events: number;
  ms: number;
  /** Milliseconds per single-event `put`, when `puts` was asked for. */
  putSamples?: number[];
}

/** The till page (`index.html`). */
export interface TillPageApi {
  freshTill(input: FreshTillInput): Promise<FreshTillResult>;
  /** Ring up sales on the till `freshTill` opened. */
  commitSales(input: CommitInput): Promise<CommitResult>;
  closeTill(): Promise<void>;
  /**
   * Pull the shop's log (not timed), then time RxDB `bulkInsert` of it into a fresh till database
   * (the till's own schema and storage, no replication and no projection).
   */
  rxdbBulkInsert(input: BulkPutInput): Promise<BulkPutResult>;
  /** Log positions stored and events folded by the open till so far, and its last sync error. */
  progress(): Promise<{ stored: number; folded: number; error: string | null }>;
}

/** The raw baseline page (`raw.html`). */
export interface RawPageApi {
  /**
   * Pull the shop's log (not timed), then time raw Dexie `bulkPut` of it into a fresh database,
   * and, if asked, single-event `put`s into the database so filled.
   */
  rawBulkPut(input: BulkPutInput): Promise<BulkPutResult>;
}

export type BenchPageApi = TillPageApi & RawPageApi;
