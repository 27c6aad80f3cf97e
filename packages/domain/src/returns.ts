/**
 * Credit notes. A return refunds a proportional share of each original line, computed cumulatively
 * so that returning a line in several parts never refunds more than the line was sold for.
 */
import type { z } from 'zod';
import type { ReturnLine, saleReturned } from './event-payloads.ts';
import { mulDiv, sumPaise, type Paise } from './money.ts';
import type { SalePayload } from './sale-pricing.ts';
import type { ArithmeticIssue } from './sale-pricing.ts';

export type ReturnPayload = z.infer<typeof saleReturned>;

/** What is being returned: a line of the original sale, how much, and whether it goes back on the shelf. */
export interface ReturnRequest {
  line: number;
  qty: number;
  restock: boolean;
}

/**
 * Price the returned lines of `sale`. `alreadyReturned` maps a line index to the quantity returned
 * by earlier credit notes. Throws if a request returns more than is left of a line.
 */
export function priceReturn(
  sale: Pick<SalePayload, 'lines'>,
  requests: readonly ReturnRequest[],
  alreadyReturned: ReadonlyMap<number, number> = new Map(),
): { lines: ReturnLine[]; total: Paise } {
  const lines = requests.map((r) => {
    const original = sale.lines[r.line];
    if (!original) throw new RangeError(`the sale has no line ${r.line}`);
    const before = alreadyReturned.get(r.line) ?? 0;
    if (before + r.qty > original.qty)
      throw new RangeError(`line ${r.line}: returning more than was sold`);
    const share = (x: Paise): Paise =>
      mulDiv(x, before + r.qty, original.qty) - mulDiv(x, before, original.qty);
    return {
      line: r.line,
      productId: original.productId,
      qty: r.qty,
      restock: r.restock,
      taxable: share(original.taxable),
      cgst: share(original.cgst),
      sgst: share(original.sgst),
      igst: share(original.igst),
    };
  });
  return { lines, total: sumPaise(lines.map((l) => l.taxable + l.cgst + l.sgst + l.igst)) };
}

/** Internal consistency of a credit note: totals and refunds add up. */
export function checkReturnArithmetic(ret: ReturnPayload): ArithmeticIssue[] {
  const issues: ArithmeticIssue[] = [];
  const total = sumPaise(ret.lines.map((l) => l.taxable + l.cgst + l.sgst + l.igst));
  if (total !== ret.total) issues.push({ path: ['total'], message: `expected ${total}` });
  const refunded = sumPaise(ret.refunds.map((p) => p.amount));
  if (refunded !== ret.total)
    issues.push({ path: ['refunds'], message: `refunds add up to ${refunded}, not ${ret.total}` });
  if (ret.refunds.some((p) => p.mode === 'khata') && !ret.customerId) {
    issues.push({ path: ['customerId'], message: 'a khata refund needs the customer' });
  }
  const seen = new Set<number>();
  ret.lines.forEach((l, i) => {
    if (seen.has(l.line))
      issues.push({ path: ['lines', i, 'line'], message: 'line returned twice in one note' });
    seen.add(l.line);
  });
  return issues;
}

/**
 * Check a credit note against the sale it returns (context the server and tills both have): the
 * lines exist, products match, quantities are left, and amounts are the proportional share.
 */
export function checkReturnAgainstSale(
  sale: Pick<SalePayload, 'lines' | 'invoiceNo'>,
  ret: ReturnPayload,
  alreadyReturned: ReadonlyMap<number, number>,
): ArithmeticIssue[] {
  if (ret.invoiceNo !== sale.invoiceNo)
    return [{ path: ['invoiceNo'], message: 'does not match the sale' }];
  const issues: ArithmeticIssue[] = [];
  ret.lines.forEach((l, i) => {
    const original = sale.lines[l.line];
    if (!original)
      return issues.push({ path: ['lines', i, 'line'], message: 'no such line in the sale' });
    if (original.productId !== l.productId)
      issues.push({
        path: ['lines', i, 'productId'],
        message: 'product differs from the sale line',
      });
    if ((alreadyReturned.get(l.line) ?? 0) + l.qty > original.qty) {
      return issues.push({ path: ['lines', i, 'qty'], message: 'more than is left to return' });
    }
    const [expected] = priceReturn(sale, [l], alreadyReturned).lines;
    for (const k of ['taxable', 'cgst', 'sgst', 'igst'] as const) {
      if (expected && expected[k] !== l[k])
        issues.push({ path: ['lines', i, k], message: `expected ${expected[k]}` });
    }
    return undefined;
  });
  return issues;
}
