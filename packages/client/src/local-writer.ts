/**
 * Appending this till's own events. Under the device lock: the next device sequence and invoice
 * numbers are read from the database itself (so another tab's writes count), the hybrid clock moves
 * past everything the till has seen, every event is validated with the domain schemas, and the
 * events are written in one insert. A sale and its invoice number are one document, so the number
 * is allocated in the same local write as the sale (BRIEF invariant 5).
 */
import {
  decodeEvent,
  type DomainEvent,
  type EventType,
  type PayloadOf,
} from '@smartkirana/domain/events';
import {
  decodeHlc,
  encodeHlc,
  HLC_ZERO,
  receiveHlc,
  tickHlc,
  type Hlc,
} from '@smartkirana/domain/hlc';
import { newId } from '@smartkirana/domain/ids';
import {
  allocateNumber,
  parseInvoiceNumber,
  type SeriesCounter,
  type SeriesKind,
} from '@smartkirana/domain/invoice-series';
import type { Role } from '@smartkirana/domain/event-fields';
import { mayRecordEvent } from '@smartkirana/domain/permissions';
import type { TillDatabase } from './database.ts';
import { DeviceLock } from './device-lock.ts';

export interface WriterIdentity {
  shopId: string;
  deviceId: string;
  code: string;
}

/** Where the writer's events go once written: the till's current projection. */
export interface WriterFolds {
  /** Largest canonical key the till has seen (its hybrid clock moves past it). */
  maxKey(): string;
  /** Fold events just written. */
  apply(events: DomainEvent[]): void;
}

/** A draft event: its type and payload; the writer fills the envelope. */
export interface Draft<T extends EventType = EventType> {
  type: T;
  payload: PayloadOf<T>;
}

/** What a builder may ask for while the lock is held. */
export interface AppendContext {
  /** The next number of this till's invoice or credit-note series for a document dated `day`. */
  allocate(kind: SeriesKind, day: string): Promise<string>;
}

/** The error a command throws when its event would not be valid; nothing is written. */
export class InvalidCommandError extends Error {
  readonly issues: unknown;
  constructor(message: string, issues: unknown) {
    super(message);
    this.name = 'InvalidCommandError';
    this.issues = issues;
  }
}

export class LocalWriter {
  readonly #db: TillDatabase;
  readonly #id: WriterIdentity;
  readonly #folds: WriterFolds;
  readonly #clock: () => number;
  readonly #lock: DeviceLock;
  #hlc: Hlc = HLC_ZERO;
  #known: Known | undefined;

  constructor(db: TillDatabase, identity: WriterIdentity, folds: WriterFolds, clock: () => number) {
    this.#db = db;
    this.#id = identity;
    this.#folds = folds;
    this.#clock = clock;
    this.#lock = new DeviceLock(`smartkirana:${identity.deviceId}`);
  }

  /** Finish the append under way and let go of the device lock. */
  close(): Promise<void> {
    return this.#lock.close();
  }

  /** Append events built by `build` as `actorId`, atomically with their numbering. */
  async append(
    actor: { userId: string; role: Role },
    build: (ctx: AppendContext) => Promise<Draft[]> | Draft[],
  ): Promise<DomainEvent[]> {
    const actorId = actor.userId;
    return this.#lock.run(async (continued) => {
      // Holding the lock since the last append, this writer is the only one that wrote since.
      const known = continued && this.#known ? this.#known : await this.#catchUp();
      let seq = known.seq;
      const seen = this.#folds.maxKey().split('|')[0];
      if (seen) this.#hlc = receiveHlc(this.#hlc, decodeHlc(seen), this.#clock());
      const counters = new Map<SeriesKind, SeriesCounter | undefined>();
      const ctx: AppendContext = {
        allocate: async (kind, day) => {
          const counter = counters.has(kind)
            ? counters.get(kind)
            : await this.#lastNumber(known, kind);
          const { number, counter: next } = allocateNumber(counter, this.#id.code, kind, day);
          counters.set(kind, next);
          return number;
        },
      };
      const drafts = await build(ctx);
      const events = drafts.map((d) => {
        const at = this.#clock();
        this.#hlc = tickHlc(this.#hlc, at);
        seq += 1;
        const candidate = {
          id: newId({ msecs: at }),
          shopId: this.#id.shopId,
          deviceId: this.#id.deviceId,
          deviceSeq: seq,
          hlc: encodeHlc(this.#hlc),
          actorId,
          at,
          type: d.type,
          payload: d.payload,
        };
        const decoded = decodeEvent(candidate);
        if (!decoded.ok)
          throw new InvalidCommandError(
            `${d.type} is not valid: ${decoded.issues[0]?.message ?? ''}`,
            decoded.issues,
          );
        // The server would quarantine it anyway; refuse at the counter so nothing is written.
        if (!mayRecordEvent(actor.role, decoded.event)) {
          throw new InvalidCommandError(`a ${actor.role} may not record ${d.type}`, []);
        }
        return decoded.event;
      });
      if (events.length > 0) await this.#db.events.bulkInsert(events.map((e) => ({ ...e })));
      note(known, events);
      this.#folds.apply(events);
      return events;
    });
  }

  /**
   * Bring what this writer knows of its device's stored events up to date: the newest device
   * sequence, and the newest number of each series. The first time, the newest sequence is found
   * by probing the index; after that, only events stored since (by another tab, or pulled back
   * after a restore) are read. Nothing reads the device's whole history, so an append costs the
   * same with 10 or 100,000 of the till's own events stored.
   *
   * This relies on a device's own events reaching its database in device-sequence order: written
   * here under the lock, or pulled back in the server's order, which keeps each device's order.
   */
  async #catchUp(): Promise<Known> {
    const deviceId = this.#id.deviceId;
    if (!this.#known) {
      const last = await lastBySeq((from) =>
        this.#db.events
          .findOne({
            selector: { deviceId, deviceSeq: { $gte: from } },
            sort: [{ deviceId: 'asc' }, { deviceSeq: 'asc' }],
          })
          .exec(),
      );
      this.#known = { seq: last?.deviceSeq ?? 0, series: new Map() };
      if (last) this.#hlc = receiveHlc(this.#hlc, decodeHlc(last.hlc), this.#clock());
      return this.#known;
    }
    const known = this.#known;
    const newer = await this.#db.events
      .find({
        selector: { deviceId, deviceSeq: { $gt: known.seq } },
        sort: [{ deviceId: 'asc' }, { deviceSeq: 'asc' }],
      })
      .exec();
    const docs = newer.map((d) => d.toJSON() as DomainEvent);
    note(known, docs);
    const last = docs.at(-1);
    if (last) this.#hlc = receiveHlc(this.#hlc, decodeHlc(last.hlc), this.#clock());
    return known;
  }

  /** The last number this till issued in a series, from its own documents in the database. */
  async #lastNumber(known: Known, kind: SeriesKind): Promise<SeriesCounter | undefined> {
    if (known.series.has(kind)) return known.series.get(kind)?.counter;
    const deviceId = this.#id.deviceId;
    const type = seriesType(kind);
    const doc = await lastBySeq((from) =>
      this.#db.events
        .findOne({
          selector: { deviceId, type, deviceSeq: { $gte: from } },
          sort: [{ deviceId: 'asc' }, { type: 'asc' }, { deviceSeq: 'asc' }],
        })
        .exec(),
    );
    const newest = doc
      ? { deviceSeq: doc.deviceSeq, counter: counterOf(kind, doc.payload) }
      : undefined;
    known.series.set(kind, newest);
    return newest?.counter;
  }
}

/**
 * What a writer knows of its device's stored events: `seq` is the newest device sequence, and
 * `series` the newest document of each series (by device sequence) once it has been looked up.
 */
interface Known {
  seq: number;
  series: Map<SeriesKind, { deviceSeq: number; counter: SeriesCounter | undefined } | undefined>;
}

/** Fold events of this device, in device-sequence order, into what the writer knows. */
function note(known: Known, events: readonly DomainEvent[]): void {
  for (const e of events) {
    known.seq = Math.max(known.seq, e.deviceSeq);
    for (const kind of SERIES) {
      if (e.type !== seriesType(kind) || !known.series.has(kind)) continue;
      const current = known.series.get(kind);
      if (current && current.deviceSeq > e.deviceSeq) continue;
      known.series.set(kind, { deviceSeq: e.deviceSeq, counter: counterOf(kind, e.payload) });
    }
  }
}

const SERIES: readonly SeriesKind[] = ['invoice', 'credit-note'];

function seriesType(kind: SeriesKind): EventType {
  return kind === 'invoice' ? 'v1.SaleCompleted' : 'v1.SaleReturned';
}

/** The series counter a sale or return leaves behind (undefined if its number is not ours). */
function counterOf(kind: SeriesKind, payload: unknown): SeriesCounter | undefined {
  const p = payload as { invoiceNo?: string; creditNoteNo?: string };
  const parsed = parseInvoiceNumber((kind === 'invoice' ? p.invoiceNo : p.creditNoteNo) ?? '');
  return parsed ? { fy: parsed.fy, last: parsed.seq } : undefined;
}

/**
 * The document with the highest device sequence, found with `firstFrom(n)` (the document with the
 * lowest sequence ≥ n, or null) in O(log n) index probes: gallop up, then halve.
 */
async function lastBySeq<D extends { deviceSeq: number }>(
  firstFrom: (from: number) => Promise<D | null>,
): Promise<D | undefined> {
  let best = (await firstFrom(1)) ?? undefined;
  if (!best) return undefined;
  // Invariant: `best` exists at `best.deviceSeq`; nothing is stored at or above `hi` (once known).
  let hi = Infinity;
  for (;;) {
    const lo = best.deviceSeq + 1;
    if (lo >= hi) return best;
    const probe = hi === Infinity ? lo * 2 : Math.floor((lo + hi) / 2);
    const found = await firstFrom(probe);
    if (found) best = found;
    else if (probe === lo) return best;
    else hi = probe;
  }
}
