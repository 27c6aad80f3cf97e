/**
 * Stock reports: summary with valuation and status, low stock and reorder suggestions, movement
 * history, item profit and the expiry list.
 */
import { addDays } from './calendar.ts';
import { mulDiv } from './money.ts';
import { pricePerUnits, type BaseUnit } from './quantity.ts';
import { inRange, type DateRange } from './reports-books.ts';
import type { ShopProjection } from './shop-projection.ts';
import type { MovementKind } from './stock-timeline.ts';

/** Stock status against a product's minimum and maximum (seeds: normal / low / critical / overstocked). */
export type StockStatus = 'critical' | 'low' | 'normal' | 'overstocked';

/** critical: at or below half the minimum (or nothing left); low: at or below the minimum. */
export function stockStatus(qty: number, minStock: number, maxStock: number): StockStatus {
  if (qty <= 0 || qty * 2 <= minStock) return 'critical';
  if (qty <= minStock) return 'low';
  if (maxStock > 0 && qty > maxStock) return 'overstocked';
  return 'normal';
}

export interface StockRow {
  productId: string;
  sku: string;
  name: string;
  category: string;
  unit: BaseUnit;
  qty: number;
  /** Inventory value at moving-average cost. */
  value: number;
  /** Average cost per price unit (1 pc, 1 kg, 1 L); 0 when nothing is on hand. */
  avgCost: number;
  status: StockStatus;
  minStock: number;
  maxStock: number;
  reorderQty: number;
  mrp: number;
  sellingPrice: number;
  discontinued: boolean;
}

/** Every created product with its stock, value and status, sorted by name. */
export function stockSummary(
  p: ShopProjection,
  opts: { includeDiscontinued?: boolean } = {},
): { rows: StockRow[]; totalValue: number } {
  const rows: StockRow[] = [];
  for (const productId of p.products.ids()) {
    const rec = p.products.get(productId)?.value() ?? {};
    if (!rec.created) continue;
    if (rec.discontinued && !opts.includeDiscontinued) continue;
    const state = p.timelines.get(productId)?.state;
    const qty = state?.qty ?? 0;
    const value = state?.value ?? 0;
    const unit = rec.unit ?? 'pc';
    rows.push({
      productId,
      sku: rec.sku ?? '',
      name: rec.name ?? '',
      category: rec.category ?? '',
      unit,
      qty,
      value,
      avgCost: qty > 0 ? mulDiv(value, pricePerUnits(unit), qty) : 0,
      status: stockStatus(qty, rec.minStock ?? 0, rec.maxStock ?? 0),
      minStock: rec.minStock ?? 0,
      maxStock: rec.maxStock ?? 0,
      reorderQty: rec.reorderQty ?? 0,
      mrp: rec.mrp ?? 0,
      sellingPrice: rec.sellingPrice ?? 0,
      discontinued: rec.discontinued ?? false,
    });
  }
  rows.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.productId < b.productId ? -1 : 1,
  );
  return { rows, totalValue: rows.reduce((s, r) => s + r.value, 0) };
}

/** Products at or below their minimum. */
export function lowStock(p: ShopProjection): StockRow[] {
  return stockSummary(p).rows.filter((r) => r.status === 'low' || r.status === 'critical');
}

export interface ReorderSuggestion {
  productId: string;
  sku: string;
  name: string;
  qty: number;
  /** Enough to reach the maximum, and at least the usual reorder quantity. */
  suggestedQty: number;
  status: StockStatus;
}

/** What to reorder: every low or critical product, topped up to its maximum. */
export function reorderSuggestions(p: ShopProjection): ReorderSuggestion[] {
  return lowStock(p).map((r) => ({
    productId: r.productId,
    sku: r.sku,
    name: r.name,
    qty: r.qty,
    suggestedQty: Math.max(r.reorderQty, r.maxStock - r.qty),
    status: r.status,
  }));
}

export interface MovementRow {
  eventId: string;
  day: string;
  kind: MovementKind;
  delta: number;
  qtyAfter: number;
  /** Value moved at average cost (out for sales and losses, in for returns, receipts, found stock). */
  value: number;
}

/** A product's stock movements in canonical order (catalogue cost entries left out). */
export function stockMovements(
  p: ShopProjection,
  productId: string,
  range: DateRange = {},
): MovementRow[] {
  const t = p.timelines.get(productId);
  if (!t) return [];
  return t.movements
    .filter((m) => m.kind !== 'cost' && inRange(m.day, range))
    .map((m) => ({
      eventId: m.eventId,
      day: m.day,
      kind: m.kind,
      delta: m.outcome.delta,
      qtyAfter: m.outcome.after.qty,
      value: m.outcome.cost,
    }));
}

export interface ItemProfit {
  productId: string;
  name: string;
  qtySold: number;
  /** Taxable value of sales less returns. */
  revenue: number;
  cogs: number;
  profit: number;
}

/** Profit per product over a range: revenue from invoices, cost from the stock timeline. */
export function itemProfit(p: ShopProjection, range: DateRange = {}): ItemProfit[] {
  const out = new Map<string, ItemProfit>();
  const row = (productId: string): ItemProfit => {
    let r = out.get(productId);
    if (!r) {
      r = {
        productId,
        name: p.products.get(productId)?.get('name') ?? productId,
        qtySold: 0,
        revenue: 0,
        cogs: 0,
        profit: 0,
      };
      out.set(productId, r);
    }
    return r;
  };
  for (const [productId, t] of p.timelines) {
    for (const m of t.movements) {
      if (!inRange(m.day, range)) continue;
      const r =
        m.kind === 'sale' || m.kind === 'return' || m.outcome.variance !== 0
          ? row(productId)
          : undefined;
      if (!r) continue;
      if (m.kind === 'sale') {
        r.qtySold += m.qty;
        r.cogs += m.outcome.cost;
      } else if (m.kind === 'return') {
        r.qtySold -= m.qty;
        r.cogs -= m.outcome.cost;
      }
      r.cogs += m.outcome.variance;
    }
  }
  for (const sale of p.sales.values()) {
    if (p.isVoided(sale.id) || !inRange(sale.payload.businessDay, range)) continue;
    for (const l of sale.payload.lines) row(l.productId).revenue += l.taxable;
  }
  for (const ret of p.returns.values()) {
    if (!inRange(ret.payload.businessDay, range)) continue;
    for (const l of ret.payload.lines) row(l.productId).revenue -= l.taxable;
  }
  for (const r of out.values()) r.profit = r.revenue - r.cogs;
  return [...out.values()].sort(
    (a, b) => b.profit - a.profit || (a.productId < b.productId ? -1 : 1),
  );
}

export interface ExpiringBatch {
  productId: string;
  name: string;
  batch?: string;
  expiry: string;
  /** Units of this batch still on hand (newest receipts are assumed to be what is left). */
  qty: number;
  expired: boolean;
}

/**
 * Batches expiring within `withinDays` of `asOf` that are still on the shelf. Stock on hand is
 * attributed to the most recent receipts (first in, first out), which is how shelves are rotated.
 */
export function expiryList(p: ShopProjection, asOf: string, withinDays = 30): ExpiringBatch[] {
  const horizon = addDays(asOf, withinDays);
  const out: ExpiringBatch[] = [];
  for (const [productId, receiptIds] of p.receiptsByProduct) {
    let left = p.timelines.get(productId)?.state.qty ?? 0;
    const lines = [...receiptIds]
      .map((id) => p.receipts.get(id))
      .filter((r) => r !== undefined)
      .sort((a, b) => (a.hlc < b.hlc ? 1 : a.hlc > b.hlc ? -1 : a.id < b.id ? 1 : -1))
      .flatMap((r) => r.payload.lines.filter((l) => l.productId === productId));
    for (const l of lines) {
      if (left <= 0) break;
      const qty = Math.min(left, l.qty);
      left -= qty;
      if (l.expiry && l.expiry <= horizon) {
        const name = p.products.get(productId)?.get('name') ?? productId;
        out.push({
          productId,
          name,
          ...(l.batch ? { batch: l.batch } : {}),
          expiry: l.expiry,
          qty,
          expired: l.expiry < asOf,
        });
      }
    }
  }
  return out.sort((a, b) =>
    a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : a.productId < b.productId ? -1 : 1,
  );
}
