/**
 * Payload schemas of every event in the catalogue (docs/events.md). Payloads are strict: unknown
 * fields are refused, so a typo never silently drops data. Money is paise, quantities base units.
 * Once shipped, a payload never changes; a new shape is a new versioned type with an upcaster.
 */
import { z } from 'zod';
import {
  gstinSchema,
  hsnSchema,
  isoDateSchema,
  rateBpsSchema,
  rateStepSchema,
  stateCodeSchema,
} from './gst.ts';
import { hlcSchema } from './hlc.ts';
import { uuidSchema } from './ids.ts';
import { deviceCodeSchema, invoiceNumberSchema } from './invoice-series.ts';
import { nonNegativePaiseSchema, paiseSchema } from './money.ts';
import { baseUnitSchema, positiveQtySchema, qtySchema } from './quantity.ts';
import {
  amountSchema,
  moneyModeSchema,
  nameSchema,
  noteSchema,
  paymentSchema,
  phoneSchema,
  roleSchema,
  slugSchema,
} from './event-fields.ts';

const MAX_LINES = 500;
const conflictIdSchema = z.string().min(1).max(200);

// ── Shop, devices, staff ────────────────────────────────────────────────────────────────────

export const shopConfigured = z.strictObject({
  name: nameSchema,
  gstin: gstinSchema.optional(),
  stateCode: stateCodeSchema,
  /** regular: tax invoices with GST; composition / unregistered: bills of supply, no tax collected. */
  registration: z.enum(['regular', 'composition', 'unregistered']),
  address: z.string().max(300).optional(),
  phone: phoneSchema.optional(),
  upiVpa: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{2,64}@[a-zA-Z]{2,64}$/)
    .optional(),
});

export const deviceEnrolled = z.strictObject({
  deviceId: uuidSchema,
  code: deviceCodeSchema,
  name: nameSchema,
  kind: z.enum(['till', 'server', 'phone']),
});

export const deviceRevoked = z.strictObject({
  deviceId: uuidSchema,
  reason: noteSchema.optional(),
});

export const staffAdded = z.strictObject({
  userId: uuidSchema,
  name: nameSchema,
  role: roleSchema,
  phone: phoneSchema.optional(),
});

export const staffRemoved = z.strictObject({ userId: uuidSchema });

export const staffClocked = z.strictObject({ userId: uuidSchema });

// ── Catalogue ───────────────────────────────────────────────────────────────────────────────

/** Catalogue fields that may change after creation (last writer wins per field, by HLC). */
const productFields = {
  sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'a SKU of letters, digits . _ -'),
  name: nameSchema,
  category: slugSchema,
  barcode: z
    .string()
    .regex(/^[0-9A-Za-z-]{4,32}$/)
    .optional(),
  hsn: hsnSchema.optional(),
  minStock: qtySchema.min(0),
  maxStock: qtySchema.min(0),
  reorderQty: qtySchema.min(0),
  perishable: z.boolean(),
  shelfLifeDays: z.number().int().min(1).max(3650).optional(),
};

export const productCreated = z.strictObject({
  productId: uuidSchema,
  ...productFields,
  unit: baseUnitSchema,
  /** Tax-inclusive MRP per `per` base units (1 pc, 1000 g, 1000 ml). */
  mrp: nonNegativePaiseSchema,
  sellingPrice: nonNegativePaiseSchema,
  /** Expected purchase cost before tax per `per` base units; used before the first receipt. */
  costPrice: nonNegativePaiseSchema,
  gst: z.array(rateStepSchema).min(1).max(20),
});

export const productUpdated = z.strictObject({
  productId: uuidSchema,
  changes: z
    .strictObject(productFields)
    .partial()
    .refine((c) => Object.keys(c).length > 0, 'no changes'),
});

export const priceChanged = z.strictObject({
  productId: uuidSchema,
  sellingPrice: nonNegativePaiseSchema,
  mrp: nonNegativePaiseSchema.optional(),
  costPrice: nonNegativePaiseSchema.optional(),
  /** HLC of the price the editor saw; two edits based on the same price are concurrent. */
  basedOn: hlcSchema.nullable(),
});

export const taxRateScheduled = z.strictObject({ productId: uuidSchema, step: rateStepSchema });

export const productDiscontinued = z.strictObject({
  productId: uuidSchema,
  reason: noteSchema.optional(),
});

// ── Parties ─────────────────────────────────────────────────────────────────────────────────

const customerFields = {
  name: nameSchema,
  phone: phoneSchema.optional(),
  gstin: gstinSchema.optional(),
  stateCode: stateCodeSchema.optional(),
  address: z.string().max(300).optional(),
  creditLimit: nonNegativePaiseSchema,
};

export const customerCreated = z.strictObject({ customerId: uuidSchema, ...customerFields });
export const customerUpdated = z.strictObject({
  customerId: uuidSchema,
  changes: z
    .strictObject(customerFields)
    .partial()
    .refine((c) => Object.keys(c).length > 0, 'no changes'),
});

const supplierFields = {
  name: nameSchema,
  phone: phoneSchema.optional(),
  gstin: gstinSchema.optional(),
  stateCode: stateCodeSchema.optional(),
  address: z.string().max(300).optional(),
};
export const supplierCreated = z.strictObject({ supplierId: uuidSchema, ...supplierFields });
export const supplierUpdated = z.strictObject({
  supplierId: uuidSchema,
  changes: z
    .strictObject(supplierFields)
    .partial()
    .refine((c) => Object.keys(c).length > 0, 'no changes'),
});

// ── Orders (phone / online orders that the counter fulfils) ─────────────────────────────────

export const orderPlaced = z.strictObject({
  orderId: uuidSchema,
  customerId: uuidSchema.optional(),
  channel: z.enum(['counter', 'phone', 'online']),
  lines: z
    .array(z.strictObject({ productId: uuidSchema, qty: positiveQtySchema }))
    .min(1)
    .max(MAX_LINES),
  note: noteSchema.optional(),
});

export const orderStatusChanged = z.strictObject({
  orderId: uuidSchema,
  status: z.enum(['confirmed', 'packed', 'cancelled']),
});

// ── Sales, voids, returns ───────────────────────────────────────────────────────────────────

export const saleLineSchema = z.strictObject({
  productId: uuidSchema,
  /** Product name as printed on the bill. */
  name: nameSchema,
  hsn: hsnSchema.optional(),
  unit: baseUnitSchema,
  /** Base units `unitPrice` is quoted for. */
  per: z.number().int().min(1).max(1_000_000),
  qty: positiveQtySchema,
  /** Tax-inclusive price per `per` base units. */
  unitPrice: nonNegativePaiseSchema,
  /** Line discount plus this line's share of the bill discount, tax-inclusive. */
  discount: nonNegativePaiseSchema,
  /** Taxable value of the line after discount. */
  taxable: paiseSchema,
  /** Taxable value the line would have had without discount (for the Discount Allowed posting). */
  grossTaxable: paiseSchema,
  rateBps: rateBpsSchema,
  cgst: nonNegativePaiseSchema,
  sgst: nonNegativePaiseSchema,
  igst: nonNegativePaiseSchema,
});
export type SaleLine = z.infer<typeof saleLineSchema>;

export const buyerSchema = z.strictObject({
  name: nameSchema,
  gstin: gstinSchema.optional(),
  stateCode: stateCodeSchema.optional(),
  address: z.string().max(300).optional(),
});

export const saleCompleted = z.strictObject({
  invoiceNo: invoiceNumberSchema,
  documentType: z.enum(['tax-invoice', 'bill-of-supply']),
  businessDay: isoDateSchema,
  customerId: uuidSchema.optional(),
  buyer: buyerSchema.optional(),
  orderId: uuidSchema.optional(),
  placeOfSupply: stateCodeSchema,
  supply: z.enum(['intra', 'inter']),
  lines: z.array(saleLineSchema).min(1).max(MAX_LINES),
  /** Bill-level discount (already spread over the lines' `discount`). */
  billDiscount: nonNegativePaiseSchema,
  /** Σ line totals, before round-off. */
  subtotal: paiseSchema,
  /** Added to reach whole rupees (−49 ‥ +50 paise for a bill; `roundToRupee` decides). */
  roundOff: z.number().int().min(-50).max(50),
  total: nonNegativePaiseSchema,
  payments: z.array(paymentSchema).min(1).max(8),
  /** Cash handed over and change given back (cash payment above is what stayed in the drawer). */
  tendered: nonNegativePaiseSchema.optional(),
  change: nonNegativePaiseSchema.optional(),
});

export const saleVoided = z.strictObject({
  saleId: uuidSchema,
  invoiceNo: invoiceNumberSchema,
  reason: noteSchema.min(1),
  /** Manager who approved the void. */
  approvedBy: uuidSchema.optional(),
});

export const returnLineSchema = z.strictObject({
  /** 0-based index of the line in the original sale. */
  line: z
    .number()
    .int()
    .min(0)
    .max(MAX_LINES - 1),
  productId: uuidSchema,
  qty: positiveQtySchema,
  restock: z.boolean(),
  taxable: paiseSchema,
  cgst: nonNegativePaiseSchema,
  sgst: nonNegativePaiseSchema,
  igst: nonNegativePaiseSchema,
});
export type ReturnLine = z.infer<typeof returnLineSchema>;

export const saleReturned = z.strictObject({
  saleId: uuidSchema,
  invoiceNo: invoiceNumberSchema,
  creditNoteNo: invoiceNumberSchema,
  businessDay: isoDateSchema,
  /** The khata customer of the original sale; needed when the refund goes to khata. */
  customerId: uuidSchema.optional(),
  reason: noteSchema.optional(),
  lines: z.array(returnLineSchema).min(1).max(MAX_LINES),
  total: nonNegativePaiseSchema,
  refunds: z.array(paymentSchema).min(1).max(8),
});

// ── Stock ───────────────────────────────────────────────────────────────────────────────────

export const receiptLineSchema = z.strictObject({
  productId: uuidSchema,
  qty: positiveQtySchema,
  /** Cost before tax for the whole line. */
  taxable: nonNegativePaiseSchema,
  rateBps: rateBpsSchema,
  cgst: nonNegativePaiseSchema,
  sgst: nonNegativePaiseSchema,
  igst: nonNegativePaiseSchema,
  batch: z.string().max(40).optional(),
  expiry: isoDateSchema.optional(),
});
export type ReceiptLine = z.infer<typeof receiptLineSchema>;

export const stockReceived = z
  .strictObject({
    supplierId: uuidSchema.optional(),
    supplierInvoiceNo: z.string().min(1).max(40).optional(),
    businessDay: isoDateSchema,
    /** Input tax is claimable (regular dealer with a tax invoice); otherwise it is part of cost. */
    itcEligible: z.boolean(),
    lines: z.array(receiptLineSchema).min(1).max(MAX_LINES),
    total: nonNegativePaiseSchema,
    /**
     * `credit`: owed to the supplier; `opening`: opening stock brought in as capital; otherwise paid
     * at once from the till drawer or the bank.
     */
    paidBy: z.enum(['credit', 'cash', 'upi', 'card', 'bank', 'opening']),
  })
  .refine((r) => r.paidBy !== 'credit' || r.supplierId !== undefined, {
    message: 'a purchase on credit needs a supplier',
    path: ['supplierId'],
  });

export const adjustmentReasonSchema = z.enum([
  'damage',
  'expiry',
  'theft',
  'correction',
  'sample',
  'found',
]);

export const stockAdjusted = z.strictObject({
  productId: uuidSchema,
  /** Negative for a loss, positive for stock found. */
  qtyDelta: qtySchema.refine((q) => q !== 0, 'a zero adjustment changes nothing'),
  reason: adjustmentReasonSchema,
  /** Product's GST rate, to reverse input tax credit on lost stock. */
  rateBps: rateBpsSchema,
  note: noteSchema.optional(),
  resolves: z.array(conflictIdSchema).max(20).optional(),
});

export const stockCounted = z.strictObject({
  productId: uuidSchema,
  countedQty: qtySchema.min(0),
  rateBps: rateBpsSchema,
  note: noteSchema.optional(),
  resolves: z.array(conflictIdSchema).max(20).optional(),
});

// ── Money ───────────────────────────────────────────────────────────────────────────────────

export const khataPaymentReceived = z.strictObject({
  customerId: uuidSchema,
  amount: amountSchema,
  mode: moneyModeSchema,
  note: noteSchema.optional(),
});

export const supplierPaid = z.strictObject({
  supplierId: uuidSchema,
  amount: amountSchema,
  mode: moneyModeSchema,
  note: noteSchema.optional(),
});

export const expenseRecorded = z.strictObject({
  category: slugSchema,
  amount: amountSchema,
  mode: moneyModeSchema,
  note: noteSchema.optional(),
});

/** Money moved between the till drawer and the bank / clearing accounts (deposits, UPI settlement). */
export const cashMoved = z
  .strictObject({
    from: moneyModeSchema,
    to: moneyModeSchema,
    amount: amountSchema,
    note: noteSchema.optional(),
  })
  .refine((m) => m.from !== m.to, { message: 'from and to must differ', path: ['to'] });

export const ownerFundsMoved = z.strictObject({
  kind: z.enum(['capital', 'drawings']),
  amount: amountSchema,
  mode: moneyModeSchema,
  note: noteSchema.optional(),
});

// ── Till sessions and days ──────────────────────────────────────────────────────────────────

export const tillOpened = z.strictObject({
  businessDay: isoDateSchema,
  openingFloat: nonNegativePaiseSchema,
});

export const tillClosed = z.strictObject({
  businessDay: isoDateSchema,
  /** Cash the till expected in its drawer at close (its own view when it closed). */
  expectedCash: paiseSchema,
  countedCash: nonNegativePaiseSchema,
  note: noteSchema.optional(),
});

export const dayClosed = z.strictObject({
  businessDay: isoDateSchema,
  /** Highest device sequence of each device the closer had seen; later events of the day are late. */
  watermark: z.record(uuidSchema, z.number().int().min(0)),
});

export const conflictAcknowledged = z.strictObject({
  conflictId: conflictIdSchema,
  note: noteSchema,
});
