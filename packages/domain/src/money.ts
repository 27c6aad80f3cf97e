/**
 * Money is integer paise, always. Every function here refuses non-integers and values outside the
 * safe-integer range instead of silently losing precision (BRIEF invariant 4).
 */
import { z } from 'zod';

/** An amount in paise (1 rupee = 100 paise). A plain number that is always a safe integer. */
export type Paise = number;

/**
 * Largest amount a single field of an event may hold: ₹1,00,000 crore. Bounding every field keeps the
 * sums of a 500-line document far inside the safe-integer range.
 */
export const MAX_AMOUNT = 1e13;

/** zod schema for an amount in paise: an integer within ±`MAX_AMOUNT`. */
export const paiseSchema = z.number().int().min(-MAX_AMOUNT).max(MAX_AMOUNT);
export const nonNegativePaiseSchema = paiseSchema.min(0);

/** Throws unless `n` is a safe integer; returns it typed as paise. */
export function assertPaise(n: number): Paise {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not an integer amount of paise: ${n}`);
  return n;
}

/** Sum of amounts; throws if the result (or a running total) leaves the safe-integer range. */
export function sumPaise(amounts: Iterable<Paise>): Paise {
  let total = 0;
  for (const a of amounts) total = assertPaise(total + assertPaise(a));
  return total;
}

/**
 * `amount × numerator / denominator`, rounded half away from zero, computed exactly: in plain
 * numbers while every intermediate stays far inside the safe-integer range (the common case), else
 * with BigInt, so large values never pass through a lossy float.
 */
export function mulDiv(amount: Paise, numerator: number, denominator: number): Paise {
  assertPaise(amount);
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new RangeError(`bad ratio ${numerator}/${denominator}`);
  }
  const product = amount * numerator;
  const ad = Math.abs(denominator);
  if (Math.abs(product) <= EXACT_PRODUCT && ad <= EXACT_PRODUCT) {
    // |product| and |denominator| ≤ 2^50: 2|n| + |d| and q × 2|d| stay exact, and the float
    // quotient is corrected to the exact floor below.
    const an = Math.abs(product);
    const num = an * 2 + ad;
    const den = ad * 2;
    let q = Math.floor(num / den);
    if (q * den > num) q -= 1;
    else if ((q + 1) * den <= num) q += 1;
    const negative = product < 0 !== denominator < 0;
    return negative && q !== 0 ? -q : q;
  }
  const n = BigInt(amount) * BigInt(numerator);
  const d = BigInt(denominator);
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const bd = d < 0n ? -d : d;
  const q = (an * 2n + bd) / (bd * 2n); // half away from zero
  return assertPaise(Number(negative ? -q : q));
}

/** Bound below which `mulDiv`'s plain-number path is exact (2^50). */
const EXACT_PRODUCT = 2 ** 50;

/**
 * Split `total` into parts proportional to `weights` that add up to exactly `total`
 * (largest remainder; ties go to the earlier part). Used for bill discounts and refunds.
 */
export function allocate(total: Paise, weights: readonly number[]): Paise[] {
  assertPaise(total);
  if (weights.length === 0) {
    if (total !== 0) throw new RangeError('cannot allocate a non-zero amount over no parts');
    return [];
  }
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0) || weights.every((w) => w === 0)) {
    throw new RangeError('allocation weights must be non-negative integers with a positive sum');
  }
  const sign = total < 0 ? -1n : 1n;
  const abs = BigInt(Math.abs(total));
  // Summed in BigInt: a float sum of large weights rounds, and the parts would then miss the total.
  const sumW = weights.reduce((s, w) => s + BigInt(w), 0n);
  const parts = weights.map((w) => (abs * BigInt(w)) / sumW);
  const remainders = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % sumW }));
  let left = abs - parts.reduce((s, p) => s + p, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p * sign));
}

/** Parse a rupee amount written by a person ("105", "104.6", "1,23,456.78") into paise. */
export function parseRupees(text: string): Paise {
  const cleaned = text.replace(/[₹,\s]/g, '');
  const m = /^(-)?(\d{1,13})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!m) throw new RangeError(`not a rupee amount: ${JSON.stringify(text)}`);
  const paise = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -paise : paise;
}

/** Group digits the Indian way: 1,23,45,678. */
export function groupIndian(digits: string): string {
  if (digits.length <= 3) return digits;
  const last3 = digits.slice(-3);
  const rest = digits.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',');
  return `${rest},${last3}`;
}

/** Format paise as rupees with Indian grouping: 12345678 → "₹1,23,456.78". */
export function formatINR(amount: Paise, opts: { symbol?: boolean } = {}): string {
  assertPaise(amount);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const rupees = Math.floor(abs / 100).toString();
  const paise = (abs % 100).toString().padStart(2, '0');
  return `${sign}${opts.symbol === false ? '' : '₹'}${groupIndian(rupees)}.${paise}`;
}

/** Round a bill total to the nearest rupee (50 paise rounds up); `roundOff` is what was added. */
export function roundToRupee(total: Paise): { rounded: Paise; roundOff: Paise } {
  assertPaise(total);
  const rounded = assertPaise(mulDiv(total, 1, 100) * 100);
  return { rounded, roundOff: rounded - total };
}
