/**
 * Invoice numbering (BRIEF invariant 5). Every device has its own series, so numbers are allocated
 * offline with no coordination: `T01/2526/000123` = device code / financial year / sequence.
 * Credit notes use a second series on the same device (`T01C/2526/000004`). Sequences restart at 1
 * each financial year, are consecutive and gapless, and a cancelled invoice keeps its number.
 */
import { z } from 'zod';
import { financialYear } from './calendar.ts';

/** GST rule 46(b): at most 16 characters, starting with a letter or 1-9, then A-Z 0-9 / -. */
export const INVOICE_NUMBER_PATTERN = /^[A-Z1-9][A-Z0-9/-]{0,15}$/;

/**
 * A device code: a letter and one or two digits ("T01", "S1", "M02"). Digits only after the letter,
 * so a device's invoice prefix can never equal another device's credit-note prefix (`T1C`).
 */
export const deviceCodeSchema = z.string().regex(/^[A-Z][0-9]{1,2}$/, 'a device code like T01');

export const invoiceNumberSchema = z
  .string()
  .max(16)
  .regex(INVOICE_NUMBER_PATTERN, 'an invoice number of at most 16 characters: A-Z 0-9 / -');

/** The two series a device issues. */
export type SeriesKind = 'invoice' | 'credit-note';

const SEQ_DIGITS = 6;
const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

/** A device's counter for one series: the last number issued in financial year `fy`. */
export interface SeriesCounter {
  fy: string;
  last: number;
}

/** The series prefix: the device code, plus `C` for credit notes. */
export function seriesPrefix(deviceCode: string, kind: SeriesKind): string {
  return kind === 'invoice' ? deviceCode : `${deviceCode}C`;
}

/** Format an invoice number; throws if the result would not be a legal number. */
export function formatInvoiceNumber(
  deviceCode: string,
  kind: SeriesKind,
  fy: string,
  seq: number,
): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ)
    throw new RangeError(`sequence ${seq} out of range`);
  const number = `${seriesPrefix(deviceCode, kind)}/${fy}/${seq.toString().padStart(SEQ_DIGITS, '0')}`;
  if (!invoiceNumberSchema.safeParse(number).success)
    throw new RangeError(`illegal invoice number ${number}`);
  return number;
}

/** Parsed parts of a number issued by this scheme. */
export interface ParsedInvoiceNumber {
  prefix: string;
  fy: string;
  seq: number;
}

/** Parse a number produced by `formatInvoiceNumber`, or undefined for anything else. */
export function parseInvoiceNumber(number: string): ParsedInvoiceNumber | undefined {
  const m = /^([A-Z][A-Z0-9]{1,3})\/(\d{4})\/(\d{6})$/.exec(number);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { prefix: m[1], fy: m[2], seq: Number(m[3]) };
}

/**
 * Allocate the next number of a series for a document dated `date`. Pure: returns the number and the
 * counter to store, which the caller must write in the same local transaction as the document.
 */
export function allocateNumber(
  counter: SeriesCounter | undefined,
  deviceCode: string,
  kind: SeriesKind,
  date: string,
): { number: string; counter: SeriesCounter } {
  const fy = financialYear(date);
  if (counter && counter.fy > fy) {
    throw new RangeError(
      `document dated ${date} is before the series' financial year ${counter.fy}`,
    );
  }
  const seq = counter?.fy === fy ? counter.last + 1 : 1;
  return { number: formatInvoiceNumber(deviceCode, kind, fy, seq), counter: { fy, last: seq } };
}

/**
 * Gaps in a set of issued numbers of one series and year: the missing sequence numbers between 1 and
 * the highest seen. An empty result means the series is consecutive and gapless.
 */
export function seriesGaps(seqs: Iterable<number>): number[] {
  const seen = new Set(seqs);
  let max = 0;
  for (const s of seen) max = Math.max(max, s);
  const gaps: number[] = [];
  for (let s = 1; s <= max; s++) if (!seen.has(s)) gaps.push(s);
  return gaps;
}
