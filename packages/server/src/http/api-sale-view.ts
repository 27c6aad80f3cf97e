/**
 * How sales read in the API: the document as recorded, plus what happened to it since — voided,
 * partly or fully returned (credit notes), and how much of each line is left to return.
 */
import { canonicalKey } from '@smartkirana/domain/event-envelope';
import type { ReturnEvent, SaleEvent, ShopProjection } from '@smartkirana/domain/shop-projection';

export type SaleStatus = 'completed' | 'voided' | 'partially-returned' | 'returned';

/** Quantity already returned per line of a sale (line index → base units). */
export function returnedByLine(p: ShopProjection, saleId: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const ret of returnsOf(p, saleId))
    for (const l of ret.payload.lines) out.set(l.line, (out.get(l.line) ?? 0) + l.qty);
  return out;
}

/** The credit notes issued against a sale, in canonical order. */
export function returnsOf(p: ShopProjection, saleId: string): ReturnEvent[] {
  return [...(p.returnsBySale.get(saleId) ?? [])]
    .map((id) => p.returns.get(id))
    .filter((r) => r !== undefined)
    .sort((a, b) => (canonicalKey(a) < canonicalKey(b) ? -1 : 1));
}

/** Whether a sale is standing, voided, or (partly) returned. */
export function saleStatus(p: ShopProjection, sale: SaleEvent): SaleStatus {
  if (p.isVoided(sale.id)) return 'voided';
  const returned = returnedByLine(p, sale.id);
  if (returned.size === 0) return 'completed';
  const all = sale.payload.lines.every((l, i) => (returned.get(i) ?? 0) >= l.qty);
  return all ? 'returned' : 'partially-returned';
}

/** A sale as one flat row (lists and CSV). Money in paise. */
export function saleRow(p: ShopProjection, sale: SaleEvent) {
  const s = sale.payload;
  const returns = returnsOf(p, sale.id);
  return {
    saleId: sale.id,
    invoiceNo: s.invoiceNo,
    documentType: s.documentType,
    businessDay: s.businessDay,
    at: sale.at,
    device: p.devices.get(sale.deviceId)?.get('code') ?? sale.deviceId,
    cashier: p.staff.get(sale.actorId)?.get('name') ?? sale.actorId,
    customerId: s.customerId ?? null,
    customerName: s.customerId ? (p.customers.get(s.customerId)?.get('name') ?? null) : null,
    orderId: s.orderId ?? null,
    items: s.lines.length,
    taxable: s.lines.reduce((sum, l) => sum + l.taxable, 0),
    tax: s.lines.reduce((sum, l) => sum + l.cgst + l.sgst + l.igst, 0),
    total: s.total,
    modes: [...new Set(s.payments.map((x) => x.mode))].join('+'),
    status: saleStatus(p, sale),
    returnedTotal: returns.reduce((sum, r) => sum + r.payload.total, 0),
  };
}

export type SaleRow = ReturnType<typeof saleRow>;

/** The full sale: the document, its lines with what is left to return, voids and credit notes. */
export function saleView(
  p: ShopProjection,
  sale: SaleEvent,
  voids: { eventId: string; reason: string; at: number; approvedBy?: string }[] = [],
) {
  const returned = returnedByLine(p, sale.id);
  const voided = p.isVoided(sale.id);
  return {
    ...saleRow(p, sale),
    ...sale.payload,
    lines: sale.payload.lines.map((l, line) => ({
      line,
      ...l,
      returnedQty: returned.get(line) ?? 0,
      returnableQty: voided ? 0 : Math.max(0, l.qty - (returned.get(line) ?? 0)),
    })),
    voids,
    returns: returnsOf(p, sale.id).map((r) => returnView(r)),
  };
}

/** A credit note as the API shows it. */
export function returnView(r: ReturnEvent) {
  return { returnId: r.id, at: r.at, ...r.payload };
}

/** Sales of the shop, newest first. */
export function salesNewestFirst(p: ShopProjection): SaleEvent[] {
  return [...p.sales.values()]
    .map((s) => ({ s, k: canonicalKey(s) }))
    .sort((a, b) => (a.k < b.k ? 1 : a.k > b.k ? -1 : 0))
    .map((x) => x.s);
}
