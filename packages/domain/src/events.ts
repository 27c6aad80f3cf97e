/**
 * The event catalogue: every fact a till, phone or server can record, as one discriminated union
 * validated by zod. `decodeEvent` is the only way untrusted input becomes a `DomainEvent`; it
 * reports the precise path of whatever is wrong, including arithmetic that does not add up.
 */
import { z } from 'zod';
import { compileSchema, INVALID } from './compiled-schema.ts';
import { envelopeShape, MAX_EVENT_BYTES } from './event-envelope.ts';
import * as p from './event-payloads.ts';
import { checkReceiptArithmetic } from './purchase-pricing.ts';
import { checkReturnArithmetic } from './returns.ts';
import { checkSaleArithmetic, type ArithmeticIssue } from './sale-pricing.ts';

/** Every event type, by versioned name → payload schema. Never edit a shipped entry; add a version. */
export const EVENT_PAYLOADS = {
  'v1.ShopConfigured': p.shopConfigured,
  'v1.DeviceEnrolled': p.deviceEnrolled,
  'v1.DeviceRevoked': p.deviceRevoked,
  'v1.StaffAdded': p.staffAdded,
  'v1.StaffRemoved': p.staffRemoved,
  'v1.StaffClockedIn': p.staffClocked,
  'v1.StaffClockedOut': p.staffClocked,
  'v1.ProductCreated': p.productCreated,
  'v1.ProductUpdated': p.productUpdated,
  'v1.PriceChanged': p.priceChanged,
  'v1.TaxRateScheduled': p.taxRateScheduled,
  'v1.ProductDiscontinued': p.productDiscontinued,
  'v1.CustomerCreated': p.customerCreated,
  'v1.CustomerUpdated': p.customerUpdated,
  'v1.SupplierCreated': p.supplierCreated,
  'v1.SupplierUpdated': p.supplierUpdated,
  'v1.OrderPlaced': p.orderPlaced,
  'v1.OrderStatusChanged': p.orderStatusChanged,
  'v1.SaleCompleted': p.saleCompleted.superRefine(arithmetic(checkSaleArithmetic)),
  'v1.SaleVoided': p.saleVoided,
  'v1.SaleReturned': p.saleReturned.superRefine(arithmetic(checkReturnArithmetic)),
  'v1.StockReceived': p.stockReceived.superRefine(arithmetic(checkReceiptArithmetic)),
  'v1.StockAdjusted': p.stockAdjusted,
  'v1.StockCounted': p.stockCounted,
  'v1.KhataPaymentReceived': p.khataPaymentReceived,
  'v1.SupplierPaid': p.supplierPaid,
  'v1.ExpenseRecorded': p.expenseRecorded,
  'v1.CashMoved': p.cashMoved,
  'v1.OwnerFundsMoved': p.ownerFundsMoved,
  'v1.TillOpened': p.tillOpened,
  'v1.TillClosed': p.tillClosed,
  'v1.DayClosed': p.dayClosed,
  'v1.ConflictAcknowledged': p.conflictAcknowledged,
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];

type EventOf<T extends EventType> = z.infer<z.ZodObject<typeof envelopeShape>> & {
  type: T;
  payload: z.infer<(typeof EVENT_PAYLOADS)[T]>;
};

/** A validated event. Narrow on `type` to reach a typed `payload`. */
export type DomainEvent = { [T in EventType]: EventOf<T> }[EventType];

/** The event of one type. */
export type EventOfType<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** The payload of one event type. */
export type PayloadOf<T extends EventType> = EventOf<T>['payload'];

const members = EVENT_TYPES.map((type) =>
  z.strictObject({ ...envelopeShape, type: z.literal(type), payload: EVENT_PAYLOADS[type] }),
);

/** zod schema of any event (discriminated on `type`). */
export const eventSchema = z.discriminatedUnion(
  'type',
  members as unknown as [(typeof members)[number], ...(typeof members)[number][]],
) as unknown as z.ZodType<DomainEvent>;

/** `eventSchema` compiled (`compiled-schema.ts`): the same verdict for valid events, faster. */
const compiledEvent = compileSchema(eventSchema);

/** A problem with an event: a stable code, the path to the offending field, and a message. */
export interface EventIssue {
  code: 'malformed' | 'unknown_type' | 'too_large';
  path: (string | number)[];
  message: string;
}

/**
 * Upcasters from retired event shapes to current ones, keyed by the old type name. Empty until a
 * shape is first superseded; every historical event stays decodable through this table.
 */
const UPCASTERS: Record<string, (event: Record<string, unknown>) => Record<string, unknown>> = {};

/** Validate untrusted input as an event. Returns the event or every issue found. */
export function decodeEvent(
  input: unknown,
): { ok: true; event: DomainEvent } | { ok: false; issues: EventIssue[] } {
  const raw = upcast(input);
  if (raw && typeof raw === 'object' && 'type' in raw) {
    const { type } = raw;
    if (typeof type !== 'string' || !Object.hasOwn(EVENT_PAYLOADS, type)) {
      const shown = typeof type === 'string' ? type.slice(0, 80) : typeof type;
      return {
        ok: false,
        issues: [{ code: 'unknown_type', path: ['type'], message: `unknown event type: ${shown}` }],
      };
    }
  }
  // The compiled fast path vouches for valid events; anything else goes to zod for its verdict.
  const fast = compiledEvent(raw);
  if (fast !== INVALID) return { ok: true, event: fast };
  const parsed = eventSchema.safeParse(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.slice(0, 20).map((i) => ({
      code: 'malformed',
      path: i.path.map((k) => (typeof k === 'symbol' ? String(k) : k)),
      message: i.message,
    })),
  };
}

/** Decode an event from JSON text, refusing anything over `MAX_EVENT_BYTES`. */
export function decodeEventJson(text: string) {
  if (utf8Length(text) > MAX_EVENT_BYTES) {
    return {
      ok: false as const,
      issues: [
        { code: 'too_large' as const, path: [], message: `event over ${MAX_EVENT_BYTES} bytes` },
      ],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false as const,
      issues: [{ code: 'malformed' as const, path: [], message: 'not JSON' }],
    };
  }
  return decodeEvent(value);
}

/** Length of a string in UTF-8 bytes, without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

function upcast(input: unknown): unknown {
  if (!input || typeof input !== 'object') return input;
  const type = (input as { type?: unknown }).type;
  const up =
    typeof type === 'string' && Object.hasOwn(UPCASTERS, type) ? UPCASTERS[type] : undefined;
  return up ? up(input as Record<string, unknown>) : input;
}

function arithmetic<T>(check: (value: T) => ArithmeticIssue[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    let issues: ArithmeticIssue[];
    try {
      issues = check(value);
    } catch {
      // Field bounds keep sums safe; anything that still overflows is refused, never thrown.
      issues = [{ path: [], message: 'amounts out of range' }];
    }
    for (const issue of issues)
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  };
}
