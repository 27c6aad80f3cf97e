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
  type SeriesKind,
} from '@smartkirana/domain/invoice-series';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { Role } from '@smartkirana/domain/event-fields';
import { mayRecordEvent } from '@smartkirana/domain/permissions';
import type { TillDatabase } from './database.ts';
import { withDeviceLock } from './device-lock.ts';

export interface WriterIdentity {
  shopId: string;
  deviceId: string;
  code: string;
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
  readonly #projection: ShopProjection;
  readonly #clock: () => number;
  #hlc: Hlc = HLC_ZERO;

  constructor(
    db: TillDatabase,
    identity: WriterIdentity,
    projection: ShopProjection,
    clock: () => number,
  ) {
    this.#db = db;
    this.#id = identity;
    this.#projection = projection;
    this.#clock = clock;
  }

  /** Append events built by `build` as `actorId`, atomically with their numbering. */
  async append(
    actor: { userId: string; role: Role },
    build: (ctx: AppendContext) => Promise<Draft[]> | Draft[],
  ): Promise<DomainEvent[]> {
    const actorId = actor.userId;
    return withDeviceLock(`smartkirana:${this.#id.deviceId}`, async () => {
      const last = await this.#db.events
        .findOne({
          selector: { deviceId: this.#id.deviceId },
          sort: [{ deviceId: 'desc' }, { deviceSeq: 'desc' }],
        })
        .exec();
      let seq = last?.deviceSeq ?? 0;
      if (last) this.#hlc = receiveHlc(this.#hlc, decodeHlc(last.hlc), this.#clock());
      const seen = this.#projection.maxKey.split('|')[0];
      if (seen) this.#hlc = receiveHlc(this.#hlc, decodeHlc(seen), this.#clock());
      const counters = new Map<SeriesKind, { fy: string; last: number }>();
      const ctx: AppendContext = {
        allocate: async (kind, day) => {
          const counter = counters.get(kind) ?? (await this.#lastNumber(kind));
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
      this.#projection.apply(events);
      return events;
    });
  }

  /** The last number this till issued in a series, from its own documents in the database. */
  async #lastNumber(kind: SeriesKind): Promise<{ fy: string; last: number } | undefined> {
    const type = kind === 'invoice' ? 'v1.SaleCompleted' : 'v1.SaleReturned';
    const docs = await this.#db.events
      .find({
        selector: { deviceId: this.#id.deviceId, type },
        sort: [{ deviceId: 'desc' }, { type: 'desc' }, { deviceSeq: 'desc' }],
        limit: 1,
      })
      .exec();
    const doc = docs[0];
    if (!doc) return undefined;
    const payload = doc.payload as { invoiceNo?: string; creditNoteNo?: string };
    const parsed = parseInvoiceNumber(
      (kind === 'invoice' ? payload.invoiceNo : payload.creditNoteNo) ?? '',
    );
    return parsed ? { fy: parsed.fy, last: parsed.seq } : undefined;
  }
}
