/** Field schemas shared by several event payloads: names, notes, payments, party references. */
import { z } from 'zod';
import { nonNegativePaiseSchema } from './money.ts';

/** A short human text (names, categories): trimmed, non-empty, bounded. */
export const nameSchema = z.string().trim().min(1).max(120);
/** A free-text note: bounded. */
export const noteSchema = z.string().max(500);
/** A slug (category, expense head): lowercase letters, digits and dashes. */
export const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a lowercase slug');
/** Indian mobile number, 10 digits starting 6-9. */
export const phoneSchema = z.string().regex(/^[6-9]\d{9}$/, 'a 10-digit mobile number');

/** A positive amount in paise. */
export const amountSchema = nonNegativePaiseSchema.min(1);

/** How a customer settled (part of) a bill. `khata` is credit on the customer's account. */
export const tenderSchema = z.enum(['cash', 'upi', 'card', 'khata']);
export type Tender = z.infer<typeof tenderSchema>;

/** How money moved when it did not touch a customer's khata. */
export const moneyModeSchema = z.enum(['cash', 'upi', 'card', 'bank']);
export type MoneyMode = z.infer<typeof moneyModeSchema>;

export const paymentSchema = z.strictObject({
  mode: tenderSchema,
  amount: amountSchema,
  /** UPI transaction reference, card slip number. */
  ref: z.string().max(64).optional(),
});
export type Payment = z.infer<typeof paymentSchema>;

/** Roles a person can hold in a shop. */
export const roleSchema = z.enum([
  'owner',
  'manager',
  'cashier',
  'stockkeeper',
  'accountant',
  'customer',
]);
export type Role = z.infer<typeof roleSchema>;
