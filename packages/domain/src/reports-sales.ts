/**
 * Sales and operations reports: sales by day, till, cashier, payment mode and hour; the state of
 * every device (sequence gaps, invoice gaps); staff attendance; the order list with derived status.
 */
import { istDate, istHour } from './calendar.ts';
import type { OrderStatus } from './catalog.ts';
import { seriesGaps } from './invoice-series.ts';
import { inRange, type DateRange } from './reports-books.ts';
import type { SaleEvent, ShopProjection } from './shop-projection.ts';

export interface SalesBucket {
  key: string;
  bills: number;
  /** Bill totals (tax-inclusive, after round-off). */
  total: number;
  taxable: number;
  tax: number;
}

export interface SalesSummary {
  range: DateRange;
  bills: number;
  total: number;
  taxable: number;
  tax: number;
  discount: number;
  returns: number;
  /** Total less credit notes. */
  net: number;
  averageBill: number;
  byDay: SalesBucket[];
  byDevice: SalesBucket[];
  byCashier: SalesBucket[];
  /** Amount taken per tender; `bills` counts bills that used the tender. */
  byMode: SalesBucket[];
  byHour: SalesBucket[];
}

/** Sales summary for a range of business days (voided bills excluded). */
export function salesSummary(p: ShopProjection, range: DateRange): SalesSummary {
  const buckets = {
    day: new Map<string, SalesBucket>(),
    device: new Map<string, SalesBucket>(),
    cashier: new Map<string, SalesBucket>(),
    mode: new Map<string, SalesBucket>(),
    hour: new Map<string, SalesBucket>(),
  };
  let bills = 0;
  let total = 0;
  let taxable = 0;
  let tax = 0;
  let discount = 0;
  for (const sale of salesIn(p, range)) {
    const s = sale.payload;
    if (p.isVoided(sale.id)) continue;
    const saleTaxable = s.lines.reduce((sum, l) => sum + l.taxable, 0);
    const saleTax = s.lines.reduce((sum, l) => sum + l.cgst + l.sgst + l.igst, 0);
    bills += 1;
    total += s.total;
    taxable += saleTaxable;
    tax += saleTax;
    discount += s.lines.reduce((sum, l) => sum + l.discount, 0);
    /** Count the bill in a bucket; tender buckets take only the tender's amount and no tax split. */
    const add = (map: Map<string, SalesBucket>, key: string, tenderAmount?: number): void => {
      const b = map.get(key) ?? { key, bills: 0, total: 0, taxable: 0, tax: 0 };
      b.bills += 1;
      b.total += tenderAmount ?? s.total;
      if (tenderAmount === undefined) {
        b.taxable += saleTaxable;
        b.tax += saleTax;
      }
      map.set(key, b);
    };
    add(buckets.day, s.businessDay);
    add(buckets.device, p.devices.get(sale.deviceId)?.get('code') ?? sale.deviceId);
    add(buckets.cashier, p.staff.get(sale.actorId)?.get('name') ?? sale.actorId);
    add(buckets.hour, String(istHour(sale.at)).padStart(2, '0'));
    for (const pay of s.payments) add(buckets.mode, pay.mode, pay.amount);
  }
  let returns = 0;
  for (const ret of p.returns.values())
    if (inRange(ret.payload.businessDay, range)) returns += ret.payload.total;
  const sorted = (m: Map<string, SalesBucket>): SalesBucket[] =>
    [...m.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  return {
    range,
    bills,
    total,
    taxable,
    tax,
    discount,
    returns,
    net: total - returns,
    averageBill: bills === 0 ? 0 : Math.round(total / bills),
    byDay: sorted(buckets.day),
    byDevice: sorted(buckets.device),
    byCashier: sorted(buckets.cashier),
    byMode: sorted(buckets.mode),
    byHour: sorted(buckets.hour),
  };
}

export interface DeviceStatus {
  deviceId: string;
  code: string;
  name: string;
  kind: string;
  revoked: boolean;
  events: number;
  lastSeq: number;
  /** Device sequence numbers not (yet) received: events still on the device or lost. */
  missingSeqs: number[];
  /** Invoice series of this device with numbers missing. */
  invoiceGaps: { series: string; missing: number[] }[];
}

/** Status of every device that is enrolled or has sent events. */
export function deviceStatus(p: ShopProjection): DeviceStatus[] {
  const ids = new Set([...p.devices.ids(), ...p.deviceSeqs.keys()]);
  return [...ids].sort().map((deviceId) => {
    const rec = p.devices.get(deviceId)?.value() ?? {};
    const seqs = p.deviceSeqs.get(deviceId) ?? new Set<number>();
    const code = rec.code ?? '';
    const invoiceGaps = [...p.series]
      .filter(
        ([series]) =>
          code !== '' && (series.startsWith(`${code}/`) || series.startsWith(`${code}C/`)),
      )
      .map(([series, bySeq]) => ({ series, missing: seriesGaps(bySeq.keys()) }))
      .filter((g) => g.missing.length > 0);
    return {
      deviceId,
      code,
      name: rec.name ?? '',
      kind: rec.kind ?? 'till',
      revoked: rec.revoked ?? false,
      events: seqs.size,
      lastSeq: Math.max(0, ...seqs),
      missingSeqs: seriesGaps(seqs).slice(0, 1000),
      invoiceGaps,
    };
  });
}

export interface AttendanceRow {
  userId: string;
  name: string;
  day: string;
  firstIn: number;
  lastOut?: number;
  /** Minutes between paired clock-ins and clock-outs. */
  minutes: number;
}

/** Staff attendance per person per day (IST), from clock-in and clock-out events. */
export function attendance(p: ShopProjection, range: DateRange = {}): AttendanceRow[] {
  const rows: AttendanceRow[] = [];
  for (const [userId, marks] of p.attendance) {
    const byDay = new Map<string, typeof marks>();
    for (const m of [...marks].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const day = istDate(m.at);
      if (!inRange(day, range)) continue;
      byDay.set(day, [...(byDay.get(day) ?? []), m]);
    }
    for (const [day, list] of byDay) {
      let minutes = 0;
      let openAt: number | undefined;
      let firstIn: number | undefined;
      let lastOut: number | undefined;
      for (const m of list) {
        if (m.kind === 'in') {
          firstIn ??= m.at;
          openAt ??= m.at;
        } else {
          lastOut = m.at;
          if (openAt !== undefined) minutes += Math.round((m.at - openAt) / 60_000);
          openAt = undefined;
        }
      }
      rows.push({
        userId,
        name: p.staff.get(userId)?.get('name') ?? userId,
        day,
        firstIn: firstIn ?? list[0]?.at ?? 0,
        ...(lastOut !== undefined ? { lastOut } : {}),
        minutes,
      });
    }
  }
  return rows.sort((a, b) =>
    a.day < b.day ? -1 : a.day > b.day ? 1 : a.userId < b.userId ? -1 : 1,
  );
}

export interface OrderRow {
  orderId: string;
  day: string;
  customerId?: string;
  channel: string;
  status: OrderStatus;
  lines: { productId: string; qty: number }[];
  saleId?: string;
}

/** Orders with their status: completed once a (non-voided) sale references them. */
export function orderList(p: ShopProjection): OrderRow[] {
  const saleByOrder = new Map<string, string>();
  for (const sale of p.sales.values()) {
    const orderId = sale.payload.orderId;
    if (orderId && !p.isVoided(sale.id)) saleByOrder.set(orderId, sale.id);
  }
  const rows: OrderRow[] = [];
  for (const orderId of p.orders.ids()) {
    const rec = p.orders.get(orderId)?.value() ?? {};
    if (!rec.placed) continue;
    const saleId = saleByOrder.get(orderId);
    rows.push({
      orderId,
      day: rec.placed.day,
      ...(rec.placed.customerId ? { customerId: rec.placed.customerId } : {}),
      channel: rec.placed.channel,
      status: saleId ? 'completed' : (rec.status ?? 'pending'),
      lines: rec.placed.lines,
      ...(saleId ? { saleId } : {}),
    });
  }
  return rows.sort((a, b) =>
    a.day < b.day ? -1 : a.day > b.day ? 1 : a.orderId < b.orderId ? -1 : 1,
  );
}

/** The sales of the business days in `range`, read by day: a day's view costs that day's bills. */
function* salesIn(p: ShopProjection, range: DateRange): Generator<SaleEvent> {
  for (const [day, ids] of p.salesByDay) {
    if (!inRange(day, range)) continue;
    for (const id of ids) {
      const sale = p.sales.get(id);
      if (sale) yield sale;
    }
  }
}
