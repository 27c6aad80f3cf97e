/**
 * The shop's books from the projection's per-day balances: chart of accounts, account balances,
 * trial balance, profit and loss over a period, balance sheet at a date, monthly summaries, item
 * profit and the sales summary. Amounts are integer paise; balances are debit-positive.
 */
import type { Hono } from 'hono';
import {
  accountBalances,
  balanceSheet,
  monthlySummaries,
  profitAndLoss,
  trialBalance,
} from '@smartkirana/domain/reports-books';
import { salesSummary } from '@smartkirana/domain/reports-sales';
import { itemProfit } from '@smartkirana/domain/reports-stock';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { chartOfAccounts, named } from './api-accounts-view.ts';
import { dayQuery, rangeQuery, resolveRange } from './api-range.ts';
import { readAs, today } from './api-support.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'accounting';
const asOfQuery = z.object({ asOf: dayQuery.optional() });

/** Register the accounting report routes. */
export function bookRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/accounts',
      summary: 'Chart of accounts: the standard accounts and sub-ledgers in use, with balances',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({ limit: listQuery.shape.limit.default(500) }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      return sendList(c, query, chartOfAccounts(p), { name: 'chart-of-accounts' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/accounts/balances',
      summary: 'Net balance of every account over a range of business days (paise, debit +)',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery
        .extend(rangeQuery.shape)
        .extend({ limit: listQuery.shape.limit.default(500) }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const rows = named(p, accountBalances(p, resolveRange(query)));
      return sendList(c, query, rows, { name: 'account-balances' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/trial-balance',
      summary: 'Trial balance up to a business day (all time by default); debits equal credits',
      tag: TAG,
      access: 'user',
      csv: true,
      query: asOfQuery.extend({ format: listQuery.shape.format }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const tb = trialBalance(p, query.asOf);
      const rows = named(p, tb.rows);
      if (query.format === 'csv')
        return sendList(c, { limit: 1, offset: 0, format: 'csv' }, rows, { name: 'trial-balance' });
      return {
        asOf: query.asOf ?? null,
        rows,
        totalDebit: tb.totalDebit,
        totalCredit: tb.totalCredit,
        difference: tb.totalDebit - tb.totalCredit,
      };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/profit-loss',
      summary: 'Profit and loss over from/to or the last N days (this financial year by default)',
      tag: TAG,
      access: 'user',
      query: rangeQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const pl = profitAndLoss(p, resolveRange(query, 'financial-year'));
      return { ...pl, expenses: named(p, pl.expenses), income: named(p, pl.income) };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/balance-sheet',
      summary: 'Balance sheet as of a business day (today by default)',
      tag: TAG,
      access: 'user',
      query: asOfQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const bs = balanceSheet(p, query.asOf ?? today());
      return {
        ...bs,
        assets: named(p, bs.assets),
        liabilities: named(p, bs.liabilities),
        equity: named(p, bs.equity),
        balanced: bs.totalAssets === bs.totalLiabilitiesAndEquity,
      };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/monthly',
      summary: 'Month-by-month net sales, cost of goods, expenses and profit',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      return sendList(c, query, monthlySummaries(p), { name: 'monthly-summary' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/item-profit',
      summary: 'Profit per product over a range: revenue (taxable), cost of goods, profit',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend(rangeQuery.shape),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      return sendList(c, query, itemProfit(p, resolveRange(query)), { name: 'item-profit' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/reports/sales-summary',
      summary: 'Sales by day, till, cashier, payment mode and hour over a range (voids excluded)',
      tag: TAG,
      access: 'user',
      query: rangeQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'sales');
      return salesSummary(p, resolveRange(query));
    },
  );
}
