/**
 * Turning a REST cart into a `v1.SaleCompleted` payload the way a till would: current selling
 * prices, the GST rate in force today from each product's schedule, CGST + SGST inside the shop's
 * state and IGST outside it, `priceBill` for discounts and round-off, and the next number of the
 * server device's invoice series. Stock and khata limits are checked: a till cannot refuse a sale
 * already handed over, but a REST caller can be told before it happens.
 */
import { buyerSchema } from '@smartkirana/domain/event-payloads';
import { paymentSchema, type Payment } from '@smartkirana/domain/event-fields';
import type { PayloadOf } from '@smartkirana/domain/events';
import { rateOn, stateCodeSchema, supplyKind } from '@smartkirana/domain/gst';
import { uuidSchema } from '@smartkirana/domain/ids';
import { nonNegativePaiseSchema, sumPaise } from '@smartkirana/domain/money';
import { positiveQtySchema, pricePerUnits } from '@smartkirana/domain/quantity';
import { priceBill, type CartLine } from '@smartkirana/domain/sale-pricing';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { domainCheck, invalid, notFound, today, type Allocate } from './api-support.ts';

/** How a sale is paid and billed, apart from its lines (shared with completing an order). */
export const billingInput = z.strictObject({
  billDiscount: nonNegativePaiseSchema.optional(),
  buyer: buyerSchema.optional(),
  /** State the goods go to; the shop's own state (a walk-in sale) when omitted. */
  placeOfSupply: stateCodeSchema.optional(),
  /** Split across cash / upi / card / khata; the whole bill in cash when omitted. */
  payments: z.array(paymentSchema).min(1).max(8).optional(),
  /** Cash handed over, to work out the change. */
  tendered: nonNegativePaiseSchema.optional(),
  /** Record the sale even if stock on hand is short (it shows as an oversell conflict). */
  allowOversell: z.boolean().optional(),
  /** Record a khata sale even if it takes the customer over their credit limit. */
  allowOverLimit: z.boolean().optional(),
});

/** A cart: products and quantities in base units, with optional line discounts (paise). */
export const saleInput = billingInput.extend({
  lines: z
    .array(
      z.strictObject({
        productId: uuidSchema,
        qty: positiveQtySchema,
        lineDiscount: nonNegativePaiseSchema.optional(),
      }),
    )
    .min(1)
    .max(500),
  customerId: uuidSchema.optional(),
});

export type SaleInput = z.infer<typeof saleInput>;
export type SalePayload = PayloadOf<'v1.SaleCompleted'>;

/** Price a cart against the projection and number it. Throws 404 / 409 / 422 on bad input. */
export async function buildSale(
  p: ShopProjection,
  input: SaleInput & { orderId?: string },
  allocate: Allocate,
): Promise<SalePayload> {
  const shop = p.shop.value();
  if (!shop.stateCode) throw new ApiError('conflict', 'the shop is not configured yet');
  const day = today();
  const placeOfSupply = input.placeOfSupply ?? shop.stateCode;
  const billOfSupply = shop.registration !== 'regular';
  const wanted = new Map<string, number>();
  const cart: CartLine[] = input.lines.map((l, i) => {
    const rec = p.products.get(l.productId)?.value();
    if (!rec?.created || !rec.unit || rec.name === undefined) throw notFound('product');
    if (rec.discontinued)
      throw invalid(['body', 'lines', i, 'productId'], `${rec.name} is discontinued`);
    const rateBps = rateOn(p.rateSchedule(l.productId), day);
    if (rateBps === undefined)
      throw invalid(['body', 'lines', i, 'productId'], `${rec.name} has no GST rate in force`);
    wanted.set(l.productId, (wanted.get(l.productId) ?? 0) + l.qty);
    return {
      productId: l.productId,
      name: rec.name,
      hsn: rec.hsn,
      unit: rec.unit,
      per: pricePerUnits(rec.unit),
      qty: l.qty,
      unitPrice: rec.sellingPrice ?? 0,
      lineDiscount: l.lineDiscount ?? 0,
      rateBps,
    };
  });
  if (!input.allowOversell) checkStock(p, wanted);
  const bill = domainCheck(['body', 'lines'], () =>
    priceBill({
      lines: cart,
      billDiscount: input.billDiscount ?? 0,
      supply: supplyKind(shop.stateCode ?? placeOfSupply, placeOfSupply),
      billOfSupply,
    }),
  );
  const payments: Payment[] = input.payments ?? [{ mode: 'cash', amount: bill.total }];
  const paid = sumPaise(payments.map((x) => x.amount));
  if (paid !== bill.total)
    throw invalid(
      ['body', 'payments'],
      `payments add up to ${paid} paise; the bill is ${bill.total}`,
    );
  const khata = sumPaise(payments.filter((x) => x.mode === 'khata').map((x) => x.amount));
  if (input.customerId !== undefined && !p.customers.get(input.customerId)?.get('created'))
    throw notFound('customer');
  if (khata > 0 && input.customerId === undefined)
    throw invalid(['body', 'customerId'], 'a khata payment needs a customer');
  if (khata > 0 && input.customerId !== undefined && !input.allowOverLimit)
    checkCreditLimit(p, input.customerId, khata);
  const cash = sumPaise(payments.filter((x) => x.mode === 'cash').map((x) => x.amount));
  if (input.tendered !== undefined && input.tendered < cash)
    throw invalid(['body', 'tendered'], 'less cash was handed over than the cash payment');
  const invoiceNo = await allocate('invoice', day);
  return {
    invoiceNo,
    documentType: billOfSupply ? 'bill-of-supply' : 'tax-invoice',
    businessDay: day,
    ...(input.customerId !== undefined ? { customerId: input.customerId } : {}),
    ...(input.buyer ? { buyer: input.buyer } : {}),
    ...(input.orderId !== undefined ? { orderId: input.orderId } : {}),
    placeOfSupply,
    supply: supplyKind(shop.stateCode, placeOfSupply),
    ...bill,
    payments,
    ...(input.tendered !== undefined
      ? { tendered: input.tendered, change: input.tendered - cash }
      : {}),
  };
}

function checkStock(p: ShopProjection, wanted: ReadonlyMap<string, number>): void {
  const short = [...wanted]
    .map(([productId, requested]) => ({
      productId,
      requested,
      onHand: p.timelines.get(productId)?.state.qty ?? 0,
    }))
    .filter((s) => s.requested > s.onHand);
  if (short.length > 0)
    throw new ApiError('conflict', 'not enough stock on hand (allowOversell to record anyway)', {
      short,
    });
}

function checkCreditLimit(p: ShopProjection, customerId: string, khata: number): void {
  const balance = sumPaise((p.khata.get(customerId) ?? []).map((e) => e.amount));
  const limit = p.customers.get(customerId)?.get('creditLimit') ?? 0;
  if (balance + khata > limit)
    throw new ApiError('conflict', 'this takes the khata over its credit limit', {
      balance,
      limit,
      requested: khata,
    });
}
