/**
 * A canonical, plain-data digest of everything a projection derived: books per day, stock per
 * product, catalogue, khata, payables, documents and conflicts. Two replicas agree exactly when
 * their snapshots are deeply equal; tests and servers compare replicas with it.
 */
import { listConflicts, type Conflict } from './conflicts.ts';
import type { LwwTable } from './lww.ts';
import type { ShopProjection } from './shop-projection.ts';

export interface ProjectionSnapshot {
  events: number;
  balances: [string, [string, number][]][];
  stock: [string, { qty: number; value: number }][];
  products: [string, unknown][];
  customers: [string, unknown][];
  suppliers: [string, unknown][];
  staff: [string, unknown][];
  devices: [string, unknown][];
  orders: [string, unknown][];
  shop: unknown;
  khata: [string, number][];
  payables: [string, number][];
  sales: string[];
  voided: string[];
  returns: string[];
  conflicts: Conflict[];
}

/** Take the canonical digest of a projection. */
export function snapshotProjection(p: ShopProjection): ProjectionSnapshot {
  return {
    events: p.size,
    balances: sortedEntries(p.balances).map(([day, accounts]) => [day, sortedEntries(accounts)]),
    stock: sortedEntries(p.timelines).map(([id, t]) => [
      id,
      { qty: t.state.qty, value: t.state.value },
    ]),
    products: table(p.products),
    customers: table(p.customers),
    suppliers: table(p.suppliers),
    staff: table(p.staff),
    devices: table(p.devices),
    orders: table(p.orders),
    shop: p.shop.value(),
    khata: sortedEntries(p.khata).map(([id, entries]) => [
      id,
      entries.reduce((s, e) => s + e.amount, 0),
    ]),
    payables: sortedEntries(p.payables).map(([id, entries]) => [
      id,
      entries.reduce((s, e) => s + e.amount, 0),
    ]),
    sales: [...p.sales.keys()].sort(),
    voided: [...p.sales.keys()].filter((id) => p.isVoided(id)).sort(),
    returns: [...p.returns.keys()].sort(),
    conflicts: listConflicts(p),
  };
}

function sortedEntries<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function table<T extends object>(t: LwwTable<T>): [string, unknown][] {
  return [...t.ids()].sort().map((id) => [id, sortKeys(t.get(id)?.value() ?? {})]);
}

function sortKeys(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}
