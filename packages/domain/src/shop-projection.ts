/**
 * The derivation of a shop's truth from its events: stock, the books, khata, GST and conflicts.
 *
 * `apply` takes events in any order and batching; duplicates (same id) are ignored. The result
 * depends only on the *set* of events applied (BRIEF invariant 3): catalogue data is last-writer-wins
 * by canonical key, money is summed, and everything that depends on order (moving-average cost,
 * counts, oversell) lives in per-product stock timelines that re-fold only their own tail when an
 * event arrives late. The projection owns its mutable state; it does no I/O.
 */
import { istHour } from './calendar.ts';
import type {
  CustomerRecord,
  DeviceRecord,
  OrderRecord,
  ProductRecord,
  ShopRecord,
  StaffRecord,
  SupplierRecord,
} from './catalog.ts';
import { canonicalKey } from './event-envelope.ts';
import type { DomainEvent, EventOfType } from './events.ts';
import type { RateStep } from './gst.ts';
import {
  businessDayOf,
  documentPostings,
  narrationOf,
  postDocument,
  type JournalEntry,
  type PostingSink,
} from './journal.ts';
import { LwwRecord, LwwTable } from './lww.ts';
import { parseInvoiceNumber } from './invoice-series.ts';
import { pricePerUnits } from './quantity.ts';
import {
  costPostings,
  postCost,
  StockTimeline,
  type MovementInput,
  type MovementOutcome,
} from './stock-timeline.ts';
import { PostingList } from './journal.ts';

export type SaleEvent = EventOfType<'v1.SaleCompleted'>;
export type ReturnEvent = EventOfType<'v1.SaleReturned'>;
export type ReceiptEvent = EventOfType<'v1.StockReceived'>;

/** What happened to each event handed to `apply`. */
export type ApplyResult = 'applied' | 'duplicate';

/** A party's running account line (khata or supplier): positive increases what is owed. */
export interface PartyEntry {
  key: string;
  eventId: string;
  day: string;
  /** `opening`: the balance a projection seed carried over from history it summarised. */
  kind: 'sale' | 'payment' | 'return' | 'purchase' | 'opening';
  /** Invoice or document reference. */
  ref: string;
  amount: number;
}

/** A price edit, kept to detect concurrent edits of one product. */
export interface PriceEdit {
  eventId: string;
  hlc: string;
  basedOn: string | null;
  key: string;
}

/** One sequence number seen from a device on a business day. */
export interface DayEvent {
  deviceId: string;
  deviceSeq: number;
  eventId: string;
  type: DomainEvent['type'];
}

export class ShopProjection {
  readonly shop = new LwwRecord<ShopRecord>();
  readonly products = new LwwTable<ProductRecord>();
  readonly customers = new LwwTable<CustomerRecord>();
  readonly suppliers = new LwwTable<SupplierRecord>();
  readonly staff = new LwwTable<StaffRecord>();
  readonly devices = new LwwTable<DeviceRecord>();
  readonly orders = new LwwTable<OrderRecord>();
  /** Effective-dated GST rates per product: product → from-date → (rate, writer key). */
  readonly rates = new Map<string, Map<string, { rateBps: number; key: string }>>();
  readonly priceEdits = new Map<string, PriceEdit[]>();
  readonly timelines = new Map<string, StockTimeline>();
  /** Net balance (debit − credit) per business day per account. */
  readonly balances = new Map<string, Map<string, number>>();
  readonly sales = new Map<string, SaleEvent>();
  readonly salesByDay = new Map<string, Set<string>>();
  /** Sale id → ids of the void events for it (a sale with any void is cancelled). */
  readonly voids = new Map<string, Set<string>>();
  readonly returns = new Map<string, ReturnEvent>();
  readonly returnsBySale = new Map<string, Set<string>>();
  readonly returnsByDay = new Map<string, Set<string>>();
  readonly receipts = new Map<string, ReceiptEvent>();
  readonly receiptsByProduct = new Map<string, Set<string>>();
  readonly khata = new Map<string, PartyEntry[]>();
  readonly payables = new Map<string, PartyEntry[]>();
  /** Device → sequence numbers seen (for gap detection). */
  readonly deviceSeqs = new Map<string, Set<number>>();
  /** Invoice series `prefix/fy` → sequence → ids of the documents carrying that number. */
  readonly series = new Map<string, Map<number, string[]>>();
  /** Series → the sequence numbers of it carried by more than one document (a conflict each). */
  readonly sharedNumbers = new Map<string, Set<number>>();
  readonly dayCloses = new Map<string, Map<string, number>>();
  readonly dayEvents = new Map<string, DayEvent[]>();
  readonly acknowledged = new Map<string, { eventId: string; note: string; key: string }>();
  /** Conflicts named in the `resolves` field of an adjustment or count: the earliest such event. */
  readonly resolutions = new Map<string, { eventId: string; key: string }>();
  readonly attendance = new Map<string, { key: string; at: number; kind: 'in' | 'out' }[]>();
  readonly tillSessions = new Map<
    string,
    {
      deviceId: string;
      day: string;
      opened?: EventOfType<'v1.TillOpened'>;
      closed?: EventOfType<'v1.TillClosed'>;
    }
  >();
  readonly #seen = new Set<string>();
  readonly #dirty = new Set<StockTimeline>();
  #changes: ProjectionChanges = emptyChanges();
  #maxKey = '';
  #seeded: { events: number } | undefined;

  /**
   * Set when the projection started from a seed (`projection-seed.ts`) rather than from no events:
   * how many events of history the seed summarised. Event-level detail before it is missing.
   */
  get seeded(): { events: number } | undefined {
    return this.#seeded;
  }

  /** Start from a seed's summary of earlier history (on an empty projection, before any event). */
  startFrom(seed: { events: number; maxKey: string }): void {
    if (this.#seen.size > 0) throw new Error('a projection can only start from a seed when empty');
    this.#seeded = { events: seed.events };
    if (seed.maxKey > this.#maxKey) this.#maxKey = seed.maxKey;
  }

  /** Number of distinct events applied. */
  get size(): number {
    return this.#seen.size;
  }

  /** Largest canonical key applied so far. */
  get maxKey(): string {
    return this.#maxKey;
  }

  /** Whether an event id has been applied. */
  has(eventId: string): boolean {
    return this.#seen.has(eventId);
  }

  /**
   * Fold events in. Any order, any batching, duplicates allowed: the resulting state depends only on
   * the set of distinct events ever applied.
   */
  apply(events: Iterable<DomainEvent>): ApplyResult[] {
    const results: ApplyResult[] = [];
    const fresh: DomainEvent[] = [];
    for (const e of events) {
      if (this.#seen.has(e.id)) {
        results.push('duplicate');
        continue;
      }
      this.#seen.add(e.id);
      fresh.push(e);
      results.push('applied');
    }
    for (const e of fresh) this.#applyOne(e);
    for (const timeline of this.#dirty) {
      timeline.settle(this.#onOutcome);
      this.#changes.products.add(timeline.productId);
    }
    this.#dirty.clear();
    return results;
  }

  /** The stock timeline of a product (created empty on first use). */
  timeline(productId: string): StockTimeline {
    let t = this.timelines.get(productId);
    if (!t) {
      t = new StockTimeline(productId);
      this.timelines.set(productId, t);
    }
    return t;
  }

  /** Whether a sale has been cancelled by a void. */
  isVoided(saleId: string): boolean {
    return (this.voids.get(saleId)?.size ?? 0) > 0;
  }

  /** The GST rate schedule of a product, oldest step first. */
  rateSchedule(productId: string): RateStep[] {
    const steps = [...(this.rates.get(productId) ?? new Map<string, { rateBps: number }>())];
    return steps
      .map(([from, { rateBps }]) => ({ from, rateBps }))
      .sort((a, b) => (a.from < b.from ? -1 : 1));
  }

  /**
   * The full journal entry of an event as the books hold it now: the document part plus the cost part
   * from the stock timelines. A voided sale and its void have no entry.
   */
  journalFor(event: DomainEvent): JournalEntry {
    const list = new PostingList();
    const voided = event.type === 'v1.SaleCompleted' && this.isVoided(event.id);
    if (!voided) for (const p of documentPostings(event)) list.add(p.account, p.amount);
    for (const [productId, line] of movementRefs(event)) {
      const m = this.timelines.get(productId)?.find(event.id, line);
      if (m) for (const p of costPostings(m, m.outcome)) list.add(p.account, p.amount);
    }
    return {
      eventId: event.id,
      type: event.type,
      day: businessDayOf(event),
      narration: narrationOf(event),
      postings: list.postings(),
    };
  }

  #onOutcome = (
    m: MovementInput,
    before: MovementOutcome | undefined,
    after: MovementOutcome | undefined,
  ): void => {
    if (before) postCost(m, before, this.#postingsOn(m.day, -1));
    if (after) postCost(m, after, this.#postingsOn(m.day, 1));
  };

  /**
   * What changed since the last call: the (day, account) balances, products, khata customers and
   * suppliers touched. A store that keeps derived rows rewrites exactly these.
   */
  drainChanges(): ProjectionChanges {
    const out = { ...this.#changes };
    this.#changes = emptyChanges();
    return out;
  }

  /** Post an event's document entry on `day` (sign 1) or retract it (sign −1). */
  #postDocument(e: DomainEvent, day: string, sign: 1 | -1): void {
    postDocument(e, this.#postingsOn(day, sign));
  }

  // The posting sink below writes into the day and sign chosen by `#postingsOn` (one sink, no
  // closure per posting: the fold posts several times per event).
  #sinkDay: Map<string, number> = new Map();
  #sinkTouched: Set<string> = new Set();
  #sinkSign: 1 | -1 = 1;

  #postingsOn(day: string, sign: 1 | -1): PostingSink {
    let byAccount = this.balances.get(day);
    if (!byAccount) {
      byAccount = new Map();
      this.balances.set(day, byAccount);
    }
    let touched = this.#changes.balances.get(day);
    if (!touched) {
      touched = new Set();
      this.#changes.balances.set(day, touched);
    }
    this.#sinkDay = byAccount;
    this.#sinkTouched = touched;
    this.#sinkSign = sign;
    return this.#sink;
  }

  readonly #sink: PostingSink = (account, amount) => {
    if (amount === 0) return;
    const byAccount = this.#sinkDay;
    this.#sinkTouched.add(account);
    const next = (byAccount.get(account) ?? 0) + this.#sinkSign * amount;
    // Beyond this sums stop being exact: the ingest holds the event back (`out_of_range`).
    if (!Number.isSafeInteger(next)) throw new RangeError(`balance of ${account} out of range`);
    if (next === 0) byAccount.delete(account);
    else byAccount.set(account, next);
  };

  #move(
    productId: string,
    line: number,
    kind: MovementInput['kind'],
    qty: number,
    e: DomainEvent,
    key: string,
    day: string,
    extra?: Pick<MovementInput, 'value' | 'ref' | 'itcRateBps'>,
  ): void {
    const t = this.timeline(productId);
    t.insert({
      key,
      eventId: e.id,
      line,
      day,
      kind,
      qty,
      value: extra?.value,
      ref: extra?.ref,
      itcRateBps: extra?.itcRateBps,
    });
    this.#dirty.add(t);
  }

  #applyOne(e: DomainEvent): void {
    const key = canonicalKey(e);
    if (key > this.#maxKey) this.#maxKey = key;
    const day = businessDayOf(e);
    addTo(this.deviceSeqs, e.deviceId, e.deviceSeq);
    pushTo(this.dayEvents, day, {
      deviceId: e.deviceId,
      deviceSeq: e.deviceSeq,
      eventId: e.id,
      type: e.type,
    });
    switch (e.type) {
      case 'v1.ShopConfigured':
        this.shop.write(e.payload, key);
        break;
      case 'v1.DeviceEnrolled': {
        const { deviceId, ...rest } = e.payload;
        this.devices.write(deviceId, { ...rest, revoked: false }, key);
        break;
      }
      case 'v1.DeviceRevoked':
        this.devices.write(e.payload.deviceId, { revoked: true }, key);
        break;
      case 'v1.StaffAdded': {
        const { userId, ...rest } = e.payload;
        this.staff.write(userId, { ...rest, removed: false }, key);
        break;
      }
      case 'v1.StaffRemoved':
        this.staff.write(e.payload.userId, { removed: true }, key);
        break;
      case 'v1.StaffClockedIn':
      case 'v1.StaffClockedOut':
        pushTo(this.attendance, e.payload.userId, {
          key,
          at: e.at,
          kind: e.type === 'v1.StaffClockedIn' ? 'in' : 'out',
        });
        break;
      case 'v1.ProductCreated': {
        const { productId, gst, ...fields } = e.payload;
        this.products.write(productId, { ...fields, created: true }, key);
        for (const step of gst) this.#scheduleRate(productId, step, key);
        const t = this.timeline(productId);
        t.setPricePer(pricePerUnits(fields.unit));
        this.#dirty.add(t);
        this.#move(productId, 0, 'cost', 0, e, key, day, { value: fields.costPrice });
        break;
      }
      case 'v1.ProductUpdated':
        this.products.write(e.payload.productId, e.payload.changes, key);
        break;
      case 'v1.PriceChanged': {
        const { productId, basedOn, ...prices } = e.payload;
        this.products.write(productId, prices, key);
        this.#addPriceEdit(productId, { eventId: e.id, hlc: e.hlc, basedOn, key });
        // A new cost price values stock sold when none is on hand and no average is known yet.
        if (prices.costPrice !== undefined) {
          this.#move(productId, 0, 'cost', 0, e, key, day, { value: prices.costPrice });
        }
        break;
      }
      case 'v1.TaxRateScheduled':
        this.#scheduleRate(e.payload.productId, e.payload.step, key);
        break;
      case 'v1.ProductDiscontinued':
        this.products.write(e.payload.productId, { discontinued: true }, key);
        break;
      case 'v1.CustomerCreated': {
        this.customers.write(e.payload.customerId, { ...e.payload, created: true }, key);
        break;
      }
      case 'v1.CustomerUpdated':
        this.customers.write(e.payload.customerId, e.payload.changes, key);
        break;
      case 'v1.SupplierCreated':
        this.suppliers.write(e.payload.supplierId, { ...e.payload, created: true }, key);
        break;
      case 'v1.SupplierUpdated':
        this.suppliers.write(e.payload.supplierId, e.payload.changes, key);
        break;
      case 'v1.OrderPlaced':
        this.orders.write(e.payload.orderId, { placed: { ...e.payload, day } }, key);
        break;
      case 'v1.OrderStatusChanged':
        this.orders.write(e.payload.orderId, { status: e.payload.status }, key);
        break;
      case 'v1.SaleCompleted':
        this.#applySale(e, key, day);
        break;
      case 'v1.SaleVoided':
        this.#applyVoid(e);
        break;
      case 'v1.SaleReturned': {
        this.returns.set(e.id, e);
        addTo(this.returnsBySale, e.payload.saleId, e.id);
        addTo(this.returnsByDay, day, e.id);
        this.#indexNumber(e.payload.creditNoteNo, e.id);
        this.#postDocument(e, day, 1);
        for (const l of e.payload.lines) {
          if (l.restock)
            this.#move(l.productId, l.line, 'return', l.qty, e, key, day, {
              ref: { eventId: e.payload.saleId, line: l.line },
            });
        }
        const khata = e.payload.refunds
          .filter((r) => r.mode === 'khata')
          .reduce((s, r) => s + r.amount, 0);
        if (khata > 0 && e.payload.customerId) {
          this.#changes.khata.add(e.payload.customerId);
          pushTo(this.khata, e.payload.customerId, {
            key,
            eventId: e.id,
            day,
            kind: 'return',
            ref: e.payload.creditNoteNo,
            amount: -khata,
          });
        }
        break;
      }
      case 'v1.StockReceived': {
        this.receipts.set(e.id, e);
        this.#postDocument(e, day, 1);
        e.payload.lines.forEach((l, line) => {
          const tax = l.cgst + l.sgst + l.igst;
          const value = l.taxable + (e.payload.itcEligible ? 0 : tax);
          this.#move(l.productId, line, 'receipt', l.qty, e, key, day, { value });
          addTo(this.receiptsByProduct, l.productId, e.id);
        });
        if (e.payload.paidBy === 'credit' && e.payload.supplierId) {
          this.#changes.payables.add(e.payload.supplierId);
          pushTo(this.payables, e.payload.supplierId, {
            key,
            eventId: e.id,
            day,
            kind: 'purchase',
            ref: e.payload.supplierInvoiceNo ?? e.id,
            amount: e.payload.total,
          });
        }
        break;
      }
      case 'v1.StockAdjusted':
        this.#move(e.payload.productId, 0, 'adjust', e.payload.qtyDelta, e, key, day, {
          itcRateBps: e.payload.rateBps,
        });
        this.#resolve(e.payload.resolves, e.id, key);
        break;
      case 'v1.StockCounted':
        this.#move(e.payload.productId, 0, 'count', e.payload.countedQty, e, key, day, {
          itcRateBps: e.payload.rateBps,
        });
        this.#resolve(e.payload.resolves, e.id, key);
        break;
      case 'v1.KhataPaymentReceived':
        this.#postDocument(e, day, 1);
        this.#changes.khata.add(e.payload.customerId);
        pushTo(this.khata, e.payload.customerId, {
          key,
          eventId: e.id,
          day,
          kind: 'payment',
          ref: e.payload.mode,
          amount: -e.payload.amount,
        });
        break;
      case 'v1.SupplierPaid':
        this.#postDocument(e, day, 1);
        this.#changes.payables.add(e.payload.supplierId);
        pushTo(this.payables, e.payload.supplierId, {
          key,
          eventId: e.id,
          day,
          kind: 'payment',
          ref: e.payload.mode,
          amount: -e.payload.amount,
        });
        break;
      case 'v1.ExpenseRecorded':
      case 'v1.CashMoved':
      case 'v1.OwnerFundsMoved':
        this.#postDocument(e, day, 1);
        break;
      case 'v1.TillOpened':
      case 'v1.TillClosed': {
        this.#postDocument(e, day, 1);
        const id = `${e.deviceId}|${e.payload.businessDay}`;
        const session = this.tillSessions.get(id) ?? {
          deviceId: e.deviceId,
          day: e.payload.businessDay,
        };
        if (e.type === 'v1.TillOpened') session.opened = pickEarlier(session.opened, e);
        else session.closed = pickLater(session.closed, e);
        this.tillSessions.set(id, session);
        break;
      }
      case 'v1.DayClosed': {
        const marks = this.dayCloses.get(e.payload.businessDay) ?? new Map<string, number>();
        for (const [device, seq] of Object.entries(e.payload.watermark))
          marks.set(device, Math.max(marks.get(device) ?? 0, seq));
        // The closing device's own events up to this one are inside the close.
        marks.set(e.deviceId, Math.max(marks.get(e.deviceId) ?? 0, e.deviceSeq));
        this.dayCloses.set(e.payload.businessDay, marks);
        break;
      }
      case 'v1.ConflictAcknowledged': {
        const prev = this.acknowledged.get(e.payload.conflictId);
        if (!prev || prev.key < key)
          this.acknowledged.set(e.payload.conflictId, { eventId: e.id, note: e.payload.note, key });
        break;
      }
    }
  }

  #applySale(e: SaleEvent, key: string, day: string): void {
    this.sales.set(e.id, e);
    addTo(this.salesByDay, day, e.id);
    this.#indexNumber(e.payload.invoiceNo, e.id);
    if (this.isVoided(e.id)) return;
    this.#postSale(e, key, day, 1);
  }

  #applyVoid(e: EventOfType<'v1.SaleVoided'>): void {
    const saleId = e.payload.saleId;
    const wasVoided = this.isVoided(saleId);
    addTo(this.voids, saleId, e.id);
    const sale = this.sales.get(saleId);
    if (wasVoided || !sale) return;
    this.#postSale(sale, canonicalKey(sale), businessDayOf(sale), -1);
  }

  /** Post (sign 1) or retract (sign −1) a sale's document entry, stock movements and khata line. */
  #postSale(e: SaleEvent, key: string, day: string, sign: 1 | -1): void {
    this.#postDocument(e, day, sign);
    const productIds = new Set<string>();
    e.payload.lines.forEach((l, line) => {
      productIds.add(l.productId);
      if (sign === 1) this.#move(l.productId, line, 'sale', l.qty, e, key, day);
    });
    if (sign === -1) {
      for (const productId of productIds) {
        const t = this.timeline(productId);
        t.removeEvent(e.id, this.#onOutcome);
        this.#dirty.add(t);
      }
    }
    const khata = e.payload.payments
      .filter((p) => p.mode === 'khata')
      .reduce((s, p) => s + p.amount, 0);
    const customerId = e.payload.customerId;
    if (khata > 0 && customerId) {
      this.#changes.khata.add(customerId);
      if (sign === 1) {
        pushTo(this.khata, customerId, {
          key,
          eventId: e.id,
          day,
          kind: 'sale',
          ref: e.payload.invoiceNo,
          amount: khata,
        });
      } else {
        const rest = (this.khata.get(customerId) ?? []).filter((x) => x.eventId !== e.id);
        if (rest.length > 0) this.khata.set(customerId, rest);
        else this.khata.delete(customerId);
      }
    }
  }

  #indexNumber(number: string, eventId: string): void {
    const parsed = parseInvoiceNumber(number);
    if (!parsed) return;
    const seriesId = `${parsed.prefix}/${parsed.fy}`;
    let bySeq = this.series.get(seriesId);
    if (!bySeq) {
      bySeq = new Map();
      this.series.set(seriesId, bySeq);
    }
    // Nearly every number is carried by one document: a list of exactly one (a list grown by
    // push from empty reserves room for 17, and a shop holds one per invoice).
    const ids = bySeq.get(parsed.seq);
    if (!ids) bySeq.set(parsed.seq, [eventId]);
    else {
      ids.push(eventId);
      ids.sort();
      addTo(this.sharedNumbers, seriesId, parsed.seq);
    }
  }

  #scheduleRate(productId: string, step: RateStep, key: string): void {
    let steps = this.rates.get(productId);
    if (!steps) {
      steps = new Map();
      this.rates.set(productId, steps);
    }
    const current = steps.get(step.from);
    if (!current || current.key < key) steps.set(step.from, { rateBps: step.rateBps, key });
  }

  #resolve(conflictIds: readonly string[] | undefined, eventId: string, key: string): void {
    for (const id of conflictIds ?? []) {
      const prev = this.resolutions.get(id);
      if (!prev || key < prev.key) this.resolutions.set(id, { eventId, key });
    }
  }

  #addPriceEdit(productId: string, edit: PriceEdit): void {
    pushTo(this.priceEdits, productId, edit);
  }
}

/** Keys of derived state touched since the last `drainChanges`. */
export interface ProjectionChanges {
  /** Business day → accounts whose balance on that day was posted to. */
  balances: Map<string, Set<string>>;
  products: Set<string>;
  khata: Set<string>;
  payables: Set<string>;
}

function emptyChanges(): ProjectionChanges {
  return { balances: new Map(), products: new Set(), khata: new Set(), payables: new Set() };
}

/** The (product, line) pairs of an event that move stock. */
export function movementRefs(event: DomainEvent): [string, number][] {
  switch (event.type) {
    case 'v1.SaleCompleted':
    case 'v1.StockReceived':
      return event.payload.lines.map((l, i) => [l.productId, i]);
    case 'v1.SaleReturned':
      return event.payload.lines.filter((l) => l.restock).map((l) => [l.productId, l.line]);
    case 'v1.StockAdjusted':
    case 'v1.StockCounted':
      return [[event.payload.productId, 0]];
    default:
      return [];
  }
}

/** IST hour of a sale by its device time (for the hourly chart). */
export function saleHour(e: SaleEvent): number {
  return istHour(e.at);
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pickEarlier<E extends DomainEvent>(a: E | undefined, b: E): E {
  return a && canonicalKey(a) < canonicalKey(b) ? a : b;
}

function pickLater<E extends DomainEvent>(a: E | undefined, b: E): E {
  return a && canonicalKey(a) > canonicalKey(b) ? a : b;
}
