/**
 * Party ledgers: khata (customers who buy on credit) with statements and ageing, and supplier
 * payables. Balances are what the party owes the shop (khata) or the shop owes (suppliers).
 */
import { daysBetween } from './calendar.ts';
import type { PartyEntry, ShopProjection } from './shop-projection.ts';

export interface KhataRow {
  customerId: string;
  name: string;
  phone?: string;
  balance: number;
  creditLimit: number;
  overLimit: boolean;
}

/** Every customer with their khata balance, largest balance first. */
export function khataBalances(p: ShopProjection): KhataRow[] {
  const rows: KhataRow[] = [];
  for (const customerId of new Set([...p.customers.ids(), ...p.khata.keys()])) {
    const rec = p.customers.get(customerId)?.value() ?? {};
    const balance = (p.khata.get(customerId) ?? []).reduce((s, e) => s + e.amount, 0);
    const creditLimit = rec.creditLimit ?? 0;
    rows.push({
      customerId,
      name: rec.name ?? customerId,
      ...(rec.phone ? { phone: rec.phone } : {}),
      balance,
      creditLimit,
      overLimit: balance > creditLimit,
    });
  }
  return rows.sort((a, b) => b.balance - a.balance || (a.customerId < b.customerId ? -1 : 1));
}

export interface StatementLine extends PartyEntry {
  /** Balance after this line. */
  running: number;
}

/** A party's statement in canonical order with a running balance. */
export function partyStatement(entries: readonly PartyEntry[]): {
  lines: StatementLine[];
  balance: number;
} {
  let running = 0;
  const lines = [...entries]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => {
      running += e.amount;
      return { ...e, running };
    });
  return { lines, balance: running };
}

/** A customer's khata statement. */
export function khataStatement(p: ShopProjection, customerId: string) {
  return partyStatement(p.khata.get(customerId) ?? []);
}

/** A supplier's statement (purchases on credit and payments). */
export function supplierStatement(p: ShopProjection, supplierId: string) {
  return partyStatement(p.payables.get(supplierId) ?? []);
}

export interface AgeingRow {
  partyId: string;
  name: string;
  balance: number;
  /** Outstanding by age of the bill: 0–30, 31–60, 61–90, over 90 days. */
  buckets: [number, number, number, number];
  /** Bills still (partly) unpaid, oldest first. */
  openBills: { ref: string; day: string; outstanding: number; ageDays: number }[];
}

/**
 * Bill-wise ageing: payments and credit notes settle the oldest bills first. Depends only on the
 * totals, not on the order payments arrived in.
 */
export function ageing(
  entries: readonly PartyEntry[],
  asOf: string,
): Omit<AgeingRow, 'partyId' | 'name'> {
  const bills = [...entries].filter((e) => e.amount > 0).sort((a, b) => (a.key < b.key ? -1 : 1));
  let credit = -entries.filter((e) => e.amount < 0).reduce((s, e) => s + e.amount, 0);
  const buckets: [number, number, number, number] = [0, 0, 0, 0];
  const openBills: AgeingRow['openBills'] = [];
  for (const bill of bills) {
    const settled = Math.min(credit, bill.amount);
    credit -= settled;
    const outstanding = bill.amount - settled;
    if (outstanding === 0) continue;
    const ageDays = Math.max(0, daysBetween(bill.day, asOf));
    buckets[ageDays <= 30 ? 0 : ageDays <= 60 ? 1 : ageDays <= 90 ? 2 : 3] += outstanding;
    openBills.push({ ref: bill.ref, day: bill.day, outstanding, ageDays });
  }
  const balance = entries.reduce((s, e) => s + e.amount, 0);
  return { balance, buckets, openBills };
}

/** Khata ageing for every customer with a balance. */
export function khataAgeing(p: ShopProjection, asOf: string): AgeingRow[] {
  return [...p.khata]
    .map(([customerId, entries]) => ({
      partyId: customerId,
      name: p.customers.get(customerId)?.get('name') ?? customerId,
      ...ageing(entries, asOf),
    }))
    .filter((r) => r.balance !== 0)
    .sort((a, b) => b.balance - a.balance || (a.partyId < b.partyId ? -1 : 1));
}

/** What the shop owes each supplier, with ageing. */
export function supplierPayables(p: ShopProjection, asOf: string): AgeingRow[] {
  return [...p.payables]
    .map(([supplierId, entries]) => ({
      partyId: supplierId,
      name: p.suppliers.get(supplierId)?.get('name') ?? supplierId,
      ...ageing(entries, asOf),
    }))
    .sort((a, b) => b.balance - a.balance || (a.partyId < b.partyId ? -1 : 1));
}
