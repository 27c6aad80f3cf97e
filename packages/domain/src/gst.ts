/**
 * GST arithmetic. Rates are basis points (500 = 5 %) and effective-dated data, never code: a product
 * carries a schedule, and the rate that applies is the one in force on the invoice date.
 */
import { z } from 'zod';
import { mulDiv, type Paise } from './money.ts';

/** A GST rate in basis points: 0 ‥ 10000 (500 = 5 %). */
export const rateBpsSchema = z.number().int().min(0).max(10_000);

/** Two-digit GST state code ("27" Maharashtra, "29" Karnataka, "97" other territory). */
export const stateCodeSchema = z
  .string()
  .regex(/^(0[1-9]|[1-3]\d|9[6-9])$/, 'a two-digit GST state code');

/** GSTIN: 2-digit state, PAN, entity number, Z, checksum (format only; checksum verified below). */
export const gstinSchema = z
  .string()
  .regex(/^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/, 'a 15-character GSTIN')
  .refine(isValidGstinChecksum, 'GSTIN checksum does not match');

/** HSN code: 4, 6 or 8 digits. */
export const hsnSchema = z.string().regex(/^(\d{4}|\d{6}|\d{8})$/, 'a 4, 6 or 8 digit HSN code');

/** Calendar date as `YYYY-MM-DD`. */
export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a YYYY-MM-DD date')
  // zod runs refinements even after the regex fails: `dateExists` must not assume the format.
  .refine(dateExists, 'a date that exists');

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `YYYY-MM-DD` names a day of the Gregorian calendar (30 Feb does not). */
function dateExists(d: string): boolean {
  if (d.length !== 10) return false;
  const year = Number(d.slice(0, 4));
  const month = Number(d.slice(5, 7));
  const day = Number(d.slice(8, 10));
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= days;
}

/** One entry of a product's rate schedule: `rateBps` applies from `from` (inclusive) onward. */
export const rateStepSchema = z.strictObject({ from: isoDateSchema, rateBps: rateBpsSchema });
export type RateStep = z.infer<typeof rateStepSchema>;

/** Slabs in force: 0/5/12/18/28 until 21 Sep 2025; 0/5/18/40 from 22 Sep 2025. */
export const SLAB_SCHEDULE: readonly { from: string; slabsBps: readonly number[] }[] = [
  { from: '2017-07-01', slabsBps: [0, 500, 1200, 1800, 2800] },
  { from: '2025-09-22', slabsBps: [0, 500, 1800, 4000] },
];

/** The standard slabs in force on `date`. */
export function slabsOn(date: string): readonly number[] {
  let slabs: readonly number[] = [];
  for (const step of SLAB_SCHEDULE) if (step.from <= date) slabs = step.slabsBps;
  return slabs;
}

/** The rate in force on `date` from a schedule (latest step whose `from` ≤ date), or undefined. */
export function rateOn(schedule: readonly RateStep[], date: string): number | undefined {
  let best: RateStep | undefined;
  for (const step of schedule)
    if (step.from <= date && (!best || step.from >= best.from)) best = step;
  return best?.rateBps;
}

/** Intra-state supply is taxed CGST + SGST; inter-state supply is taxed IGST. */
export type SupplyKind = 'intra' | 'inter';

/** Supply is intra-state when the place of supply is the shop's own state. */
export function supplyKind(shopState: string, placeOfSupply: string): SupplyKind {
  return shopState === placeOfSupply ? 'intra' : 'inter';
}

/** The tax split of one amount. `taxable + cgst + sgst + igst` is the tax-inclusive total. */
export interface TaxSplit {
  taxable: Paise;
  cgst: Paise;
  sgst: Paise;
  igst: Paise;
}

/**
 * Split a tax-inclusive amount (MRP-based price) into taxable value and tax:
 * taxable = gross × 100 / (100 + rate). CGST and SGST are each half the rate, computed on the taxable
 * value and equal to each other; whatever rounding leaves goes to the taxable value so the parts
 * always add up to `gross` exactly.
 */
export function splitInclusive(gross: Paise, rateBps: number, kind: SupplyKind): TaxSplit {
  const approxTaxable = mulDiv(gross, 10_000, 10_000 + rateBps);
  return splitOnTaxable(gross, approxTaxable, rateBps, kind);
}

/** Tax on a tax-exclusive taxable value (purchases quoted before tax). */
export function taxOnExclusive(taxable: Paise, rateBps: number, kind: SupplyKind): TaxSplit {
  if (kind === 'inter')
    return { taxable, cgst: 0, sgst: 0, igst: mulDiv(taxable, rateBps, 10_000) };
  const half = mulDiv(taxable, rateBps, 20_000);
  return { taxable, cgst: half, sgst: half, igst: 0 };
}

/** Total tax of a split. */
export function taxOf(split: TaxSplit): Paise {
  return split.cgst + split.sgst + split.igst;
}

function splitOnTaxable(gross: Paise, taxable: Paise, rateBps: number, kind: SupplyKind): TaxSplit {
  if (kind === 'inter') {
    const igst = mulDiv(taxable, rateBps, 10_000);
    return { taxable: gross - igst, cgst: 0, sgst: 0, igst };
  }
  const half = mulDiv(taxable, rateBps, 20_000);
  return { taxable: gross - 2 * half, cgst: half, sgst: half, igst: 0 };
}

const GSTIN_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Verify the GSTIN check character (mod-36 weighted sum over the first 14 characters). */
export function isValidGstinChecksum(gstin: string): boolean {
  if (gstin.length !== 15) return false;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const v = GSTIN_CHARS.indexOf(gstin.charAt(i));
    if (v < 0) return false;
    const p = v * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(p / 36) + (p % 36);
  }
  const check = GSTIN_CHARS.charAt((36 - (sum % 36)) % 36);
  return gstin.charAt(14) === check;
}

/** Build a valid GSTIN for tests and demos from its first 14 characters. */
export function withGstinChecksum(first14: string): string {
  for (const c of GSTIN_CHARS) if (isValidGstinChecksum(first14 + c)) return first14 + c;
  throw new RangeError('no checksum fits');
}
