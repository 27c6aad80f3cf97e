/**
 * The conflict inbox (BRIEF invariant 6). Conflicts are *derived* from the event set, never stored:
 * oversold stock, events for a day already closed, concurrent price edits, khata over its limit,
 * returns beyond what was sold, voids of returned sales and duplicated invoice numbers. The owner
 * resolves them with ordinary events (a recount, a write-off, a price set, an acknowledgement).
 */
import type { ShopProjection } from './shop-projection.ts';
import type { StockTimeline } from './stock-timeline.ts';
import { sumPaise } from './money.ts';

export type ConflictKind =
  | 'oversell'
  | 'late-event'
  | 'price-edit'
  | 'khata-over-limit'
  | 'over-return'
  | 'void-after-return'
  | 'duplicate-invoice';

export type ConflictStatus = 'open' | 'resolved' | 'acknowledged';

export interface Conflict {
  id: string;
  kind: ConflictKind;
  status: ConflictStatus;
  /** Business day the conflict arose on. */
  day: string;
  /** The events involved, in canonical order where it matters. */
  eventIds: string[];
  productId?: string;
  customerId?: string;
  /** Event that resolved it (a recount, a receipt, a later price edit). */
  resolvedBy?: string;
  /** Figures to show: how far stock went below zero, the balance over the limit, … */
  figures: Record<string, number>;
  message: string;
}

/** Event types that belong to a business day and so can be late for a closed day. */
const DAY_BOUND = new Set([
  'v1.SaleCompleted',
  'v1.SaleVoided',
  'v1.SaleReturned',
  'v1.StockReceived',
  'v1.StockAdjusted',
  'v1.StockCounted',
  'v1.KhataPaymentReceived',
  'v1.SupplierPaid',
  'v1.ExpenseRecorded',
  'v1.CashMoved',
  'v1.TillClosed',
  'v1.OwnerFundsMoved',
]);

/** Every conflict derivable from the projection, sorted by id. */
export function listConflicts(p: ShopProjection): Conflict[] {
  const out: Conflict[] = [
    ...oversells(p),
    ...priceEdits(p),
    ...khataOverLimit(p),
    ...lateEvents(p),
    ...returnProblems(p),
    ...duplicateNumbers(p),
  ];
  for (const c of out) {
    if (c.status !== 'open') continue;
    // An event that names the conflict in `resolves` (a write-off, a recount) settles it.
    const resolution = p.resolutions.get(c.id);
    if (resolution) {
      c.status = 'resolved';
      c.resolvedBy = resolution.eventId;
    } else if (p.acknowledged.has(c.id)) c.status = 'acknowledged';
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Each timeline's oversell episodes, kept while the timeline is unchanged: a sale re-reads only
 * the products it moved, not every movement of the shop.
 */
const episodesOf = new WeakMap<StockTimeline, { revision: number; episodes: Conflict[] }>();

function oversells(p: ShopProjection): Conflict[] {
  const out: Conflict[] = [];
  for (const t of p.timelines.values()) {
    let kept = episodesOf.get(t);
    if (kept?.revision !== t.revision) {
      kept = { revision: t.revision, episodes: episodes(t) };
      episodesOf.set(t, kept);
    }
    // Copies: the caller settles their status; the kept episodes stay as the timeline says.
    for (const c of kept.episodes) out.push({ ...c });
  }
  return out;
}

function episodes(t: StockTimeline): Conflict[] {
  const out: Conflict[] = [];
  const productId = t.productId;
  let current: Conflict | undefined;
  for (const m of t.movements) {
    const open = m.outcome.after.open;
    if (open && !current) {
      current = {
        id: open,
        kind: 'oversell',
        status: 'open',
        day: m.day,
        eventIds: [m.eventId],
        productId,
        figures: { lowest: m.outcome.after.qty },
        message: 'stock went below zero: more was sold than the shop had',
      };
      out.push(current);
    } else if (open && current) {
      // An event's movements sit side by side (one canonical key), so a sale of several lines
      // of the product is named once by comparing with the last one named.
      if (m.kind === 'sale' && current.eventIds.at(-1) !== m.eventId)
        current.eventIds.push(m.eventId);
      current.figures.lowest = Math.min(current.figures.lowest ?? 0, m.outcome.after.qty);
    } else if (!open && current) {
      current.status = 'resolved';
      current.resolvedBy = m.eventId;
      current = undefined;
    }
  }
  return out;
}

function priceEdits(p: ShopProjection): Conflict[] {
  const out: Conflict[] = [];
  for (const [productId, edits] of p.priceEdits) {
    const groups = new Map<string, typeof edits>();
    for (const e of edits) {
      const g = e.basedOn ?? 'initial';
      groups.set(g, [...(groups.get(g) ?? []), e]);
    }
    for (const [basedOn, group] of groups) {
      if (group.length < 2) continue;
      const sorted = [...group].sort((a, b) => (a.key < b.key ? -1 : 1));
      const winner = sorted.at(-1);
      const resolver =
        winner &&
        edits.filter((e) => e.basedOn === winner.hlc).sort((a, b) => (a.key < b.key ? -1 : 1))[0];
      out.push({
        id: `price:${productId}:${basedOn}`,
        kind: 'price-edit',
        status: resolver ? 'resolved' : 'open',
        day: '',
        eventIds: sorted.map((e) => e.eventId),
        productId,
        ...(resolver ? { resolvedBy: resolver.eventId } : {}),
        figures: { edits: group.length },
        message: 'the price was changed on two devices at once; the later edit won',
      });
    }
  }
  return out;
}

function khataOverLimit(p: ShopProjection): Conflict[] {
  const out: Conflict[] = [];
  for (const [customerId, entries] of p.khata) {
    const balance = sumPaise(entries.map((e) => e.amount));
    const limit = p.customers.get(customerId)?.get('creditLimit') ?? 0;
    if (balance <= limit) continue;
    // One conflict per episode: a new khata sale while over the limit is a new thing to look at.
    const last = [...entries]
      .filter((e) => e.amount > 0)
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .at(-1);
    out.push({
      id: `khata:${customerId}:${last?.eventId ?? 'none'}`,
      kind: 'khata-over-limit',
      status: 'open',
      day: last?.day ?? '',
      eventIds: last ? [last.eventId] : [],
      customerId,
      figures: { balance, limit },
      message: 'khata balance is over the customer’s credit limit',
    });
  }
  return out;
}

function lateEvents(p: ShopProjection): Conflict[] {
  const out: Conflict[] = [];
  for (const [day, marks] of p.dayCloses) {
    for (const e of p.dayEvents.get(day) ?? []) {
      if (!DAY_BOUND.has(e.type)) continue;
      // A device the closer never heard from has watermark 0: all its events of the day are late.
      const mark = marks.get(e.deviceId) ?? 0;
      if (e.deviceSeq <= mark) continue;
      out.push({
        id: `late:${e.eventId}`,
        kind: 'late-event',
        status: 'open',
        day,
        eventIds: [e.eventId],
        figures: { deviceSeq: e.deviceSeq, watermark: mark },
        message: 'recorded for a day that was already closed; filed under its own day',
      });
    }
  }
  return out;
}

function returnProblems(p: ShopProjection): Conflict[] {
  const out: Conflict[] = [];
  for (const [saleId, returnIds] of p.returnsBySale) {
    const sale = p.sales.get(saleId);
    const returns = [...returnIds].map((id) => p.returns.get(id)).filter((r) => r !== undefined);
    if (sale && p.isVoided(saleId)) {
      out.push({
        id: `void-return:${saleId}`,
        kind: 'void-after-return',
        status: 'open',
        day: sale.payload.businessDay,
        eventIds: [saleId, ...[...(p.voids.get(saleId) ?? [])].sort(), ...[...returnIds].sort()],
        figures: {},
        message: 'a sale with returns was also voided; the refund may have been given twice',
      });
    }
    if (!sale) continue;
    const returned = new Map<number, number>();
    for (const r of returns)
      for (const l of r.payload.lines) returned.set(l.line, (returned.get(l.line) ?? 0) + l.qty);
    for (const [line, qty] of returned) {
      const sold = sale.payload.lines[line]?.qty ?? 0;
      if (qty <= sold) continue;
      out.push({
        id: `over-return:${saleId}:${line}`,
        kind: 'over-return',
        status: 'open',
        day: sale.payload.businessDay,
        eventIds: [saleId, ...[...returnIds].sort()],
        figures: { sold, returned: qty },
        message: 'more was returned than the invoice sold',
      });
    }
  }
  return out;
}

function duplicateNumbers(p: ShopProjection): Conflict[] {
  const out: Conflict[] = [];
  for (const [series, shared] of p.sharedNumbers) {
    for (const seq of shared) {
      const ids = p.series.get(series)?.get(seq) ?? [];
      out.push({
        id: `dup-invoice:${series}/${seq}`,
        kind: 'duplicate-invoice',
        status: 'open',
        day: '',
        eventIds: [...ids],
        figures: { seq },
        message: 'two documents carry the same number',
      });
    }
  }
  return out;
}
