/**
 * The stock timeline of one product: its movements in canonical order, each with the state after it.
 *
 * Quantity on hand is a plain sum, but moving-average cost, physical counts ("the shelf has 12") and
 * oversell detection depend on order. Each movement's outcome is a pure function of the state before
 * it, so an event that arrives late (earlier in canonical order than ones already folded) is inserted
 * in place and only this product's tail is re-folded. Every movement whose effect on the books (the
 * quantity it moves, its cost) changes is reported, so the books can replace the old cost postings
 * with the new ones.
 */
import { MAX_AMOUNT, mulDiv, type Paise } from './money.ts';

/**
 * Largest stock quantity (base units) or value (paise) one product may reach: the bound of a single
 * amount, so sums over a shop's products and days stay exact.
 */
const MAX_STOCK_AMOUNT = MAX_AMOUNT;
import { PostingList, type Posting, type PostingSink } from './journal.ts';

export type MovementKind = 'cost' | 'sale' | 'return' | 'receipt' | 'adjust' | 'count';

/** What an event says about one product. */
export interface MovementInput {
  /** Canonical key of the event (`canonicalKey`). */
  key: string;
  eventId: string;
  /** Line of the event this movement comes from (0 for single-product events). */
  line: number;
  day: string;
  kind: MovementKind;
  /**
   * sale: units out; return, receipt: units in; adjust: signed change; count: the level counted;
   * cost: unused (0).
   */
  qty: number;
  /** receipt: value coming in; cost: the catalogue cost price per price unit (1 pc, 1 kg, 1 L). */
  value?: Paise | undefined;
  /** return: the sale line it reverses. */
  ref?: { eventId: string; line: number } | undefined;
  /** adjust / count: GST rate for reversing input tax credit on stock lost. */
  itcRateBps?: number | undefined;
}

/** The state of the product after a movement. */
export interface StockState {
  qty: number;
  value: Paise;
  /** Last positive (value, qty) pair: the average used when stock is zero or negative. */
  refValue: Paise;
  refQty: number;
  /** Catalogue cost price per `fallbackPer` units, used before any stock was ever valued. */
  fallbackValue: Paise;
  fallbackPer: number;
  /** Id of the oversell conflict open after this movement, if stock is below zero. */
  open: string | null;
}

/** What one movement did. */
export interface MovementOutcome {
  /** Signed change of quantity on hand. */
  delta: number;
  /** Value moved out of (sale, loss) or into (return, found) inventory at average cost. */
  cost: Paise;
  /** Receipt filling negative stock: difference between provisional and actual cost, to COGS. */
  variance: Paise;
  after: StockState;
}

export interface Movement extends MovementInput {
  outcome: MovementOutcome;
  /** The next movement of the same event in this timeline (another line of the same product). */
  sibling: Movement | undefined;
}

/**
 * Called for each movement whose effect on the books (quantity moved, cost, variance) appeared,
 * changed or disappeared during a re-fold. A movement whose state after it changed but whose
 * effect did not (an earlier sale inserted before it) is updated without a call.
 */
export type OutcomeListener = (
  movement: MovementInput,
  before: MovementOutcome | undefined,
  after: MovementOutcome | undefined,
) => void;

export const EMPTY_STOCK: StockState = {
  qty: 0,
  value: 0,
  refValue: 0,
  refQty: 0,
  fallbackValue: 0,
  fallbackPer: 1,
  open: null,
};

/** A product's movements in canonical order. */
export class StockTimeline {
  readonly productId: string;
  readonly #movements: Movement[] = [];
  /** Movements by event id; further lines of one event hang off the first as `sibling`s. */
  readonly #byEvent = new Map<string, Movement>();
  /** Return movements per sale line they reverse, for cumulative cost shares. */
  readonly #returnsOf = new Map<string, Movement[]>();
  /** Base units the catalogue cost price is quoted for (1, or 1000 for per kg / per L). */
  #pricePer = 1;
  /** Position from which the tail must be re-folded, or -1 when everything is folded. */
  #dirtyFrom = -1;
  /** The state before the first movement: empty, or what a seed says earlier history left. */
  #opening: StockState = EMPTY_STOCK;
  #revision = 0;

  constructor(productId: string) {
    this.productId = productId;
  }

  /** Current state (after the last movement). */
  get state(): StockState {
    return this.#movements.at(-1)?.outcome.after ?? this.#opening;
  }

  /** Base units a cost price is quoted for. */
  get pricePer(): number {
    return this.#pricePer;
  }

  /** The state before the first movement (empty unless the timeline was opened from a seed). */
  get opening(): StockState {
    return this.#opening;
  }

  /**
   * Start from a known state instead of empty stock: what the history a projection seed summarises
   * left behind. Movements folded afterwards continue from it.
   */
  open(state: StockState, pricePer: number): void {
    this.#opening = state;
    this.#pricePer = pricePer;
    if (this.#movements.length > 0) this.#markDirty(0);
  }

  /** Counts changes: what is read off the movements holds while it stays the same. */
  get revision(): number {
    return this.#revision;
  }

  /** Movements in canonical order, with outcomes. Call `settle` first after changes. */
  get movements(): readonly Movement[] {
    return this.#movements;
  }

  /** The movement of an event line, if present. */
  find(eventId: string, line: number): Movement | undefined {
    for (let m = this.#byEvent.get(eventId); m; m = m.sibling) if (m.line === line) return m;
    return undefined;
  }

  /** Set the base units a cost price covers (known once the product's creation is seen). */
  setPricePer(per: number): void {
    if (per === this.#pricePer) return;
    this.#pricePer = per;
    if (this.#movements.length > 0) this.#markDirty(0);
  }

  /** Insert a movement in canonical place. Folding is deferred to `settle`. */
  insert(input: MovementInput): void {
    const first = this.#byEvent.get(input.eventId);
    if (first && this.find(input.eventId, input.line)) return;
    // One shape for every movement (optional fields present as undefined) keeps the fold monomorphic.
    const movement: Movement = {
      key: input.key,
      eventId: input.eventId,
      line: input.line,
      day: input.day,
      kind: input.kind,
      qty: input.qty,
      value: input.value,
      ref: input.ref,
      itcRateBps: input.itcRateBps,
      outcome: PLACEHOLDER,
      sibling: undefined,
    };
    const last = this.#movements.at(-1);
    // Events mostly arrive in canonical order: appending is the common case.
    let at = this.#movements.length;
    if (!last || precedes(last, movement)) this.#movements.push(movement);
    else {
      at = this.#position(movement);
      this.#movements.splice(at, 0, movement);
    }
    if (first) {
      movement.sibling = first.sibling;
      first.sibling = movement;
    } else this.#byEvent.set(input.eventId, movement);
    if (input.kind === 'return' && input.ref) {
      const k = refKey(input.ref.eventId, input.ref.line);
      const list = this.#returnsOf.get(k);
      if (list) list.push(movement);
      else this.#returnsOf.set(k, [movement]);
    }
    this.#markDirty(at);
  }

  /** Remove every movement of an event (a voided sale), reporting the retracted outcomes. */
  removeEvent(eventId: string, listener: OutcomeListener): void {
    for (let m = this.#byEvent.get(eventId); m; m = m.sibling) {
      const at = this.#position(m);
      this.#movements.splice(at, 1);
      if (m.outcome !== PLACEHOLDER) listener(m, m.outcome, undefined);
      this.#markDirty(at);
    }
    this.#byEvent.delete(eventId);
  }

  /** Re-fold from the earliest change, reporting every outcome that differs from before. */
  settle(listener: OutcomeListener): void {
    if (this.#dirtyFrom < 0) return;
    let state = this.#movements[this.#dirtyFrom - 1]?.outcome.after ?? this.#opening;
    for (let i = this.#dirtyFrom; i < this.#movements.length; i++) {
      const m = this.#movements[i];
      if (!m) break;
      const next = this.#step(state, m);
      const before = m.outcome === PLACEHOLDER ? undefined : m.outcome;
      if (before && sameEffect(before, next)) {
        // A movement inserted earlier shifts every later state, but mostly leaves what the later
        // movements did (quantity moved, its cost) as it was: then only the state after it is
        // taken, and the books need not hear of it.
        before.after = next.after;
      } else {
        m.outcome = { ...next };
        listener(m, before, m.outcome);
      }
      state = m.outcome.after;
    }
    this.#dirtyFrom = -1;
    this.#revision += 1;
  }

  #markDirty(at: number): void {
    this.#revision += 1;
    this.#dirtyFrom = this.#dirtyFrom < 0 ? at : Math.min(this.#dirtyFrom, at);
  }

  /** Index of the first movement not before `m` in canonical order. */
  #position(m: Movement): number {
    let lo = 0;
    let hi = this.#movements.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#movements[mid];
      if (at && precedes(at, m)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * What `#step` computed last: one object written over at every step (a re-fold steps through a
   * product's whole tail; settle copies it only where a movement is new or its effect changed).
   */
  readonly #next: MovementOutcome = { delta: 0, cost: 0, variance: 0, after: EMPTY_STOCK };

  #step(s: StockState, m: Movement): MovementOutcome {
    switch (m.kind) {
      case 'cost':
        return this.#outcome(
          0,
          0,
          0,
          state(s.qty, s.value, s.refValue, s.refQty, m.value ?? 0, this.#pricePer, s.open),
        );
      case 'sale':
        return this.#out(s, m, m.qty);
      case 'receipt':
        return this.#in(s, m.qty, m.value ?? 0);
      case 'return': {
        const sold = m.ref ? this.find(m.ref.eventId, m.ref.line) : undefined;
        // Use the sale's cost only if the sale is earlier in canonical order (it always is unless a
        // device clock was badly wrong); otherwise the result would depend on arrival order.
        let value: Paise;
        if (sold && m.ref && sold.outcome !== PLACEHOLDER && precedes(sold, m)) {
          // Cumulative shares, like the refund itself: several partial returns never put back more
          // cost than the sale line took out.
          const ref = m.ref;
          const before = (this.#returnsOf.get(refKey(ref.eventId, ref.line)) ?? [])
            .filter((r) => precedes(r, m))
            .reduce((sum, r) => sum + r.qty, 0);
          value =
            mulDiv(sold.outcome.cost, before + m.qty, sold.qty) -
            mulDiv(sold.outcome.cost, before, sold.qty);
        } else value = averageValue(s, m.qty);
        return this.#in(s, m.qty, value);
      }
      case 'adjust':
        return m.qty < 0 ? this.#out(s, m, -m.qty) : this.#in(s, m.qty, averageValue(s, m.qty));
      case 'count': {
        const delta = m.qty - s.qty;
        if (delta < 0) return this.#out(s, m, -delta);
        return this.#in(s, delta, averageValue(s, delta));
      }
    }
  }

  #out(s: StockState, m: MovementInput, q: number): MovementOutcome {
    let cost: Paise;
    if (s.qty >= q && s.qty > 0) cost = mulDiv(s.value, q, s.qty);
    else if (s.qty > 0) cost = s.value + averageValue(s, q - s.qty);
    else cost = averageValue(s, q);
    const qty = safe(s.qty - q, 'quantity on hand');
    const value = qty === 0 ? 0 : s.value - cost;
    const open =
      qty >= 0 ? null : s.open === null ? `oversell:${this.productId}:${m.eventId}` : s.open;
    const after = withRef(s, qty, value, open);
    // Taking the last units leaves no value behind: whatever rounding left goes to the cost.
    if (qty === 0) cost = s.value;
    return this.#outcome(-q, cost, 0, after);
  }

  #in(s: StockState, q: number, v: Paise): MovementOutcome {
    const qty = safe(s.qty + q, 'quantity on hand');
    let value = safe(s.value + v, 'stock value');
    let variance = 0;
    if (s.qty < 0 && qty > 0) {
      // Units that filled negative stock were costed provisionally; the rest is valued at this
      // movement's own unit cost and the difference goes to cost of goods sold.
      const kept = mulDiv(v, qty, q);
      variance = value - kept;
      value = kept;
    } else if (qty === 0) {
      variance = value;
      value = 0;
    }
    return this.#outcome(q, v, variance, withRef(s, qty, value, qty >= 0 ? null : s.open));
  }

  #outcome(delta: number, cost: Paise, variance: Paise, after: StockState): MovementOutcome {
    const o = this.#next;
    o.delta = delta;
    o.cost = cost;
    o.variance = variance;
    o.after = after;
    return o;
  }
}

/**
 * The cost part of a movement's journal entry (see `journal.ts`). Stock moved out is valued at moving
 * average; a loss also reverses the input tax credit claimed on it.
 */
export function costPostings(m: MovementInput, o: MovementOutcome): Posting[] {
  const out = new PostingList();
  postCost(m, o, (account, amount) => out.add(account, amount));
  return out.postings();
}

/** `costPostings` without building the list: each posting goes straight to `add`. */
export function postCost(m: MovementInput, o: MovementOutcome, add: PostingSink): void {
  switch (m.kind) {
    case 'sale':
      add('cogs', o.cost);
      add('inventory', -o.cost);
      break;
    case 'return':
      add('inventory', o.cost);
      add('cogs', -o.cost);
      break;
    case 'receipt':
      break;
    case 'adjust':
    case 'count':
      if (o.delta < 0) {
        const itc = mulDiv(o.cost, m.itcRateBps ?? 0, 10_000);
        const cgst = mulDiv(itc, 1, 2);
        add('stock-loss', o.cost + itc);
        add('inventory', -o.cost);
        add('in-cgst', -cgst);
        add('in-sgst', -(itc - cgst));
      } else if (o.delta > 0) {
        add('inventory', o.cost);
        add('stock-loss', -o.cost);
      }
      break;
    case 'cost':
      break;
  }
  if (o.variance !== 0) {
    add('cogs', o.variance);
    add('inventory', -o.variance);
  }
}

/** Value of `q` units at the current average, else the last known average, else catalogue cost. */
function averageValue(s: StockState, q: number): Paise {
  if (s.qty > 0) return mulDiv(s.value, q, s.qty);
  if (s.refQty > 0) return mulDiv(s.refValue, q, s.refQty);
  return mulDiv(s.fallbackValue, q, s.fallbackPer);
}

/** The state after a movement to (`qty`, `value`): a positive level becomes the reference average. */
function withRef(s: StockState, qty: number, value: Paise, open: string | null): StockState {
  return qty > 0
    ? state(qty, value, value, qty, s.fallbackValue, s.fallbackPer, open)
    : state(qty, value, s.refValue, s.refQty, s.fallbackValue, s.fallbackPer, open);
}

function state(
  qty: number,
  value: Paise,
  refValue: Paise,
  refQty: number,
  fallbackValue: Paise,
  fallbackPer: number,
  open: string | null,
): StockState {
  return { qty, value, refValue, refQty, fallbackValue, fallbackPer, open };
}

/** Whether two outcomes move the same quantity and post the same amounts (`postCost`). */
function sameEffect(a: MovementOutcome, b: MovementOutcome): boolean {
  return a.delta === b.delta && a.cost === b.cost && a.variance === b.variance;
}

/**
 * A quantity or value the books can hold exactly. Beyond 2^53 sums stop being exact; throwing
 * RangeError here makes the ingest hold the event back (`out_of_range`) instead of recording a log
 * that no longer folds into readable books.
 */
function safe(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_STOCK_AMOUNT)
    throw new RangeError(`${what} out of range: ${n}`);
  return n;
}

function refKey(eventId: string, line: number): string {
  return `${eventId}#${line}`;
}

/** Canonical order of movements: the event's canonical key, then its line. */
function precedes(a: MovementInput, b: MovementInput): boolean {
  return a.key < b.key || (a.key === b.key && a.line < b.line);
}

const PLACEHOLDER: MovementOutcome = { delta: 0, cost: 0, variance: 0, after: EMPTY_STOCK };
