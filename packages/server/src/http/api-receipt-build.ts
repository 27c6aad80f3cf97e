/**
 * Turning a REST goods receipt into a `v1.StockReceived` payload: the supplier and how it was paid,
 * the product's GST rate today (unless the line gives one), whether the supply is inter-state, and
 * the expiry of perishables from their shelf life when the batch does not say. The lines are priced
 * by the domain's `priceReceipt`, as a till prices them.
 */
import { addDays } from '@smartkirana/domain/calendar';
import type { PayloadOf } from '@smartkirana/domain/events';
import { isoDateSchema, rateBpsSchema, rateOn } from '@smartkirana/domain/gst';
import { uuidSchema } from '@smartkirana/domain/ids';
import { nonNegativePaiseSchema } from '@smartkirana/domain/money';
import { priceReceipt, type PurchaseLine } from '@smartkirana/domain/purchase-pricing';
import { positiveQtySchema, pricePerUnits } from '@smartkirana/domain/quantity';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import { invalid, notFound, today } from './api-support.ts';

/** A goods receipt as a REST caller writes it. */
export const receiptInput = z.strictObject({
  supplierId: uuidSchema.optional(),
  supplierInvoiceNo: z.string().min(1).max(40).optional(),
  /** credit (owed to the supplier; the default with a supplier), cash / upi / card / bank, or opening stock. */
  paidBy: z.enum(['credit', 'cash', 'upi', 'card', 'bank', 'opening']).optional(),
  /** Input tax is claimable; by default when the shop is a regular GST dealer. */
  itcEligible: z.boolean().optional(),
  /** intra: CGST + SGST; inter: IGST. By default from the supplier's state against the shop's. */
  supply: z.enum(['intra', 'inter']).optional(),
  lines: z
    .array(
      z.strictObject({
        productId: uuidSchema,
        qty: positiveQtySchema,
        /** Pre-tax cost of the whole line, paise. */
        cost: nonNegativePaiseSchema.optional(),
        /** Pre-tax cost per 1 pc / 1 kg / 1 L, paise; the catalogue cost price when neither is given. */
        unitCost: nonNegativePaiseSchema.optional(),
        rateBps: rateBpsSchema.optional(),
        batch: z.string().max(40).optional(),
        expiry: isoDateSchema.optional(),
      }),
    )
    .min(1)
    .max(500),
});

export type ReceiptInput = z.infer<typeof receiptInput>;

/** Build the receipt payload against the projection. Throws 404 / 422 on bad input. */
export function buildReceipt(
  p: ShopProjection,
  input: ReceiptInput,
): PayloadOf<'v1.StockReceived'> {
  const shop = p.shop.value();
  const day = today();
  const supplier = input.supplierId ? p.suppliers.get(input.supplierId)?.value() : undefined;
  if (input.supplierId && !supplier?.created) throw notFound('supplier');
  const paidBy = input.paidBy ?? (input.supplierId ? 'credit' : 'cash');
  if (paidBy === 'credit' && !input.supplierId)
    throw invalid(['body', 'supplierId'], 'a purchase on credit needs a supplier');
  if (input.itcEligible && shop.registration !== 'regular')
    throw invalid(['body', 'itcEligible'], 'only a regular GST dealer claims input tax');
  const supply =
    input.supply ??
    (supplier?.stateCode && shop.stateCode && supplier.stateCode !== shop.stateCode
      ? 'inter'
      : 'intra');
  const lines = input.lines.map((l, i): PurchaseLine => {
    const rec = p.products.get(l.productId)?.value();
    if (!rec?.created || !rec.unit) throw notFound('product');
    if (l.cost !== undefined && l.unitCost !== undefined)
      throw invalid(['body', 'lines', i, 'cost'], 'give cost or unitCost, not both');
    const rateBps = l.rateBps ?? rateOn(p.rateSchedule(l.productId), day);
    if (rateBps === undefined)
      throw invalid(['body', 'lines', i, 'rateBps'], 'the product has no GST rate in force');
    return {
      ...l,
      unitCost: l.unitCost ?? rec.costPrice ?? 0,
      per: pricePerUnits(rec.unit),
      rateBps,
      expiry:
        l.expiry ??
        (rec.perishable && rec.shelfLifeDays ? addDays(day, rec.shelfLifeDays) : undefined),
    };
  });
  return {
    ...(input.supplierId !== undefined ? { supplierId: input.supplierId } : {}),
    ...(input.supplierInvoiceNo !== undefined
      ? { supplierInvoiceNo: input.supplierInvoiceNo }
      : {}),
    businessDay: day,
    itcEligible: input.itcEligible ?? shop.registration === 'regular',
    ...priceReceipt(lines, supply),
    paidBy,
  };
}
