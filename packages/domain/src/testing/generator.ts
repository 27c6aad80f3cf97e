/**
 * A random multi-till shop history: set-up, opening stock, then business days on which several tills
 * sell (often the same scarce products), return, void, take khata payments and close, while the
 * owner receives stock, counts, edits prices and closes days. Devices sync with each other at random,
 * so hybrid clocks interleave as they would in a real shop. Deterministic for a seed.
 */
import { DEMO_PRODUCTS } from '../demo-catalog.ts';
import type { DomainEvent, EventOfType } from '../events.ts';
import type { Tender } from '../event-fields.ts';
import { ShopSim, type DeviceSim, type SellLine } from './shop-sim.ts';

export interface GenerateOptions {
  seed: number;
  tills?: number;
  days?: number;
  /** Sales per till per day (on average). */
  salesPerDay?: number;
  /** Opening stock as a multiple of a product's minimum; small values make oversells likely. */
  stockFactor?: number;
  registration?: 'regular' | 'composition' | 'unregistered';
}

export interface GeneratedShop {
  sim: ShopSim;
  owner: DeviceSim;
  tills: DeviceSim[];
  /** Every event, in the order the devices emitted them (interleaved). */
  events: DomainEvent[];
}

/** Generate a shop's history. */
export function generateShop(opts: GenerateOptions): GeneratedShop {
  const sim = new ShopSim({
    seed: opts.seed,
    ...(opts.registration ? { registration: opts.registration } : {}),
  });
  const rng = sim.rng;
  const events: DomainEvent[] = [];
  const owner = sim.addDevice('M01');
  const tillCount = opts.tills ?? 3;
  const tills = Array.from({ length: tillCount }, (_, i) =>
    sim.addDevice(`T${String(i + 1).padStart(2, '0')}`, { skewMs: rng.int(-120_000, 120_000) }),
  );
  const emit = (e: DomainEvent): void => void events.push(e);

  emit(owner.configureShop());
  for (const t of tills) emit(owner.enroll(t));
  tills.forEach((t, i) => {
    const staff = owner.addStaff(`Cashier ${i + 1}`, 'cashier');
    emit(staff);
    t.actorId = staff.payload.userId;
  });
  const products = DEMO_PRODUCTS.map((spec) => {
    const e = owner.createProduct(spec);
    emit(e);
    return e.payload.productId;
  });
  for (const name of ['Ramesh Kumar', 'Sunita Devi', 'Anil Traders'])
    emit(owner.createCustomer(name, rng.int(1, 5) * 50_000));
  for (const name of ['Metro Wholesale', 'Sharma Distributors']) emit(owner.createSupplier(name));
  const factor = opts.stockFactor ?? 3;
  emit(
    owner.receiveStock(
      products.map((productId) => ({
        productId,
        qty: Math.max(1, Math.round(sim.product(productId).minStock * factor * rng.next())),
      })),
      { paidBy: 'opening' },
    ),
  );
  // Every till starts from the owner's set-up.
  for (const t of tills) t.receive(events);

  const days = opts.days ?? 2;
  const salesPerDay = opts.salesPerDay ?? 12;
  for (let day = 0; day < days; day++) {
    for (const t of tills) emit(t.openTill(rng.int(0, 20) * 10_000));
    const steps = salesPerDay * tillCount;
    for (let s = 0; s < steps; s++) {
      sim.advance(rng.int(5_000, 600_000));
      const till = rng.pick(tills);
      const cart = randomCart(sim, products);
      emit(till.sell(cart, randomPayment(sim, grossOf(sim, cart))));
      maybeExtras(sim, till, owner, products, emit);
      if (rng.chance(0.15)) {
        // A sync: the till and another device exchange what each has emitted since they last met.
        const other = rng.pick([owner, ...tills]);
        sync(till, other);
        sync(other, till);
      }
    }
    // Close: each till counts its drawer; the owner closes the day with what it has seen.
    for (const t of tills) {
      const expected = rng.int(1, 50) * 10_000;
      emit(t.closeTill(expected, expected - (rng.chance(0.3) ? rng.int(1, 50) * 100 : 0)));
      sync(owner, t);
    }
    const watermark = Object.fromEntries(
      tills.map((t) => [t.deviceId, Math.max(0, t.seq - (rng.chance(0.3) ? 1 : 0))]),
    );
    emit(owner.closeDay(sim.today(), watermark));
    sim.advance(14 * 3_600_000);
  }
  return { sim, owner, tills, events };
}

const cursors = new WeakMap<DeviceSim, Map<DeviceSim, number>>();

/** `to` receives what `from` emitted since the last time they synced. */
function sync(to: DeviceSim, from: DeviceSim): void {
  let seen = cursors.get(to);
  if (!seen) {
    seen = new Map();
    cursors.set(to, seen);
  }
  to.receive(from.log.slice(seen.get(from) ?? 0));
  seen.set(from, from.log.length);
}

function randomCart(sim: ShopSim, products: readonly string[]): SellLine[] {
  const rng = sim.rng;
  const n = rng.int(1, 4);
  return Array.from({ length: n }, () => {
    const productId = rng.pick(products);
    const p = sim.product(productId);
    const qty = p.unit === 'pc' ? rng.int(1, 3) : rng.pick([250, 500, 750, 1000, 1250, 2000]);
    // A line discount of up to a tenth of the line.
    const lineGross = Math.floor((p.sellingPrice * qty) / (p.unit === 'pc' ? 1 : 1000));
    const discount = rng.chance(0.1) ? Math.floor((lineGross * rng.int(1, 10)) / 100) : 0;
    return { productId, qty, ...(discount > 0 ? { lineDiscount: discount } : {}) };
  });
}

function grossOf(sim: ShopSim, cart: readonly SellLine[]): number {
  return cart.reduce((sum, l) => {
    const p = sim.product(l.productId);
    return (
      sum +
      Math.floor((p.sellingPrice * l.qty) / (p.unit === 'pc' ? 1 : 1000)) -
      (l.lineDiscount ?? 0)
    );
  }, 0);
}

function randomPayment(
  sim: ShopSim,
  gross: number,
): { pay?: Tender; customerId?: string; billDiscount?: number } {
  const rng = sim.rng;
  const mode = rng.pick<Tender>(['cash', 'cash', 'cash', 'upi', 'upi', 'card', 'khata']);
  const out: { pay?: Tender; customerId?: string; billDiscount?: number } = { pay: mode };
  if (mode === 'khata' || rng.chance(0.1)) out.customerId = rng.pick(sim.customers);
  // A bill discount of up to 5 %, in whole rupees.
  const billDiscount = Math.floor((gross * rng.int(0, 5)) / 100 / 100) * 100;
  if (rng.chance(0.05) && billDiscount > 0) out.billDiscount = billDiscount;
  return out;
}

function maybeExtras(
  sim: ShopSim,
  till: DeviceSim,
  owner: DeviceSim,
  products: readonly string[],
  emit: (e: DomainEvent) => void,
): void {
  const rng = sim.rng;
  const known = [...till.knownSales.values()];
  if (rng.chance(0.06) && known.length > 0) {
    const sale = rng.pick(known);
    const line = rng.int(0, sale.payload.lines.length - 1);
    const sold = sale.payload.lines[line]?.qty ?? 1;
    emit(
      till.returnSale(sale, [
        { line, qty: Math.max(1, Math.floor(sold / 2)), restock: rng.chance(0.7) },
      ]),
    );
  }
  if (rng.chance(0.03)) {
    const own = till.log.filter(
      (e): e is EventOfType<'v1.SaleCompleted'> => e.type === 'v1.SaleCompleted',
    );
    const last = own.at(-1);
    if (last) emit(till.voidSale(last));
  }
  if (rng.chance(0.05) && sim.customers.length > 0)
    emit(
      till.khataPayment(
        rng.pick(sim.customers),
        rng.int(1, 20) * 1_000,
        rng.pick(['cash', 'upi'] as const),
      ),
    );
  if (rng.chance(0.03))
    emit(till.expense(rng.pick(['tea', 'transport', 'electricity']), rng.int(1, 30) * 1_000));
  if (rng.chance(0.08)) {
    const productId = rng.pick(products);
    const supplierId = rng.pick(sim.suppliers);
    const qty = sim.product(productId).reorderQty * rng.int(1, 3);
    emit(owner.receiveStock([{ productId, qty, expiry: '2026-12-31' }], { supplierId }));
    if (rng.chance(0.5)) emit(owner.paySupplier(supplierId, rng.int(1, 10) * 10_000));
  }
  if (rng.chance(0.03))
    emit(
      owner.adjust(
        rng.pick(products),
        -rng.int(1, 3),
        rng.pick(['damage', 'expiry', 'theft'] as const),
      ),
    );
  if (rng.chance(0.03)) emit(owner.count(rng.pick(products), rng.int(0, 40)));
  if (rng.chance(0.03)) {
    // Two devices edit the same price without seeing each other's edit: a concurrent edit.
    const productId = rng.pick(products);
    const p = sim.product(productId);
    const basedOn = p.priceHlc;
    emit(owner.changePrice(productId, p.sellingPrice + 100, basedOn));
    emit(till.changePrice(productId, p.sellingPrice + 200, basedOn));
  }
}
