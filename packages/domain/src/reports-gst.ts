/**
 * GST returns from the documents in the event set: GSTR-1 sections (b2b, b2cl, b2cs, cdnr, cdnur,
 * hsn, doc) and a period summary of output tax, input tax and the net payable. Cancelled (voided)
 * invoices carry no value and are counted in the document summary; bills of supply carry no tax.
 */
import type { TaxSplit } from './gst.ts';
import { parseInvoiceNumber } from './invoice-series.ts';
import { accountBalances, inRange, type DateRange } from './reports-books.ts';
import type { ReturnEvent, SaleEvent, ShopProjection } from './shop-projection.ts';

/** Inter-state B2C invoices above ₹1,00,000 are reported invoice by invoice (b2cl). */
export const B2CL_THRESHOLD = 10_000_000;

export interface RateAmounts {
  rateBps: number;
  taxable: number;
  cgst: number;
  sgst: number;
  igst: number;
}

export interface InvoiceRow {
  invoiceNo: string;
  day: string;
  /** Buyer's GSTIN (b2b) or empty. */
  gstin: string;
  placeOfSupply: string;
  value: number;
  items: RateAmounts[];
}

export interface NoteRow extends Omit<InvoiceRow, 'invoiceNo'> {
  noteNo: string;
  invoiceNo: string;
}

export interface B2csRow extends RateAmounts {
  placeOfSupply: string;
  supply: 'intra' | 'inter';
}

export interface HsnRow {
  hsn: string;
  rateBps: number;
  /** Unit quantity code: KGS, LTR or NOS. */
  uqc: 'KGS' | 'LTR' | 'NOS';
  /** Quantity in the UQC (kilograms, litres, pieces), to three decimals. */
  qty: number;
  value: number;
  taxable: number;
  cgst: number;
  sgst: number;
  igst: number;
}

export interface DocRow {
  series: string;
  kind: 'invoice' | 'credit-note';
  from: string;
  to: string;
  total: number;
  cancelled: number;
}

export interface Gstr1 {
  range: DateRange;
  b2b: InvoiceRow[];
  b2cl: InvoiceRow[];
  b2cs: B2csRow[];
  cdnr: NoteRow[];
  cdnur: NoteRow[];
  hsn: HsnRow[];
  doc: DocRow[];
}

/** GSTR-1 for a range of business days. */
export function gstr1(p: ShopProjection, range: DateRange): Gstr1 {
  const b2b: InvoiceRow[] = [];
  const b2cl: InvoiceRow[] = [];
  const b2cs = new Map<string, B2csRow>();
  const hsn = new Map<string, HsnRow>();
  const sales = [...p.sales.values()]
    .filter((s) => inRange(s.payload.businessDay, range))
    .sort(byKey);
  for (const sale of sales) {
    if (p.isVoided(sale.id) || sale.payload.documentType !== 'tax-invoice') continue;
    const row = invoiceRow(sale);
    const kind = classify(sale);
    if (kind === 'b2b') b2b.push(row);
    else if (kind === 'b2cl') b2cl.push(row);
    else
      for (const item of row.items)
        addB2cs(b2cs, sale.payload.placeOfSupply, sale.payload.supply, item, 1);
    for (const l of sale.payload.lines) addHsn(hsn, l.hsn ?? '', l.rateBps, l.unit, l.qty, l, 1);
  }
  const cdnr: NoteRow[] = [];
  const cdnur: NoteRow[] = [];
  const returns = [...p.returns.values()]
    .filter((r) => inRange(r.payload.businessDay, range))
    .sort(byKey);
  for (const ret of returns) {
    const sale = p.sales.get(ret.payload.saleId);
    if (!sale || sale.payload.documentType !== 'tax-invoice') continue;
    const kind = classify(sale);
    const row = noteRow(ret, sale);
    if (kind === 'b2b') cdnr.push(row);
    else if (kind === 'b2cl') cdnur.push(row);
    else
      for (const item of row.items)
        addB2cs(b2cs, sale.payload.placeOfSupply, sale.payload.supply, item, -1);
    for (const l of ret.payload.lines) {
      const original = sale.payload.lines[l.line];
      if (original) addHsn(hsn, original.hsn ?? '', original.rateBps, original.unit, l.qty, l, -1);
    }
  }
  return {
    range,
    b2b,
    b2cl,
    b2cs: [...b2cs.values()].sort((a, b) =>
      a.placeOfSupply !== b.placeOfSupply
        ? a.placeOfSupply < b.placeOfSupply
          ? -1
          : 1
        : a.supply !== b.supply
          ? a.supply < b.supply
            ? -1
            : 1
          : a.rateBps - b.rateBps,
    ),
    cdnr,
    cdnur,
    hsn: [...hsn.values()].sort((a, b) =>
      a.hsn < b.hsn ? -1 : a.hsn > b.hsn ? 1 : a.rateBps - b.rateBps,
    ),
    doc: documentSummary(p, range),
  };
}

export interface GstSummary {
  range: DateRange;
  output: { cgst: number; sgst: number; igst: number };
  input: { cgst: number; sgst: number; igst: number };
  /** Output − input, per head; positive is payable. */
  net: { cgst: number; sgst: number; igst: number };
  outputByRate: RateAmounts[];
  /** Input tax claimed on purchases, by rate (before reversals on losses). */
  inputByRate: RateAmounts[];
}

/** Output and input tax for a period, from the ledger (input net of credit reversed on losses). */
export function gstSummary(p: ShopProjection, range: DateRange): GstSummary {
  const rows = accountBalances(p, range);
  const bal = (code: string): number => rows.find((r) => r.account === code)?.balance ?? 0;
  const output = { cgst: -bal('out-cgst'), sgst: -bal('out-sgst'), igst: -bal('out-igst') };
  const input = { cgst: bal('in-cgst'), sgst: bal('in-sgst'), igst: bal('in-igst') };
  const byRate = new Map<number, RateAmounts>();
  const r1 = gstr1(p, range);
  const outward: RateAmounts[] = [...[...r1.b2b, ...r1.b2cl].flatMap((i) => i.items), ...r1.b2cs];
  for (const item of outward) addRate(byRate, item, 1);
  for (const item of [...r1.cdnr, ...r1.cdnur].flatMap((i) => i.items)) addRate(byRate, item, -1);
  const inputRates = new Map<number, RateAmounts>();
  for (const receipt of p.receipts.values()) {
    if (!receipt.payload.itcEligible || !inRange(receipt.payload.businessDay, range)) continue;
    for (const l of receipt.payload.lines) addRate(inputRates, l, 1);
  }
  return {
    range,
    output,
    input,
    inputByRate: [...inputRates.values()].sort((a, b) => a.rateBps - b.rateBps),
    net: {
      cgst: output.cgst - input.cgst,
      sgst: output.sgst - input.sgst,
      igst: output.igst - input.igst,
    },
    outputByRate: [...byRate.values()].sort((a, b) => a.rateBps - b.rateBps),
  };
}

/** Document summary per series: first and last number in the range, count issued, count cancelled. */
export function documentSummary(p: ShopProjection, range: DateRange): DocRow[] {
  interface Series {
    kind: DocRow['kind'];
    seqs: number[];
    numbers: Map<number, string>;
    cancelled: number;
  }
  const series = new Map<string, Series>();
  const add = (number: string, kind: DocRow['kind'], cancelled: boolean): void => {
    const parsed = parseInvoiceNumber(number);
    if (!parsed) return;
    const id = `${parsed.prefix}/${parsed.fy}`;
    const s: Series = series.get(id) ?? {
      kind,
      seqs: [],
      numbers: new Map<number, string>(),
      cancelled: 0,
    };
    s.seqs.push(parsed.seq);
    s.numbers.set(parsed.seq, number);
    if (cancelled) s.cancelled += 1;
    series.set(id, s);
  };
  for (const sale of p.sales.values()) {
    if (inRange(sale.payload.businessDay, range))
      add(sale.payload.invoiceNo, 'invoice', p.isVoided(sale.id));
  }
  for (const ret of p.returns.values()) {
    if (inRange(ret.payload.businessDay, range))
      add(ret.payload.creditNoteNo, 'credit-note', false);
  }
  return [...series]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, s]) => {
      const min = Math.min(...s.seqs);
      const max = Math.max(...s.seqs);
      return {
        series: id,
        kind: s.kind,
        from: s.numbers.get(min) ?? '',
        to: s.numbers.get(max) ?? '',
        total: max - min + 1,
        cancelled: s.cancelled,
      };
    });
}

function classify(sale: SaleEvent): 'b2b' | 'b2cl' | 'b2cs' {
  if (sale.payload.buyer?.gstin) return 'b2b';
  if (sale.payload.supply === 'inter' && sale.payload.total > B2CL_THRESHOLD) return 'b2cl';
  return 'b2cs';
}

function invoiceRow(sale: SaleEvent): InvoiceRow {
  const byRate = new Map<number, RateAmounts>();
  for (const l of sale.payload.lines) addRate(byRate, { ...l }, 1);
  return {
    invoiceNo: sale.payload.invoiceNo,
    day: sale.payload.businessDay,
    gstin: sale.payload.buyer?.gstin ?? '',
    placeOfSupply: sale.payload.placeOfSupply,
    value: sale.payload.total,
    items: [...byRate.values()].sort((a, b) => a.rateBps - b.rateBps),
  };
}

function noteRow(ret: ReturnEvent, sale: SaleEvent): NoteRow {
  const byRate = new Map<number, RateAmounts>();
  for (const l of ret.payload.lines) {
    const rateBps = sale.payload.lines[l.line]?.rateBps ?? 0;
    addRate(byRate, { rateBps, taxable: l.taxable, cgst: l.cgst, sgst: l.sgst, igst: l.igst }, 1);
  }
  return {
    noteNo: ret.payload.creditNoteNo,
    invoiceNo: ret.payload.invoiceNo,
    day: ret.payload.businessDay,
    gstin: sale.payload.buyer?.gstin ?? '',
    placeOfSupply: sale.payload.placeOfSupply,
    value: ret.payload.total,
    items: [...byRate.values()].sort((a, b) => a.rateBps - b.rateBps),
  };
}

function addRate(map: Map<number, RateAmounts>, item: RateAmounts, sign: 1 | -1): void {
  const row = map.get(item.rateBps) ?? {
    rateBps: item.rateBps,
    taxable: 0,
    cgst: 0,
    sgst: 0,
    igst: 0,
  };
  addHeads(row, item, sign);
  map.set(item.rateBps, row);
}

function addB2cs(
  map: Map<string, B2csRow>,
  pos: string,
  supply: 'intra' | 'inter',
  item: RateAmounts,
  sign: 1 | -1,
): void {
  const key = `${pos}|${supply}|${item.rateBps}`;
  const row = map.get(key) ?? {
    placeOfSupply: pos,
    supply,
    rateBps: item.rateBps,
    taxable: 0,
    cgst: 0,
    sgst: 0,
    igst: 0,
  };
  addHeads(row, item, sign);
  map.set(key, row);
}

function addHsn(
  map: Map<string, HsnRow>,
  hsn: string,
  rateBps: number,
  unit: 'pc' | 'g' | 'ml',
  qty: number,
  amounts: { taxable: number; cgst: number; sgst: number; igst: number },
  sign: 1 | -1,
): void {
  const uqc = unit === 'g' ? 'KGS' : unit === 'ml' ? 'LTR' : 'NOS';
  const key = `${hsn}|${rateBps}|${uqc}`;
  const row = map.get(key) ?? {
    hsn,
    rateBps,
    uqc,
    qty: 0,
    value: 0,
    taxable: 0,
    cgst: 0,
    sgst: 0,
    igst: 0,
  };
  const q = unit === 'pc' ? qty : qty / 1000;
  row.qty = Math.round((row.qty + sign * q) * 1000) / 1000;
  addHeads(row, amounts, sign);
  row.value += sign * (amounts.taxable + amounts.cgst + amounts.sgst + amounts.igst);
  map.set(key, row);
}

/** Add an amount's taxable value and tax heads to a row (take them away with `sign` −1). */
function addHeads(row: TaxSplit, amounts: TaxSplit, sign: 1 | -1): void {
  row.taxable += sign * amounts.taxable;
  row.cgst += sign * amounts.cgst;
  row.sgst += sign * amounts.sgst;
  row.igst += sign * amounts.igst;
}

function byKey(a: { hlc: string; id: string }, b: { hlc: string; id: string }): number {
  return a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.id < b.id ? -1 : 1;
}
