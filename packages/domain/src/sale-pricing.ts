/**
 * Turning a cart into a sale document, and checking one. The till prices the bill; the server
 * re-checks the arithmetic with the same functions, so a tampered or buggy total never reaches
 * the books.
 */
import type { z } from 'zod';
import { splitInclusive, type SupplyKind } from './gst.ts';
import { allocate, roundToRupee, sumPaise, type Paise } from './money.ts';
import { extendPrice, type BaseUnit } from './quantity.ts';
import type { saleCompleted, SaleLine } from './event-payloads.ts';

export type SalePayload = z.infer<typeof saleCompleted>;

/** One cart line as the counter knows it. */
export interface CartLine {
  productId: string;
  name: string;
  hsn?: string | undefined;
  unit: BaseUnit;
  per: number;
  qty: number;
  unitPrice: Paise;
  lineDiscount?: Paise;
  rateBps: number;
}

/** Everything needed to price a bill. */
export interface CartInput {
  lines: readonly CartLine[];
  billDiscount?: Paise;
  supply: SupplyKind;
  /** Bill of supply (composition dealer or exempt): no tax is collected. */
  billOfSupply?: boolean;
}

/** The priced lines and totals of a bill (everything of a sale except numbering and payments). */
export type PricedBill = Pick<
  SalePayload,
  'lines' | 'billDiscount' | 'subtotal' | 'roundOff' | 'total'
>;

/** Price a cart: extend each line, spread the bill discount, split GST, round the bill to the rupee. */
export function priceBill(cart: CartInput): PricedBill {
  const grosses = cart.lines.map((l) => extendPrice(l.unitPrice, l.qty, l.per));
  const afterLine = cart.lines.map((l, i) => (grosses[i] ?? 0) - (l.lineDiscount ?? 0));
  if (afterLine.some((v) => v < 0)) throw new RangeError('a line discount exceeds the line amount');
  const billDiscount = cart.billDiscount ?? 0;
  const afterLineTotal = sumPaise(afterLine);
  if (billDiscount > afterLineTotal) throw new RangeError('bill discount exceeds the bill');
  const shares = billDiscount === 0 ? afterLine.map(() => 0) : allocate(billDiscount, afterLine);
  const lines: SaleLine[] = cart.lines.map((l, i) => {
    const gross = grosses[i] ?? 0;
    const discount = (l.lineDiscount ?? 0) + (shares[i] ?? 0);
    return priceLine(l, gross, discount, cart.supply, cart.billOfSupply === true);
  });
  const subtotal = sumPaise(lines.map(lineTotal));
  const { rounded, roundOff } = roundToRupee(subtotal);
  return { lines, billDiscount, subtotal, roundOff, total: rounded };
}

/** A line's tax-inclusive amount after discount. */
export function lineTotal(l: Pick<SaleLine, 'taxable' | 'cgst' | 'sgst' | 'igst'>): Paise {
  return l.taxable + l.cgst + l.sgst + l.igst;
}

/** An arithmetic problem found in a document, with the path of the offending field. */
export interface ArithmeticIssue {
  path: (string | number)[];
  message: string;
}

/** Re-derive every computed amount of a sale and report each one that differs. */
export function checkSaleArithmetic(sale: SalePayload): ArithmeticIssue[] {
  const issues: ArithmeticIssue[] = [];
  const billOfSupply = sale.documentType === 'bill-of-supply';
  sale.lines.forEach((l, i) => {
    const gross = extendPrice(l.unitPrice, l.qty, l.per);
    if (l.discount > gross)
      issues.push({ path: ['lines', i, 'discount'], message: 'discount exceeds the line amount' });
    const expected = priceLine(l, gross, l.discount, sale.supply, billOfSupply);
    for (const k of ['taxable', 'grossTaxable', 'cgst', 'sgst', 'igst'] as const) {
      if (expected[k] !== l[k])
        issues.push({ path: ['lines', i, k], message: `expected ${expected[k]}, got ${l[k]}` });
    }
  });
  if (billOfSupply) {
    sale.lines.forEach((l, i) => {
      if (l.rateBps !== 0)
        issues.push({ path: ['lines', i, 'rateBps'], message: 'a bill of supply charges no tax' });
    });
  }
  const discounts = sumPaise(sale.lines.map((l) => l.discount));
  if (sale.billDiscount > discounts) {
    issues.push({
      path: ['billDiscount'],
      message: 'bill discount is more than the discounts on the lines',
    });
  }
  const subtotal = sumPaise(sale.lines.map(lineTotal));
  if (subtotal !== sale.subtotal)
    issues.push({ path: ['subtotal'], message: `expected ${subtotal}` });
  const { rounded, roundOff } = roundToRupee(sale.subtotal);
  if (roundOff !== sale.roundOff)
    issues.push({ path: ['roundOff'], message: `expected ${roundOff}` });
  if (rounded !== sale.total) issues.push({ path: ['total'], message: `expected ${rounded}` });
  const paid = sumPaise(sale.payments.map((p) => p.amount));
  if (paid !== sale.total)
    issues.push({ path: ['payments'], message: `payments add up to ${paid}, not ${sale.total}` });
  if (sale.payments.some((p) => p.mode === 'khata') && !sale.customerId) {
    issues.push({ path: ['customerId'], message: 'a khata payment needs a customer' });
  }
  if (sale.change !== undefined || sale.tendered !== undefined) {
    const cash = sumPaise(sale.payments.filter((p) => p.mode === 'cash').map((p) => p.amount));
    if ((sale.tendered ?? 0) - (sale.change ?? 0) !== cash) {
      issues.push({ path: ['change'], message: 'tendered − change must equal the cash payment' });
    }
  }
  return issues;
}

function priceLine(
  l: Pick<
    CartLine,
    'productId' | 'name' | 'hsn' | 'unit' | 'per' | 'qty' | 'unitPrice' | 'rateBps'
  >,
  gross: Paise,
  discount: Paise,
  supply: SupplyKind,
  billOfSupply: boolean,
): SaleLine {
  const rateBps = billOfSupply ? 0 : l.rateBps;
  const net = splitInclusive(gross - discount, rateBps, supply);
  const grossTaxable = splitInclusive(gross, rateBps, supply).taxable;
  return {
    productId: l.productId,
    name: l.name,
    ...(l.hsn === undefined ? {} : { hsn: l.hsn }),
    unit: l.unit,
    per: l.per,
    qty: l.qty,
    unitPrice: l.unitPrice,
    discount,
    taxable: net.taxable,
    grossTaxable,
    rateBps,
    cgst: net.cgst,
    sgst: net.sgst,
    igst: net.igst,
  };
}
