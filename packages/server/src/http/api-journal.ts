/**
 * Journal views over the log: the journal (every entry of a range, optionally only those touching
 * an account), an account's ledger with opening and running balance, and the day book. Entries come
 * from the events of the range read back from the log; cost postings from the stock timelines.
 * Amounts are integer paise, debit positive, credit negative.
 */
import type { Hono } from 'hono';
import type { EventType } from '@smartkirana/domain/events';
import { EVENT_TYPES } from '@smartkirana/domain/events';
import { accountLedger, dayBook, journal } from '@smartkirana/domain/reports-journal';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import {
  accountName,
  accountQuery,
  checkAccount,
  matchesAccount,
  namedEntries,
} from './api-accounts-view.ts';
import { eventsInRange } from './api-events.ts';
import { dayQuery, rangeQuery, resolveRange } from './api-range.ts';
import { readAs, today } from './api-support.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'accounting';

/** Event types that can carry postings (the rest are catalogue, staff and device facts). */
const POSTING_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'v1.SaleCompleted',
  'v1.SaleReturned',
  'v1.StockReceived',
  'v1.StockAdjusted',
  'v1.StockCounted',
  'v1.KhataPaymentReceived',
  'v1.SupplierPaid',
  'v1.ExpenseRecorded',
  'v1.CashMoved',
  'v1.OwnerFundsMoved',
  'v1.TillOpened',
  'v1.TillClosed',
]);

/** One CSV row per posting. */
function postingRows(entry: ReturnType<typeof namedEntries>[number]) {
  return entry.postings.map((x) => ({
    eventId: entry.eventId,
    day: entry.day,
    type: entry.type,
    narration: entry.narration,
    account: x.account,
    name: x.name,
    debit: x.amount > 0 ? x.amount : 0,
    credit: x.amount < 0 ? -x.amount : 0,
  }));
}

/** Register the journal, ledger and day book routes. */
export function journalRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/journal',
      summary: 'Journal entries of a range, optionally touching one account (or a kind: cash)',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend(rangeQuery.shape).extend({
        account: accountQuery.optional(),
        type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]).optional(),
      }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const range = resolveRange(query);
      const types = query.type ? new Set([query.type]) : POSTING_TYPES;
      const events = await eventsInRange(c, auth.shopId, p, range, types);
      const entries = namedEntries(p, journal(p, events, range)).filter(
        (e) =>
          query.account === undefined ||
          e.postings.some((x) => matchesAccount(x.account, query.account ?? '')),
      );
      return sendList(c, query, entries, { name: 'journal', flat: postingRows });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/ledger',
      summary: 'Ledger of one account: opening balance, lines with running balance, closing',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend(rangeQuery.shape).extend({ account: accountQuery }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      checkAccount(p, query.account);
      const range = resolveRange(query);
      const events = await eventsInRange(c, auth.shopId, p, range, POSTING_TYPES);
      const ledger = accountLedger(p, events, query.account, range);
      const page = sendList(c, query, ledger.lines, { name: 'ledger' });
      if (page instanceof Response) return page;
      return {
        account: query.account,
        name: accountName(p, query.account),
        range,
        opening: ledger.opening,
        closing: ledger.closing,
        ...page,
      };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/day-book',
      summary: 'Day book: every journal entry of one business day (today by default)',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({ day: dayQuery.optional() }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const day = query.day ?? today();
      const events = await eventsInRange(c, auth.shopId, p, { from: day, to: day }, POSTING_TYPES);
      const entries = namedEntries(p, dayBook(p, events, day));
      return sendList(c, query, entries, { name: `day-book-${day}`, flat: postingRows });
    },
  );
}
