/**
 * The events a benchmark pushes: a catalogue with opening stock (setup, not timed) and then
 * realistic sales rung up on the shop's till by the owner. Stock may go negative; the server
 * records that as a conflict, which is part of the derivation being measured.
 */
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import type { DeviceSim, SellLine } from '@smartkirana/domain/testing';
import type { EventsTable } from '@smartkirana/server/db/schema';

export interface Workload {
  /** Products and their opening stock: pushed before timing starts. */
  setup: DomainEvent[];
  /** The timed events: one `v1.SaleCompleted` each. */
  sales: DomainEvent[];
}

/** The row the `events` table stores for an event: the server's own table type. */
export type EventRow = EventsTable;

/** Build `sales` sales over a catalogue of `products` products on `till`. */
export function buildWorkload(
  till: DeviceSim,
  opts: { products: number; sales: number },
): Workload {
  const shop = till.shop;
  const setup: DomainEvent[] = [];
  const productIds: string[] = [];
  for (let i = 0; i < opts.products; i++) {
    const spec = shop.rng.pick(DEMO_PRODUCTS);
    const created = till.createProduct({
      ...spec,
      sku: `${spec.sku}-${i}`,
      name: `${spec.name} #${i}`,
    });
    setup.push(created);
    productIds.push(created.payload.productId);
  }
  // Opening stock for every product, in receipts of up to 20 lines.
  for (let i = 0; i < productIds.length; i += 20) {
    const lines = productIds.slice(i, i + 20).map((productId) => ({
      productId,
      qty: shop.product(productId).unit === 'pc' ? 500 : 200_000,
    }));
    setup.push(till.receiveStock(lines, { paidBy: 'opening' }));
  }
  const sales: DomainEvent[] = [];
  for (let i = 0; i < opts.sales; i++) {
    // A customer every 5–60 seconds of simulated time.
    shop.advance(shop.rng.int(5_000, 60_000));
    const lineCount = shop.rng.pick([1, 1, 1, 2, 2, 3]);
    const picked = new Set<string>();
    while (picked.size < Math.min(lineCount, productIds.length))
      picked.add(shop.rng.pick(productIds));
    const lines: SellLine[] = [...picked].map((productId) => ({
      productId,
      qty: shop.product(productId).unit === 'pc' ? shop.rng.int(1, 3) : shop.rng.int(1, 10) * 250,
    }));
    const pay = shop.rng.chance(0.6) ? 'cash' : 'upi';
    sales.push(till.sell(lines, { pay }));
  }
  return { setup, sales };
}

/** The `events` rows for `events`, numbered from `firstSeq`, as the server would store them. */
export function eventRows(events: readonly DomainEvent[], firstSeq = 1): EventRow[] {
  const now = Date.now();
  return events.map((e, i) => ({
    shop_id: e.shopId,
    seq: firstSeq + i,
    id: e.id,
    device_id: e.deviceId,
    device_seq: e.deviceSeq,
    hlc: e.hlc,
    type: e.type,
    actor_id: e.actorId,
    at: e.at,
    received_at: now,
    body: JSON.stringify(e),
    from_upstream: 0,
  }));
}

/** Mean size of the JSON bodies, bytes. */
export function meanBodyBytes(rows: readonly EventRow[]): number {
  if (rows.length === 0) return 0;
  return Math.round(rows.reduce((n, r) => n + Buffer.byteLength(r.body), 0) / rows.length);
}

/** Split into batches of `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
