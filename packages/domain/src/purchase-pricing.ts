/**
 * Turning goods received (a purchase or opening stock) into receipt lines, and checking one. Each
 * line's pre-tax cost is the supplier's line amount, or the cost per price unit × quantity; input
 * tax on it is CGST + SGST from a supplier in the shop's state and IGST from another. The till, the
 * REST route and the test simulator all price here, so a receipt is worth the same wherever made.
 */
import type { ReceiptLine } from './event-payloads.ts';
import { taxOnExclusive, type SupplyKind } from './gst.ts';
import { sumPaise, type Paise } from './money.ts';
import { extendPrice } from './quantity.ts';
import { lineTotal, type ArithmeticIssue } from './sale-pricing.ts';

/** One line of goods received, as the buyer knows it. */
export interface PurchaseLine {
  productId: string;
  /** Base units received (g, ml, pc). */
  qty: number;
  /** Pre-tax cost per `per` base units (1 pc, 1 kg, 1 L); used when `cost` is not given. */
  unitCost: Paise;
  per: number;
  /** Pre-tax cost of the whole line, when the supplier's bill states it. */
  cost?: Paise | undefined;
  /** The GST rate on the day of the receipt, basis points. */
  rateBps: number;
  batch?: string | undefined;
  /** Best-before date; an empty one means none. */
  expiry?: string | undefined;
}

/** The priced lines and total of a receipt (everything of a `v1.StockReceived` but its parties). */
export interface PricedReceipt {
  lines: ReceiptLine[];
  total: Paise;
}

/** Price goods received: each line's taxable value and input tax, and the tax-inclusive total. */
export function priceReceipt(lines: readonly PurchaseLine[], supply: SupplyKind): PricedReceipt {
  const priced = lines.map((l): ReceiptLine => {
    const taxable = l.cost ?? extendPrice(l.unitCost, l.qty, l.per);
    const tax = taxOnExclusive(taxable, l.rateBps, supply);
    return {
      productId: l.productId,
      qty: l.qty,
      taxable,
      rateBps: l.rateBps,
      cgst: tax.cgst,
      sgst: tax.sgst,
      igst: tax.igst,
      ...(l.batch !== undefined ? { batch: l.batch } : {}),
      ...(l.expiry ? { expiry: l.expiry } : {}),
    };
  });
  return { lines: priced, total: receiptTotal(priced) };
}

/** Re-derive a purchase's line taxes and total. */
export function checkReceiptArithmetic(receipt: {
  lines: readonly ReceiptLine[];
  total: Paise;
}): ArithmeticIssue[] {
  const issues: ArithmeticIssue[] = [];
  receipt.lines.forEach((l, i) => {
    const kind: SupplyKind = l.igst > 0 ? 'inter' : 'intra';
    const expected = taxOnExclusive(l.taxable, l.rateBps, kind);
    // Supplier bills round per line in their own way; accept ±1 paisa per tax head.
    for (const k of ['cgst', 'sgst', 'igst'] as const) {
      if (Math.abs(expected[k] - l[k]) > 1)
        issues.push({ path: ['lines', i, k], message: `expected ${expected[k]}` });
    }
  });
  const total = receiptTotal(receipt.lines);
  if (total !== receipt.total) issues.push({ path: ['total'], message: `expected ${total}` });
  return issues;
}

function receiptTotal(lines: readonly ReceiptLine[]): Paise {
  return sumPaise(lines.map(lineTotal));
}
