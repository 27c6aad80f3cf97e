/**
 * Random counter work for fault tests: a cashier at a till rings up sales (cash, UPI, card, khata),
 * takes khata payments and takes goods back against earlier bills, as a seeded schedule says. Every
 * step is one local write: it needs no network, and each one must reach the server exactly once.
 */
import type { Tender } from '@smartkirana/domain/event-fields';
import type { Rng } from '@smartkirana/domain/testing';
import type { Till } from '../till.ts';

/** The catalogue the work sells from (already on the till). */
export interface Catalog {
  productIds: string[];
  customerIds: string[];
}

export type WorkKind = 'sale' | 'khata-payment' | 'return';

export class CounterWork {
  readonly #rng: Rng;
  readonly #catalog: Catalog;
  readonly #sales: string[] = [];
  readonly #returned = new Set<string>();
  readonly done: Record<WorkKind, number> = { sale: 0, 'khata-payment': 0, return: 0 };

  constructor(rng: Rng, catalog: Catalog) {
    this.#rng = rng;
    this.#catalog = catalog;
  }

  /** Whether the till holds the catalogue yet (it arrives by sync). */
  static ready(till: Till, catalog: Catalog): boolean {
    return (
      catalog.productIds.every((id) => till.projection.products.get(id)?.get('created')) &&
      catalog.customerIds.every((id) => till.projection.customers.get(id)?.get('created'))
    );
  }

  /** One step of work on `till`; returns what it did. */
  async step(till: Till): Promise<WorkKind> {
    const rng = this.#rng;
    const roll = rng.next();
    const open = this.#sales.filter((id) => !this.#returned.has(id));
    if (roll < 0.12 && open.length > 0) {
      const saleId = rng.pick(open);
      this.#returned.add(saleId);
      const qty = till.projection.sales.get(saleId)?.payload.lines[0]?.qty ?? 1;
      await till.commands.returnSale(saleId, [{ line: 0, qty, restock: rng.chance(0.7) }]);
      return this.#count('return');
    }
    if (roll < 0.24) {
      const customerId = rng.pick(this.#catalog.customerIds);
      await till.commands.khataPayment(customerId, rng.int(1, 50) * 100, rng.pick(['cash', 'upi']));
      return this.#count('khata-payment');
    }
    const items = this.#catalog.productIds
      .filter(() => rng.chance(0.5))
      .slice(0, 2)
      .map((productId) => ({ productId, qty: this.#quantity(till, productId) }));
    if (items.length === 0) {
      const productId = rng.pick(this.#catalog.productIds);
      items.push({ productId, qty: this.#quantity(till, productId) });
    }
    const pay = rng.pick<Tender>(['cash', 'cash', 'upi', 'card', 'khata']);
    const sale = await till.commands.sell({
      items,
      pay,
      ...(pay === 'khata' ? { customerId: rng.pick(this.#catalog.customerIds) } : {}),
    });
    this.#sales.push(sale.id);
    return this.#count('sale');
  }

  #quantity(till: Till, productId: string): number {
    const unit = till.projection.products.get(productId)?.get('unit');
    // Loose goods in grams or millilitres, packets in pieces.
    return unit === 'g' || unit === 'ml' ? this.#rng.int(1, 8) * 250 : this.#rng.int(1, 3);
  }

  #count(kind: WorkKind): WorkKind {
    this.done[kind] += 1;
    return kind;
  }
}
