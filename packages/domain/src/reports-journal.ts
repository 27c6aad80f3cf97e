/**
 * Journal views over events: the day book (every entry of a day) and an account's ledger with a
 * running balance. The projection supplies cost postings; the caller supplies the events (the
 * server reads them from its log, a till from its replica).
 */
import type { DomainEvent } from './events.ts';
import { businessDayOf, type JournalEntry } from './journal.ts';
import { inRange, type DateRange } from './reports-books.ts';
import type { ShopProjection } from './shop-projection.ts';

/** Journal entries of the given events that fall in a range of days, in canonical order. */
export function journal(
  p: ShopProjection,
  events: Iterable<DomainEvent>,
  range: DateRange = {},
): JournalEntry[] {
  const out: { hlc: string; id: string; entry: JournalEntry }[] = [];
  for (const e of events) {
    if (!inRange(businessDayOf(e), range)) continue;
    const entry = p.journalFor(e);
    if (entry.postings.length > 0) out.push({ hlc: e.hlc, id: e.id, entry });
  }
  return out
    .sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.id < b.id ? -1 : 1))
    .map((x) => x.entry);
}

/** The day book: every journal entry of one business day. */
export function dayBook(
  p: ShopProjection,
  events: Iterable<DomainEvent>,
  day: string,
): JournalEntry[] {
  return journal(p, events, { from: day, to: day });
}

export interface LedgerLine {
  eventId: string;
  day: string;
  narration: string;
  debit: number;
  credit: number;
  /** Balance after this line, debit positive. */
  balance: number;
}

/** An account's ledger over a range, opening with the balance brought forward. */
export function accountLedger(
  p: ShopProjection,
  events: Iterable<DomainEvent>,
  account: string,
  range: DateRange = {},
): { opening: number; lines: LedgerLine[]; closing: number } {
  let opening = 0;
  if (range.from !== undefined) {
    const from = range.from;
    for (const [day, accounts] of p.balances) if (day < from) opening += accounts.get(account) ?? 0;
  }
  let balance = opening;
  const lines: LedgerLine[] = [];
  for (const entry of journal(p, events, range)) {
    for (const posting of entry.postings) {
      if (posting.account !== account) continue;
      balance += posting.amount;
      lines.push({
        eventId: entry.eventId,
        day: entry.day,
        narration: entry.narration,
        debit: posting.amount > 0 ? posting.amount : 0,
        credit: posting.amount < 0 ? -posting.amount : 0,
        balance,
      });
    }
  }
  return { opening, lines, closing: balance };
}
