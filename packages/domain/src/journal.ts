/**
 * Double-entry postings (docs/accounting.md). Every posting is a signed amount on one account:
 * positive is a debit, negative a credit, and every entry sums to zero (BRIEF invariant 4).
 *
 * An event's entry has two parts. The *document part* depends only on the event (amounts are in it).
 * The *cost part* depends on moving-average cost, which depends on every earlier stock movement of the
 * product in canonical order; it is computed by the stock timeline (`stock-timeline.ts`).
 */
import { cashAccount, creditorAccount, debtorAccount, expenseAccount } from './accounts.ts';
import { istDate } from './calendar.ts';
import type { MoneyMode, Tender } from './event-fields.ts';
import type { DomainEvent } from './events.ts';
import { sumPaise, type Paise } from './money.ts';

/** One line of a journal entry: positive debits, negative credits. */
export interface Posting {
  account: string;
  amount: Paise;
}

/** A journal entry: the postings one event makes on one business day. */
export interface JournalEntry {
  eventId: string;
  type: DomainEvent['type'];
  day: string;
  narration: string;
  postings: Posting[];
}

/** The business day an event belongs to: its own `businessDay`, else the IST date of its device time. */
export function businessDayOf(event: DomainEvent): string {
  const payload = event.payload as { businessDay?: unknown };
  return typeof payload.businessDay === 'string' ? payload.businessDay : istDate(event.at);
}

/** The ledger account money moves through for a payment mode on a given device. */
export function modeAccount(mode: MoneyMode | Exclude<Tender, 'khata'>, deviceId: string): string {
  return mode === 'cash' ? cashAccount(deviceId) : mode;
}

/**
 * The document part of an event's entry, from the event alone. (A voided sale posts nothing at all:
 * the projection leaves it out, see `shop-projection.ts`.)
 */
export function documentPostings(event: DomainEvent): Posting[] {
  const list = new PostingList();
  postDocument(event, (account, amount) => list.add(account, amount));
  return list.postings();
}

/** Receives postings one at a time (repeats of an account and zeros allowed). */
export type PostingSink = (account: string, amount: Paise) => void;

/** `documentPostings` without building the list: each posting goes straight to `out.add`. */
export function postDocument(event: DomainEvent, add: PostingSink): void {
  switch (event.type) {
    case 'v1.SaleCompleted': {
      const s = event.payload;
      for (const pay of s.payments) {
        add(tenderAccount(pay.mode, event.deviceId, s.customerId), pay.amount);
      }
      let grossTaxable = 0;
      let taxable = 0;
      for (const l of s.lines) {
        grossTaxable += l.grossTaxable;
        taxable += l.taxable;
        add('out-cgst', -l.cgst);
        add('out-sgst', -l.sgst);
        add('out-igst', -l.igst);
      }
      add('sales', -grossTaxable);
      add('discount-allowed', grossTaxable - taxable);
      add('round-off', -s.roundOff);
      break;
    }
    case 'v1.SaleReturned': {
      const r = event.payload;
      for (const l of r.lines) {
        add('sales-returns', l.taxable);
        add('out-cgst', l.cgst);
        add('out-sgst', l.sgst);
        add('out-igst', l.igst);
      }
      for (const pay of r.refunds)
        add(tenderAccount(pay.mode, event.deviceId, r.customerId), -pay.amount);
      break;
    }
    case 'v1.StockReceived': {
      const r = event.payload;
      for (const l of r.lines) {
        if (r.itcEligible) {
          add('inventory', l.taxable);
          add('in-cgst', l.cgst);
          add('in-sgst', l.sgst);
          add('in-igst', l.igst);
        } else {
          add('inventory', l.taxable + l.cgst + l.sgst + l.igst);
        }
      }
      const credit =
        r.paidBy === 'credit'
          ? creditorAccount(r.supplierId ?? 'unknown')
          : r.paidBy === 'opening'
            ? 'capital'
            : modeAccount(r.paidBy, event.deviceId);
      add(credit, -r.total);
      break;
    }
    case 'v1.KhataPaymentReceived':
      add(modeAccount(event.payload.mode, event.deviceId), event.payload.amount);
      add(debtorAccount(event.payload.customerId), -event.payload.amount);
      break;
    case 'v1.SupplierPaid':
      add(creditorAccount(event.payload.supplierId), event.payload.amount);
      add(modeAccount(event.payload.mode, event.deviceId), -event.payload.amount);
      break;
    case 'v1.ExpenseRecorded':
      add(expenseAccount(event.payload.category), event.payload.amount);
      add(modeAccount(event.payload.mode, event.deviceId), -event.payload.amount);
      break;
    case 'v1.CashMoved':
      add(modeAccount(event.payload.to, event.deviceId), event.payload.amount);
      add(modeAccount(event.payload.from, event.deviceId), -event.payload.amount);
      break;
    case 'v1.OwnerFundsMoved': {
      const { kind, amount, mode } = event.payload;
      const money = modeAccount(mode, event.deviceId);
      if (kind === 'capital') {
        add(money, amount);
        add('capital', -amount);
      } else {
        add('drawings', amount);
        add(money, -amount);
      }
      break;
    }
    case 'v1.TillClosed': {
      const diff = event.payload.countedCash - event.payload.expectedCash;
      add(cashAccount(event.deviceId), diff);
      add('cash-short-excess', -diff);
      break;
    }
    case 'v1.ShopConfigured':
    case 'v1.DeviceEnrolled':
    case 'v1.DeviceRevoked':
    case 'v1.StaffAdded':
    case 'v1.StaffRemoved':
    case 'v1.StaffClockedIn':
    case 'v1.StaffClockedOut':
    case 'v1.ProductCreated':
    case 'v1.ProductUpdated':
    case 'v1.PriceChanged':
    case 'v1.TaxRateScheduled':
    case 'v1.ProductDiscontinued':
    case 'v1.CustomerCreated':
    case 'v1.CustomerUpdated':
    case 'v1.SupplierCreated':
    case 'v1.SupplierUpdated':
    case 'v1.OrderPlaced':
    case 'v1.OrderStatusChanged':
    case 'v1.SaleVoided':
    case 'v1.StockAdjusted':
    case 'v1.StockCounted':
    case 'v1.TillOpened':
    case 'v1.DayClosed':
    case 'v1.ConflictAcknowledged':
      break;
    default:
      assertNever(event);
  }
}

/** Σ of an entry's postings; zero for every balanced entry. */
export function entryImbalance(postings: readonly Posting[]): Paise {
  return sumPaise(postings.map((p) => p.amount));
}

/** A short human description of an event for day books and ledgers. */
export function narrationOf(event: DomainEvent): string {
  switch (event.type) {
    case 'v1.SaleCompleted':
      return `Sale ${event.payload.invoiceNo}`;
    case 'v1.SaleReturned':
      return `Credit note ${event.payload.creditNoteNo} against ${event.payload.invoiceNo}`;
    case 'v1.SaleVoided':
      return `Void of ${event.payload.invoiceNo}`;
    case 'v1.StockReceived':
      return `Purchase${event.payload.supplierInvoiceNo ? ` ${event.payload.supplierInvoiceNo}` : ''}`;
    case 'v1.StockAdjusted':
      return `Stock adjusted (${event.payload.reason})`;
    case 'v1.StockCounted':
      return 'Physical count';
    case 'v1.KhataPaymentReceived':
      return 'Khata payment received';
    case 'v1.SupplierPaid':
      return 'Supplier paid';
    case 'v1.ExpenseRecorded':
      return `Expense: ${event.payload.category}`;
    case 'v1.CashMoved':
      return `Moved ${event.payload.from} → ${event.payload.to}`;
    case 'v1.OwnerFundsMoved':
      return event.payload.kind === 'capital' ? 'Capital introduced' : 'Drawings';
    case 'v1.TillClosed':
      return 'Till closed';
    default:
      return event.type.slice(3);
  }
}

function tenderAccount(mode: Tender, deviceId: string, customerId: string | undefined): string {
  return mode === 'khata' ? debtorAccount(customerId ?? 'unknown') : modeAccount(mode, deviceId);
}

/** Accumulates postings, merging repeats of one account and dropping zeros. */
export class PostingList {
  readonly #byAccount = new Map<string, Paise>();

  /** Add a signed amount to an account. */
  add(account: string, amount: Paise): void {
    if (amount === 0) return;
    this.#byAccount.set(account, (this.#byAccount.get(account) ?? 0) + amount);
  }

  /** The merged postings, zero lines removed, sorted by account for stable output. */
  postings(): Posting[] {
    return [...this.#byAccount]
      .filter(([, amount]) => amount !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([account, amount]) => ({ account, amount }));
  }
}

/** Exhaustiveness check for `switch` over event types. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
