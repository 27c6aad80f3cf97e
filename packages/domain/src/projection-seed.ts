/**
 * A projection seed: what a fresh till needs to sell, in a size that grows with the catalogue and
 * the calendar rather than with the history. The server takes it from its projection; a till that
 * starts from it can ring up bills at once (prices, tax rates, staff, customers), shows the right
 * stock and khata, and folds every later event on top, while the full history arrives behind it.
 *
 * It holds the last-writer-wins tables with the key that wrote each field (so later catalogue edits
 * merge exactly as they would have), stock per product as the timeline left it, and balances per
 * day, khata and payables as sums. Order-dependent detail (each movement, each sale) is not in it:
 * a seeded projection is a provisional view, replaced by a full fold once the history is in. Two
 * replicas are only required to agree once they hold the same events (BRIEF invariant 3).
 */
import { z } from 'zod';
import type { StockState } from './stock-timeline.ts';
import { ShopProjection } from './shop-projection.ts';

export const SEED_VERSION = 1;

type Fields = [field: string, value: unknown, key: string][];
type Rows = [id: string, fields: Fields][];

export interface ProjectionSeed {
  version: typeof SEED_VERSION;
  /** How many events the seed summarises. */
  events: number;
  /** Largest canonical key among them: a till's hybrid clock moves past it. */
  maxKey: string;
  shop: Fields;
  products: Rows;
  customers: Rows;
  suppliers: Rows;
  staff: Rows;
  devices: Rows;
  orders: Rows;
  /** Product → effective-dated GST steps, each with the key that scheduled it. */
  rates: [productId: string, steps: [from: string, rateBps: number, key: string][]][];
  stock: [productId: string, { per: number; state: StockState }][];
  /** Net balance per business day and account. */
  balances: [day: string, accounts: [account: string, amount: number][]][];
  khata: [customerId: string, balance: number][];
  payables: [supplierId: string, balance: number][];
}

/**
 * Take the seed of a projection (synchronous: it is consistent with the events folded so far).
 * Canonical: rows sorted by id, so replicas with the same events give the same seed.
 */
export function seedOf(p: ShopProjection): ProjectionSeed {
  return {
    version: SEED_VERSION,
    events: p.size + (p.seeded?.events ?? 0),
    maxKey: p.maxKey,
    shop: p.shop.entries().sort(byFirst),
    products: rowsOf(p.products),
    customers: rowsOf(p.customers),
    suppliers: rowsOf(p.suppliers),
    staff: rowsOf(p.staff),
    devices: rowsOf(p.devices),
    orders: rowsOf(p.orders),
    rates: sorted(p.rates).map(([productId, steps]) => [
      productId,
      sorted(steps).map(([from, { rateBps, key }]) => [from, rateBps, key]),
    ]),
    stock: sorted(p.timelines).map(([productId, t]) => [
      productId,
      { per: t.pricePer, state: t.state },
    ]),
    balances: sorted(p.balances).map(([day, accounts]) => [day, sorted(accounts)]),
    khata: sorted(p.khata).map(([id, entries]) => [id, entries.reduce((s, e) => s + e.amount, 0)]),
    payables: sorted(p.payables).map(([id, entries]) => [
      id,
      entries.reduce((s, e) => s + e.amount, 0),
    ]),
  };
}

function rowsOf(table: { entries(): Rows }): Rows {
  return table
    .entries()
    .map(([id, fields]): [string, Fields] => [id, fields.sort(byFirst)])
    .sort(byFirst);
}

function sorted<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map].sort(byFirst);
}

function byFirst(a: readonly [string, ...unknown[]], b: readonly [string, ...unknown[]]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** A fresh projection that starts where the seed's history left off. */
export function seededProjection(seed: ProjectionSeed): ShopProjection {
  const p = new ShopProjection();
  p.startFrom({ events: seed.events, maxKey: seed.maxKey });
  for (const [field, value, key] of seed.shop) p.shop.write({ [field]: value }, key);
  p.products.restore(seed.products);
  p.customers.restore(seed.customers);
  p.suppliers.restore(seed.suppliers);
  p.staff.restore(seed.staff);
  p.devices.restore(seed.devices);
  p.orders.restore(seed.orders);
  for (const [productId, steps] of seed.rates)
    p.rates.set(productId, new Map(steps.map(([from, rateBps, key]) => [from, { rateBps, key }])));
  for (const [productId, { per, state }] of seed.stock) p.timeline(productId).open(state, per);
  for (const [day, accounts] of seed.balances) p.balances.set(day, new Map(accounts));
  const opening = (amount: number, kind: 'khata' | 'payable') => ({
    key: '',
    eventId: `opening:${kind}`,
    day: '',
    kind: 'opening' as const,
    ref: 'opening balance',
    amount,
  });
  for (const [id, amount] of seed.khata) p.khata.set(id, [opening(amount, 'khata')]);
  for (const [id, amount] of seed.payables) p.payables.set(id, [opening(amount, 'payable')]);
  return p;
}

const MAX_ROWS = 200_000;
const idText = z.string().min(1).max(200);
const fields = z.array(z.tuple([z.string().min(1).max(64), z.unknown(), z.string().max(200)]));
const rows = z.array(z.tuple([idText, fields])).max(MAX_ROWS);
const amount = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const stockState = z.strictObject({
  qty: amount,
  value: amount,
  refValue: amount,
  refQty: amount,
  fallbackValue: amount,
  fallbackPer: z.number().int().min(1).max(1_000_000),
  open: z.string().max(300).nullable(),
});

/** The seed as a till receives it from its server: checked before anything is built from it. */
export const projectionSeedSchema: z.ZodType<ProjectionSeed> = z.strictObject({
  version: z.literal(SEED_VERSION),
  events: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  maxKey: z.string().max(200),
  shop: fields,
  products: rows,
  customers: rows,
  suppliers: rows,
  staff: rows,
  devices: rows,
  orders: rows,
  rates: z
    .array(
      z.tuple([
        idText,
        z.array(z.tuple([z.string().max(10), z.number().int(), z.string().max(200)])),
      ]),
    )
    .max(MAX_ROWS),
  stock: z
    .array(
      z.tuple([
        idText,
        z.strictObject({ per: z.number().int().min(1).max(1_000_000), state: stockState }),
      ]),
    )
    .max(MAX_ROWS),
  balances: z
    .array(z.tuple([z.string().max(10), z.array(z.tuple([z.string().max(200), amount]))]))
    .max(MAX_ROWS),
  khata: z.array(z.tuple([idText, amount])).max(MAX_ROWS),
  payables: z.array(z.tuple([idText, amount])).max(MAX_ROWS),
});
