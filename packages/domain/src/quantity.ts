/**
 * Quantities are integers in the smallest unit a product is sold in: grams, millilitres or pieces.
 * Loose goods are priced per kilogram or litre, so a price always says how many base units it covers.
 */
import { z } from 'zod';
import { mulDiv, type Paise } from './money.ts';

/** The base unit a product's stock is kept in. */
export const baseUnitSchema = z.enum(['pc', 'g', 'ml']);
export type BaseUnit = z.infer<typeof baseUnitSchema>;

/** Units a person may type at the counter, with how many base units each one is. */
export const DISPLAY_UNITS = {
  pc: { base: 'pc', factor: 1 },
  g: { base: 'g', factor: 1 },
  kg: { base: 'g', factor: 1000 },
  ml: { base: 'ml', factor: 1 },
  l: { base: 'ml', factor: 1000 },
} as const satisfies Record<string, { base: BaseUnit; factor: number }>;
export type DisplayUnit = keyof typeof DISPLAY_UNITS;

/** A quantity: a safe integer count of base units (may be negative for stock movements). */
export const qtySchema = z.number().int().min(-1e12).max(1e12);
export const positiveQtySchema = qtySchema.min(1);

/** How many base units a product's price is quoted for: 1 piece, or 1000 g (per kg), 1000 ml (per L). */
export function pricePerUnits(unit: BaseUnit): number {
  return unit === 'pc' ? 1 : 1000;
}

/**
 * Parse "1.25" kg (or "250" g, "2" pc) into base units. Decimal places beyond what the base unit can
 * hold are refused rather than rounded: 1.2345 kg is not a quantity anyone weighed.
 */
export function parseQty(text: string, unit: DisplayUnit): number {
  const { factor } = DISPLAY_UNITS[unit];
  const m = /^(\d{1,9})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a quantity: ${JSON.stringify(text)}`);
  const whole = Number(m[1]);
  const frac = m[2] ?? '';
  const decimals = Math.round(Math.log10(factor));
  if (frac.length > decimals) {
    throw new RangeError(`${text} ${unit} is finer than one ${DISPLAY_UNITS[unit].base}`);
  }
  return whole * factor + Number(frac.padEnd(decimals, '0') || '0');
}

/** Convert base units into a display unit of the same dimension, as a decimal string. */
export function formatQty(qty: number, base: BaseUnit): string {
  if (base === 'pc') return `${qty} pc`;
  const big = base === 'g' ? 'kg' : 'L';
  const small = base === 'g' ? 'g' : 'ml';
  if (Math.abs(qty) < 1000) return `${qty} ${small}`;
  const sign = qty < 0 ? '-' : '';
  const abs = Math.abs(qty);
  const frac = (abs % 1000).toString().padStart(3, '0').replace(/0+$/, '');
  return `${sign}${Math.floor(abs / 1000)}${frac ? `.${frac}` : ''} ${big}`;
}

/** Price of `qty` base units when `price` covers `per` base units, rounded to the paisa. */
export function extendPrice(price: Paise, qty: number, per: number): Paise {
  return mulDiv(price, qty, per);
}
