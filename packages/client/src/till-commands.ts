/**
 * What the counter and the stock room can do, each turned into one validated event written
 * locally (no network needed): sell, void, return, receive, adjust, count, khata payment, expense,
 * open and close the till, and the catalogue and party edits for roles allowed to make them.
 * Prices, taxes and numbers come from the shared domain code, so the server re-derives the same.
 */
import { cashAccount } from '@smartkirana/domain/accounts';
import { istDate } from '@smartkirana/domain/calendar';
import type { MoneyMode, Tender } from '@smartkirana/domain/event-fields';
import type { EventOfType, EventType, PayloadOf } from '@smartkirana/domain/events';
import { rateOn, supplyKind, type SupplyKind } from '@smartkirana/domain/gst';
import { sumPaise } from '@smartkirana/domain/money';
import { priceReceipt } from '@smartkirana/domain/purchase-pricing';
import { pricePerUnits } from '@smartkirana/domain/quantity';
import { priceReturn, type ReturnRequest } from '@smartkirana/domain/returns';
import { priceBill, type CartLine, type PricedBill } from '@smartkirana/domain/sale-pricing';
import type { Till } from './till.ts';

export interface CartItem {
  productId: string;
  /** Base units: pieces, grams, millilitres. */
  qty: number;
  lineDiscount?: number;
}

export interface SellInput {
  items: readonly CartItem[];
  /** One tender for the whole bill, or split amounts (must add up to the rounded total). */
  pay?: Tender | { mode: Tender; amount: number; ref?: string }[];
  customerId?: string;
  buyer?: PayloadOf<'v1.SaleCompleted'>['buyer'];
  billDiscount?: number;
  placeOfSupply?: string;
  /** Cash handed over (for change due). */
  tendered?: number;
  orderId?: string;
}

type Sale = EventOfType<'v1.SaleCompleted'>;

export class TillCommands {
  readonly #till: Till;
  readonly #clock: () => number;

  constructor(till: Till, clock: () => number) {
    this.#till = till;
    this.#clock = clock;
  }

  /** Price a cart as `sell` would, without writing anything (for the counter's running total). */
  quote(input: Pick<SellInput, 'items' | 'billDiscount' | 'placeOfSupply'>): PricedBill {
    return this.#price(input).bill;
  }

  /** Ring up a bill: one `v1.SaleCompleted` carrying its invoice number, written locally. */
  async sell(input: SellInput): Promise<Sale> {
    const { bill, day, placeOfSupply, supply, registration } = this.#price(input);
    const payments = Array.isArray(input.pay)
      ? input.pay
      : [{ mode: input.pay ?? 'cash', amount: bill.total }];
    const cash = sumPaise(payments.filter((x) => x.mode === 'cash').map((x) => x.amount));
    const [sale] = await this.#till.record(async (ctx) => [
      {
        type: 'v1.SaleCompleted',
        payload: {
          invoiceNo: await ctx.allocate('invoice', day),
          documentType: registration === 'regular' ? 'tax-invoice' : 'bill-of-supply',
          businessDay: day,
          ...(input.customerId ? { customerId: input.customerId } : {}),
          ...(input.buyer ? { buyer: input.buyer } : {}),
          ...(input.orderId ? { orderId: input.orderId } : {}),
          placeOfSupply,
          supply,
          ...bill,
          payments,
          ...(input.tendered !== undefined
            ? { tendered: input.tendered, change: input.tendered - cash }
            : {}),
        },
      },
    ]);
    return sale as Sale;
  }

  #price(input: Pick<SellInput, 'items' | 'billDiscount' | 'placeOfSupply'>) {
    const p = this.#till.projection;
    const shopState = p.shop.get('stateCode') ?? '27';
    const registration = p.shop.get('registration') ?? 'regular';
    const day = istDate(this.#clock());
    const placeOfSupply = input.placeOfSupply ?? shopState;
    const supply: SupplyKind = supplyKind(shopState, placeOfSupply);
    const cart: CartLine[] = input.items.map((item) => {
      const rec = p.products.get(item.productId)?.value();
      if (!rec?.created || !rec.name || !rec.unit)
        throw new Error(`unknown product ${item.productId}`);
      if (rec.discontinued) throw new Error(`${rec.name} is discontinued`);
      return {
        productId: item.productId,
        name: rec.name,
        hsn: rec.hsn,
        unit: rec.unit,
        per: pricePerUnits(rec.unit),
        qty: item.qty,
        unitPrice: rec.sellingPrice ?? 0,
        lineDiscount: item.lineDiscount ?? 0,
        rateBps: rateOn(p.rateSchedule(item.productId), day) ?? 0,
      };
    });
    const bill = priceBill({
      lines: cart,
      billDiscount: input.billDiscount ?? 0,
      supply,
      billOfSupply: registration !== 'regular',
    });
    return { bill, day, placeOfSupply, supply, registration };
  }

  /** Cancel a bill entered by mistake (manager approval recorded). */
  async voidSale(saleId: string, reason: string, approvedBy?: string): Promise<void> {
    const sale = this.#till.projection.sales.get(saleId);
    if (!sale) throw new Error('unknown sale');
    await this.#till.record(() => [
      {
        type: 'v1.SaleVoided',
        payload: {
          saleId,
          invoiceNo: sale.payload.invoiceNo,
          reason,
          ...(approvedBy ? { approvedBy } : {}),
        },
      },
    ]);
  }

  /** Take goods back against an invoice: a credit note with its own number. */
  async returnSale(
    saleId: string,
    requests: readonly ReturnRequest[],
    refund?: Tender,
  ): Promise<void> {
    const p = this.#till.projection;
    const sale = p.sales.get(saleId);
    if (!sale) throw new Error('unknown sale');
    const already = new Map<number, number>();
    for (const id of p.returnsBySale.get(saleId) ?? []) {
      for (const l of p.returns.get(id)?.payload.lines ?? [])
        already.set(l.line, (already.get(l.line) ?? 0) + l.qty);
    }
    const { lines, total } = priceReturn(sale.payload, requests, already);
    const mode =
      refund ?? (sale.payload.payments.some((x) => x.mode === 'khata') ? 'khata' : 'cash');
    const day = istDate(this.#clock());
    await this.#till.record(async (ctx) => [
      {
        type: 'v1.SaleReturned',
        payload: {
          saleId,
          invoiceNo: sale.payload.invoiceNo,
          creditNoteNo: await ctx.allocate('credit-note', day),
          businessDay: day,
          ...(sale.payload.customerId ? { customerId: sale.payload.customerId } : {}),
          lines,
          total,
          refunds: [{ mode, amount: total }],
        },
      },
    ]);
  }

  /** Goods in from a supplier (or opening stock): `unitCost` is pre-tax per price unit. */
  async receiveStock(
    lines: readonly { productId: string; qty: number; unitCost: number; expiry?: string }[],
    opts: {
      supplierId?: string;
      supplierInvoiceNo?: string;
      paidBy?: PayloadOf<'v1.StockReceived'>['paidBy'];
      supply?: SupplyKind;
    } = {},
  ): Promise<void> {
    const p = this.#till.projection;
    const day = istDate(this.#clock());
    const itc = (p.shop.get('registration') ?? 'regular') === 'regular';
    const receipt = priceReceipt(
      lines.map((l) => ({
        ...l,
        per: pricePerUnits(p.products.get(l.productId)?.get('unit') ?? 'pc'),
        rateBps: rateOn(p.rateSchedule(l.productId), day) ?? 0,
      })),
      opts.supply ?? 'intra',
    );
    const paidBy = opts.paidBy ?? (opts.supplierId ? 'credit' : 'opening');
    await this.#till.record(() => [
      {
        type: 'v1.StockReceived',
        payload: {
          ...(opts.supplierId ? { supplierId: opts.supplierId } : {}),
          ...(opts.supplierInvoiceNo ? { supplierInvoiceNo: opts.supplierInvoiceNo } : {}),
          businessDay: day,
          itcEligible: itc,
          ...receipt,
          paidBy,
        },
      },
    ]);
  }

  /** Write off or find stock. */
  async adjust(
    productId: string,
    qtyDelta: number,
    reason: PayloadOf<'v1.StockAdjusted'>['reason'],
    resolves?: string[],
  ): Promise<void> {
    await this.#till.record(() => [
      {
        type: 'v1.StockAdjusted',
        payload: {
          productId,
          qtyDelta,
          reason,
          rateBps: this.#itcRate(productId),
          ...(resolves ? { resolves } : {}),
        },
      },
    ]);
  }

  /** A physical count: the shelf holds `countedQty`. */
  async count(productId: string, countedQty: number, resolves?: string[]): Promise<void> {
    await this.#till.record(() => [
      {
        type: 'v1.StockCounted',
        payload: {
          productId,
          countedQty,
          rateBps: this.#itcRate(productId),
          ...(resolves ? { resolves } : {}),
        },
      },
    ]);
  }

  async khataPayment(customerId: string, amount: number, mode: MoneyMode = 'cash'): Promise<void> {
    await this.#till.record(() => [
      { type: 'v1.KhataPaymentReceived', payload: { customerId, amount, mode } },
    ]);
  }

  async expense(
    category: string,
    amount: number,
    mode: MoneyMode = 'cash',
    note?: string,
  ): Promise<void> {
    await this.#till.record(() => [
      {
        type: 'v1.ExpenseRecorded',
        payload: { category, amount, mode, ...(note ? { note } : {}) },
      },
    ]);
  }

  async openTill(openingFloat: number): Promise<void> {
    await this.#till.record(() => [
      { type: 'v1.TillOpened', payload: { businessDay: istDate(this.#clock()), openingFloat } },
    ]);
  }

  /** Close the drawer: the expected cash is this till's cash balance as the till sees it now. */
  async closeTill(countedCash: number): Promise<{ expectedCash: number; difference: number }> {
    const account = cashAccount(this.#till.credential.deviceId);
    let expectedCash = 0;
    for (const day of this.#till.projection.balances.values())
      expectedCash += day.get(account) ?? 0;
    await this.#till.record(() => [
      {
        type: 'v1.TillClosed',
        payload: { businessDay: istDate(this.#clock()), expectedCash, countedCash },
      },
    ]);
    return { expectedCash, difference: countedCash - expectedCash };
  }

  /** Any other event (catalogue, parties, acknowledgements), validated like the rest. */
  async record<T extends keyof PayloadMap>(type: T, payload: PayloadMap[T]): Promise<void> {
    await this.#till.record(() => [{ type, payload }]);
  }

  #itcRate(productId: string): number {
    const p = this.#till.projection;
    if ((p.shop.get('registration') ?? 'regular') !== 'regular') return 0;
    return rateOn(p.rateSchedule(productId), istDate(this.#clock())) ?? 0;
  }
}

type PayloadMap = { [T in EventType]: PayloadOf<T> };
