/**
 * Event builders for tests and benchmarks: a simulated shop whose devices emit valid, fully priced
 * events with proper envelopes (UUID v7 ids, gapless device sequences, hybrid logical clocks,
 * per-device invoice series). Deterministic for a given seed. Tests never hand-roll events.
 */
import { istDate } from '../calendar.ts';
import type { ProductSpec } from '../demo-catalog.ts';
import { DEMO_PRODUCTS } from '../demo-catalog.ts';
import type { Role, Tender } from '../event-fields.ts';
import type { DomainEvent, EventOfType, EventType, PayloadOf } from '../events.ts';
import { rateOn, type SupplyKind } from '../gst.ts';
import { HLC_ZERO, decodeHlc, encodeHlc, receiveHlc, tickHlc, type Hlc } from '../hlc.ts';
import { newId } from '../ids.ts';
import { allocateNumber, type SeriesCounter, type SeriesKind } from '../invoice-series.ts';
import { sumPaise } from '../money.ts';
import { priceReceipt } from '../purchase-pricing.ts';
import { pricePerUnits } from '../quantity.ts';
import { priceReturn, type ReturnRequest } from '../returns.ts';
import { priceBill, type CartLine } from '../sale-pricing.ts';
import { Rng } from './rng.ts';

/** 2026-04-01 09:00 IST: the default start of simulated time. */
export const SIM_START_MS = Date.parse('2026-04-01T03:30:00Z');

export interface SimProduct extends ProductSpec {
  productId: string;
  /** HLC of the latest price this simulation has set (what an editor would base an edit on). */
  priceHlc: string | null;
}

export interface ShopSimOptions {
  seed?: number;
  /** Use an existing shop's identity (a server test shop) instead of random ids. */
  shopId?: string;
  ownerId?: string;
  startMs?: number;
  stateCode?: string;
  registration?: 'regular' | 'composition' | 'unregistered';
}

/** A simulated shop: shared identities, a catalogue, a clock, and the devices that emit events. */
export class ShopSim {
  readonly rng: Rng;
  readonly shopId: string;
  readonly ownerId: string;
  readonly stateCode: string;
  readonly registration: 'regular' | 'composition' | 'unregistered';
  readonly products = new Map<string, SimProduct>();
  readonly customers: string[] = [];
  readonly suppliers: string[] = [];
  readonly staff = new Map<string, Role>();
  readonly devices: DeviceSim[] = [];
  /** Simulated true time (ms since epoch). Devices add their own skew. */
  nowMs: number;

  constructor(opts: ShopSimOptions = {}) {
    this.rng = new Rng(opts.seed ?? 1);
    this.shopId = opts.shopId ?? this.rng.uuid();
    this.ownerId = opts.ownerId ?? this.rng.uuid();
    this.staff.set(this.ownerId, 'owner');
    this.stateCode = opts.stateCode ?? '27';
    this.registration = opts.registration ?? 'regular';
    this.nowMs = opts.startMs ?? SIM_START_MS;
  }

  /** Add a device with a code such as T01. `skewMs` makes its clock lie by that much. */
  addDevice(
    code: string,
    opts: { skewMs?: number; actorId?: string; deviceId?: string } = {},
  ): DeviceSim {
    const device = new DeviceSim(
      this,
      opts.deviceId ?? this.rng.uuid(),
      code,
      opts.skewMs ?? 0,
      opts.actorId ?? this.ownerId,
    );
    this.devices.push(device);
    return device;
  }

  /** Let simulated time pass. */
  advance(ms: number): void {
    this.nowMs += ms;
  }

  /** The IST business date of simulated now. */
  today(): string {
    return istDate(this.nowMs);
  }

  product(productId: string): SimProduct {
    const p = this.products.get(productId);
    if (!p) throw new RangeError(`unknown product ${productId}`);
    return p;
  }
}

/** One line of a cart to sell: a product and a quantity in base units. */
export interface SellLine {
  productId: string;
  qty: number;
  lineDiscount?: number;
}

export interface SellOptions {
  /** How to pay: one tender for the whole bill, or explicit split amounts. */
  pay?: Tender | { mode: Tender; amount: number }[];
  customerId?: string;
  /** A registered buyer's details for a B2B tax invoice. */
  buyer?: PayloadOf<'v1.SaleCompleted'>['buyer'];
  billDiscount?: number;
  placeOfSupply?: string;
  /** Cash handed over, for change. */
  tendered?: number;
  day?: string;
}

/** A device of the simulated shop: it numbers, clocks and prices the events it emits. */
export class DeviceSim {
  readonly shop: ShopSim;
  readonly deviceId: string;
  readonly code: string;
  readonly skewMs: number;
  actorId: string;
  seq = 0;
  hlc: Hlc = HLC_ZERO;
  readonly counters = new Map<SeriesKind, SeriesCounter>();
  /** Sales this device knows about (its own and those it received), for returns and voids. */
  readonly knownSales = new Map<string, EventOfType<'v1.SaleCompleted'>>();
  /** Everything this device emitted, in order. */
  readonly log: DomainEvent[] = [];

  constructor(shop: ShopSim, deviceId: string, code: string, skewMs: number, actorId: string) {
    this.shop = shop;
    this.deviceId = deviceId;
    this.code = code;
    this.skewMs = skewMs;
    this.actorId = actorId;
  }

  /** The device's (possibly wrong) wall clock. */
  wallMs(): number {
    return this.shop.nowMs + this.skewMs;
  }

  /** Emit an event with a full envelope. */
  emit<T extends EventType>(type: T, payload: PayloadOf<T>): EventOfType<T> {
    // Every action takes a moment of simulated time, so emission order is also time order.
    this.shop.advance(1);
    const at = this.wallMs();
    this.hlc = tickHlc(this.hlc, at);
    this.seq += 1;
    const event = {
      id: newId({ msecs: at, random: this.shop.rng.bytes16() }),
      shopId: this.shop.shopId,
      deviceId: this.deviceId,
      deviceSeq: this.seq,
      hlc: encodeHlc(this.hlc),
      actorId: this.actorId,
      at,
      type,
      payload,
    } as EventOfType<T>;
    this.log.push(event);
    if (event.type === 'v1.SaleCompleted')
      this.knownSales.set(event.id, event as EventOfType<'v1.SaleCompleted'>);
    return event;
  }

  /** Take in events from elsewhere (a sync): the clock moves past them and their sales become known. */
  receive(events: Iterable<DomainEvent>): void {
    for (const e of events) {
      this.hlc = receiveHlc(this.hlc, decodeHlc(e.hlc), this.wallMs());
      if (e.type === 'v1.SaleCompleted') this.knownSales.set(e.id, e);
    }
  }

  configureShop(name = 'Demo Kirana Store'): EventOfType<'v1.ShopConfigured'> {
    return this.emit('v1.ShopConfigured', {
      name,
      stateCode: this.shop.stateCode,
      registration: this.shop.registration,
    });
  }

  enroll(
    device: DeviceSim,
    kind: 'till' | 'server' | 'phone' = 'till',
  ): EventOfType<'v1.DeviceEnrolled'> {
    return this.emit('v1.DeviceEnrolled', {
      deviceId: device.deviceId,
      code: device.code,
      name: `Till ${device.code}`,
      kind,
    });
  }

  addStaff(name: string, role: Role): EventOfType<'v1.StaffAdded'> {
    const userId = this.shop.rng.uuid();
    this.shop.staff.set(userId, role);
    return this.emit('v1.StaffAdded', { userId, name, role });
  }

  createProduct(
    spec: ProductSpec = this.shop.rng.pick(DEMO_PRODUCTS),
  ): EventOfType<'v1.ProductCreated'> {
    const productId = this.shop.rng.uuid();
    const event = this.emit('v1.ProductCreated', { productId, ...spec });
    this.shop.products.set(productId, { ...spec, productId, priceHlc: event.hlc });
    return event;
  }

  createCustomer(name: string, creditLimit = 200_000): EventOfType<'v1.CustomerCreated'> {
    const customerId = this.shop.rng.uuid();
    this.shop.customers.push(customerId);
    return this.emit('v1.CustomerCreated', { customerId, name, creditLimit });
  }

  createSupplier(name: string): EventOfType<'v1.SupplierCreated'> {
    const supplierId = this.shop.rng.uuid();
    this.shop.suppliers.push(supplierId);
    return this.emit('v1.SupplierCreated', { supplierId, name });
  }

  /** Ring up a bill: price it, allocate the invoice number, record the payments. */
  sell(lines: readonly SellLine[], opts: SellOptions = {}): EventOfType<'v1.SaleCompleted'> {
    const day = opts.day ?? istDate(this.wallMs());
    const placeOfSupply = opts.placeOfSupply ?? this.shop.stateCode;
    const supply: SupplyKind = placeOfSupply === this.shop.stateCode ? 'intra' : 'inter';
    const billOfSupply = this.shop.registration !== 'regular';
    const cart: CartLine[] = lines.map((l) => {
      const p = this.shop.product(l.productId);
      return {
        productId: p.productId,
        name: p.name,
        hsn: p.hsn,
        unit: p.unit,
        per: pricePerUnits(p.unit),
        qty: l.qty,
        unitPrice: p.sellingPrice,
        lineDiscount: l.lineDiscount ?? 0,
        rateBps: rateOn(p.gst, day) ?? 0,
      };
    });
    const bill = priceBill({
      lines: cart,
      billDiscount: opts.billDiscount ?? 0,
      supply,
      billOfSupply,
    });
    const payments = Array.isArray(opts.pay)
      ? opts.pay
      : [{ mode: opts.pay ?? 'cash', amount: bill.total }].filter((p) => p.amount > 0);
    const cash = sumPaise(payments.filter((p) => p.mode === 'cash').map((p) => p.amount));
    const { number } = this.#allocate('invoice', day);
    return this.emit('v1.SaleCompleted', {
      invoiceNo: number,
      documentType: billOfSupply ? 'bill-of-supply' : 'tax-invoice',
      businessDay: day,
      ...(opts.customerId ? { customerId: opts.customerId } : {}),
      ...(opts.buyer ? { buyer: opts.buyer } : {}),
      placeOfSupply,
      supply,
      ...bill,
      payments,
      ...(opts.tendered !== undefined
        ? { tendered: opts.tendered, change: opts.tendered - cash }
        : {}),
    });
  }

  voidSale(
    sale: EventOfType<'v1.SaleCompleted'>,
    reason = 'entered by mistake',
  ): EventOfType<'v1.SaleVoided'> {
    return this.emit('v1.SaleVoided', {
      saleId: sale.id,
      invoiceNo: sale.payload.invoiceNo,
      reason,
    });
  }

  /** Issue a credit note for part of a sale; refunds go back the way the bill was paid (cash by default). */
  returnSale(
    sale: EventOfType<'v1.SaleCompleted'>,
    requests: readonly ReturnRequest[],
    opts: { alreadyReturned?: ReadonlyMap<number, number>; refund?: Tender } = {},
  ): EventOfType<'v1.SaleReturned'> {
    const day = istDate(this.wallMs());
    const { lines, total } = priceReturn(sale.payload, requests, opts.alreadyReturned);
    const refund =
      opts.refund ?? (sale.payload.payments.some((p) => p.mode === 'khata') ? 'khata' : 'cash');
    const { number } = this.#allocate('credit-note', day);
    return this.emit('v1.SaleReturned', {
      saleId: sale.id,
      invoiceNo: sale.payload.invoiceNo,
      creditNoteNo: number,
      businessDay: day,
      ...(sale.payload.customerId ? { customerId: sale.payload.customerId } : {}),
      lines,
      total,
      refunds: [{ mode: refund, amount: total }],
    });
  }

  /** Receive stock: `unitCost` is the pre-tax cost per `per` units of each product. */
  receiveStock(
    lines: readonly { productId: string; qty: number; unitCost?: number; expiry?: string }[],
    opts: {
      supplierId?: string;
      paidBy?: PayloadOf<'v1.StockReceived'>['paidBy'];
      supply?: SupplyKind;
    } = {},
  ): EventOfType<'v1.StockReceived'> {
    const day = istDate(this.wallMs());
    const itc = this.shop.registration === 'regular';
    const receipt = priceReceipt(
      lines.map((l) => {
        const p = this.shop.product(l.productId);
        return {
          ...l,
          unitCost: l.unitCost ?? p.costPrice,
          per: pricePerUnits(p.unit),
          rateBps: rateOn(p.gst, day) ?? 0,
        };
      }),
      opts.supply ?? 'intra',
    );
    const paidBy = opts.paidBy ?? (opts.supplierId ? 'credit' : 'opening');
    return this.emit('v1.StockReceived', {
      ...(opts.supplierId ? { supplierId: opts.supplierId } : {}),
      businessDay: day,
      itcEligible: itc,
      ...receipt,
      paidBy,
    });
  }

  adjust(
    productId: string,
    qtyDelta: number,
    reason: PayloadOf<'v1.StockAdjusted'>['reason'] = 'damage',
  ): EventOfType<'v1.StockAdjusted'> {
    return this.emit('v1.StockAdjusted', {
      productId,
      qtyDelta,
      reason,
      rateBps: this.#itcRate(productId),
    });
  }

  count(
    productId: string,
    countedQty: number,
    resolves?: string[],
  ): EventOfType<'v1.StockCounted'> {
    return this.emit('v1.StockCounted', {
      productId,
      countedQty,
      rateBps: this.#itcRate(productId),
      ...(resolves ? { resolves } : {}),
    });
  }

  /** Set a price, based by default on the latest price the simulation set. */
  changePrice(
    productId: string,
    sellingPrice: number,
    basedOn: string | null = this.shop.product(productId).priceHlc,
  ): EventOfType<'v1.PriceChanged'> {
    const p = this.shop.product(productId);
    const event = this.emit('v1.PriceChanged', { productId, sellingPrice, basedOn });
    p.sellingPrice = sellingPrice;
    p.priceHlc = event.hlc;
    return event;
  }

  khataPayment(
    customerId: string,
    amount: number,
    mode: 'cash' | 'upi' | 'card' | 'bank' = 'cash',
  ): EventOfType<'v1.KhataPaymentReceived'> {
    return this.emit('v1.KhataPaymentReceived', { customerId, amount, mode });
  }

  paySupplier(
    supplierId: string,
    amount: number,
    mode: 'cash' | 'upi' | 'card' | 'bank' = 'bank',
  ): EventOfType<'v1.SupplierPaid'> {
    return this.emit('v1.SupplierPaid', { supplierId, amount, mode });
  }

  expense(
    category: string,
    amount: number,
    mode: 'cash' | 'upi' | 'card' | 'bank' = 'cash',
  ): EventOfType<'v1.ExpenseRecorded'> {
    return this.emit('v1.ExpenseRecorded', { category, amount, mode });
  }

  openTill(openingFloat = 0): EventOfType<'v1.TillOpened'> {
    return this.emit('v1.TillOpened', { businessDay: istDate(this.wallMs()), openingFloat });
  }

  closeTill(expectedCash: number, countedCash: number): EventOfType<'v1.TillClosed'> {
    return this.emit('v1.TillClosed', {
      businessDay: istDate(this.wallMs()),
      expectedCash,
      countedCash,
    });
  }

  /** Close a business day, marking the last sequence seen from each device. */
  closeDay(day: string, watermark: Record<string, number>): EventOfType<'v1.DayClosed'> {
    return this.emit('v1.DayClosed', { businessDay: day, watermark });
  }

  acknowledge(conflictId: string, note = 'seen'): EventOfType<'v1.ConflictAcknowledged'> {
    return this.emit('v1.ConflictAcknowledged', { conflictId, note });
  }

  #allocate(kind: SeriesKind, day: string): { number: string } {
    const { number, counter } = allocateNumber(this.counters.get(kind), this.code, kind, day);
    this.counters.set(kind, counter);
    return { number };
  }

  #itcRate(productId: string): number {
    if (this.shop.registration !== 'regular') return 0;
    return rateOn(this.shop.product(productId).gst, istDate(this.wallMs())) ?? 0;
  }
}
