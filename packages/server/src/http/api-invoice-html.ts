/**
 * A printable A4 tax document: tax invoice, bill of supply (composition or unregistered shop: "not
 * eligible to collect tax on supplies") or credit note. Self-contained HTML with inline CSS and no
 * script; every piece of text from the books is escaped.
 */
import type { ShopRecord } from '@smartkirana/domain/catalog';
import { formatINR } from '@smartkirana/domain/money';
import { formatQty, type BaseUnit } from '@smartkirana/domain/quantity';
import type { ReturnEvent, SaleEvent } from '@smartkirana/domain/shop-projection';

/** One printed line: what was sold (or returned) and its tax. Amounts in paise. */
interface PrintLine {
  name: string;
  hsn: string;
  unit: BaseUnit;
  qty: number;
  unitPrice: number;
  per: number;
  discount: number;
  taxable: number;
  rateBps: number;
  cgst: number;
  sgst: number;
  igst: number;
}

/** Everything a printed document shows. */
export interface PrintDoc {
  shop: Partial<ShopRecord>;
  sale: SaleEvent;
  /** Present for a credit note. */
  credit?: ReturnEvent;
  buyerName?: string;
  voided: boolean;
}

const COMPOSITION_NOTE = 'Composition taxable person, not eligible to collect tax on supplies';
const UNREGISTERED_NOTE = 'Not registered under GST; no tax is charged';

const CSS = `@page { size: A4; margin: 12mm; }
body { font: 12px/1.4 system-ui, sans-serif; color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 18px; text-align: center; margin: 4px 0; letter-spacing: 1px; text-transform: uppercase; }
.note { text-align: center; font-size: 11px; }
.cols { display: flex; justify-content: space-between; gap: 16px; margin: 8px 0; }
table { width: 100%; border-collapse: collapse; margin-top: 8px; }
th, td { border: 1px solid #999; padding: 3px 5px; text-align: right; }
th { background: #eee; } td.l, th.l { text-align: left; }
.totals td { border: none; } .totals tr:last-child td { font-weight: bold; font-size: 14px; }
.void { color: #b00; font-size: 28px; text-align: center; border: 3px solid #b00; margin: 8px 0; }
footer { margin-top: 24px; font-size: 10px; color: #555; text-align: center; }
.r { text-align: right; }
`;

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The document as a complete HTML page. */
export function renderInvoiceHtml(doc: PrintDoc): string {
  const { shop, sale, credit } = doc;
  const s = sale.payload;
  const lines = credit
    ? creditLines(sale, credit)
    : s.lines.map((l) => ({ ...l, hsn: l.hsn ?? '' }));
  const title = credit
    ? 'Credit Note'
    : s.documentType === 'tax-invoice'
      ? 'Tax Invoice'
      : 'Bill of Supply';
  const number = credit ? credit.payload.creditNoteNo : s.invoiceNo;
  const day = credit ? credit.payload.businessDay : s.businessDay;
  const sum = (k: 'taxable' | 'cgst' | 'sgst' | 'igst'): number =>
    lines.reduce((t, l) => t + l[k], 0);
  const total = credit ? credit.payload.total : s.total;
  const buyer = s.buyer;
  const e = escapeHtml;
  const money = (p: number): string => e(formatINR(p));
  const rows = lines
    .map(
      (l, i) =>
        `<tr><td>${i + 1}</td><td class="l">${e(l.name)}</td><td>${e(l.hsn)}</td>` +
        `<td>${e(formatQty(l.qty, l.unit))}</td><td>${money(l.unitPrice)}${l.per === 1 ? '' : `/${l.unit === 'g' ? 'kg' : 'L'}`}</td>` +
        `<td>${money(l.discount)}</td><td>${money(l.taxable)}</td><td>${l.rateBps / 100}%</td>` +
        `<td>${money(l.cgst)}</td><td>${money(l.sgst)}</td><td>${money(l.igst)}</td>` +
        `<td>${money(l.taxable + l.cgst + l.sgst + l.igst)}</td></tr>`,
    )
    .join('\n');
  const party = buyer
    ? [
        buyer.name,
        buyer.gstin ? `GSTIN ${buyer.gstin}` : '',
        buyer.address ?? '',
        buyer.stateCode ? `State code ${buyer.stateCode}` : '',
      ]
    : [doc.buyerName ?? 'Walk-in customer'];
  const note =
    s.documentType === 'bill-of-supply' && !credit
      ? `<p class="note">${shop.registration === 'composition' ? COMPOSITION_NOTE : UNREGISTERED_NOTE}</p>`
      : '';
  const seller = [
    `<strong>${e(shop.name ?? '')}</strong>`,
    ...(shop.address ? [e(shop.address)] : []),
    ...(shop.phone ? [`Phone ${e(shop.phone)}`] : []),
    ...(shop.gstin ? [`GSTIN ${e(shop.gstin)}`] : []),
    `State code ${e(shop.stateCode ?? '')}`,
  ].join('<br>');
  const reference = [
    `${e(title)} No. <strong>${e(number)}</strong>`,
    `Date ${e(day)}`,
    ...(credit ? [`Against invoice ${e(s.invoiceNo)} of ${e(s.businessDay)}`] : []),
    `Place of supply ${e(s.placeOfSupply)} (${s.supply === 'intra' ? 'intra-state' : 'inter-state'})`,
  ].join('<br>');
  const settled = (credit ? credit.payload.refunds : s.payments)
    .map((x) => `${e(x.mode)} ${money(x.amount)}`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(title)} ${e(number)}</title>
<style>
${CSS}</style></head><body>
<h1>${e(title)}</h1>
${note}
${doc.voided ? '<p class="void">CANCELLED</p>' : ''}
<div class="cols"><div>${seller}</div><div class="r">${reference}</div></div>
<div><strong>Bill to:</strong> ${party
    .filter((x) => x !== '')
    .map(e)
    .join('<br>')}</div>
<table><thead><tr><th>#</th><th class="l">Item</th><th>HSN</th><th>Qty</th><th>Rate</th><th>Discount</th><th>Taxable</th><th>GST</th><th>CGST</th><th>SGST</th><th>IGST</th><th>Amount</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<table class="totals">
<tr><td>Taxable value</td><td>${money(sum('taxable'))}</td></tr>
<tr><td>CGST</td><td>${money(sum('cgst'))}</td></tr>
<tr><td>SGST</td><td>${money(sum('sgst'))}</td></tr>
<tr><td>IGST</td><td>${money(sum('igst'))}</td></tr>
${credit ? '' : `<tr><td>Round off</td><td>${money(s.roundOff)}</td></tr>`}
<tr><td>${credit ? 'Total credit' : 'Total'}</td><td>${money(total)}</td></tr>
</table>
<p><strong>Amount in words:</strong> ${e(rupeesInWords(total))}</p>
<p>${credit ? 'Refunded' : 'Paid'}: ${settled}</p>
<footer>Computer-generated document; no signature required.</footer>
</body></html>
`;
}

/** The returned lines, with the names and rates of the sale lines they come from. */
function creditLines(sale: SaleEvent, credit: ReturnEvent): PrintLine[] {
  return credit.payload.lines.map((l) => {
    const original = sale.payload.lines[l.line];
    return {
      name: original?.name ?? l.productId,
      hsn: original?.hsn ?? '',
      unit: original?.unit ?? 'pc',
      qty: l.qty,
      unitPrice: original?.unitPrice ?? 0,
      per: original?.per ?? 1,
      discount: 0,
      taxable: l.taxable,
      rateBps: original?.rateBps ?? 0,
      cgst: l.cgst,
      sgst: l.sgst,
      igst: l.igst,
    };
  });
}

const ONES = [
  '',
  'One',
  'Two',
  'Three',
  'Four',
  'Five',
  'Six',
  'Seven',
  'Eight',
  'Nine',
  'Ten',
  'Eleven',
  'Twelve',
  'Thirteen',
  'Fourteen',
  'Fifteen',
  'Sixteen',
  'Seventeen',
  'Eighteen',
  'Nineteen',
];
const TENS = ['', '', 'Twenty', 'Thirty', 'Forty', 'Fifty', 'Sixty', 'Seventy', 'Eighty', 'Ninety'];

/** An amount in words the Indian way (lakh, crore): 54500 paise → "Rupees Five Hundred Forty-Five Only". */
export function rupeesInWords(paise: number): string {
  const rupees = Math.floor(Math.abs(paise) / 100);
  const rest = Math.abs(paise) % 100;
  const words = rupees === 0 ? 'Zero' : indian(rupees);
  return `Rupees ${words}${rest ? ` and ${below100(rest)} Paise` : ''} Only`;
}

function indian(n: number): string {
  const parts: string[] = [];
  const crore = Math.floor(n / 10_000_000);
  const lakh = Math.floor((n % 10_000_000) / 100_000);
  const thousand = Math.floor((n % 100_000) / 1000);
  const hundred = Math.floor((n % 1000) / 100);
  const last = n % 100;
  if (crore) parts.push(`${indian(crore)} Crore`);
  if (lakh) parts.push(`${below100(lakh)} Lakh`);
  if (thousand) parts.push(`${below100(thousand)} Thousand`);
  if (hundred) parts.push(`${ONES[hundred] ?? ''} Hundred`);
  if (last) parts.push(below100(last));
  return parts.join(' ');
}

function below100(n: number): string {
  if (n < 20) return ONES[n] ?? '';
  const ten = TENS[Math.floor(n / 10)] ?? '';
  return n % 10 ? `${ten}-${ONES[n % 10] ?? ''}` : ten;
}
