/**
 * Financial statements from the projection's per-day balances: trial balance, profit and loss over a
 * period, balance sheet at a date, account balances and monthly summaries. All amounts are paise.
 */
import { accountDef, type AccountGroup, type AccountNature } from './accounts.ts';
import { monthOf } from './calendar.ts';
import type { ShopProjection } from './shop-projection.ts';

export interface DateRange {
  /** First day included (`YYYY-MM-DD`); open when omitted. */
  from?: string;
  /** Last day included; open when omitted. */
  to?: string;
}

export interface AccountBalance {
  account: string;
  name: string;
  group: AccountGroup | 'Suspense';
  nature: AccountNature;
  /** Net balance, debit positive. */
  balance: number;
  debit: number;
  credit: number;
}

export interface TrialBalance {
  rows: AccountBalance[];
  totalDebit: number;
  totalCredit: number;
}

/** Net balance of every account over a range of business days (all time by default). */
export function accountBalances(p: ShopProjection, range: DateRange = {}): AccountBalance[] {
  const net = new Map<string, number>();
  for (const [day, accounts] of p.balances) {
    if (!inRange(day, range)) continue;
    for (const [account, amount] of accounts) net.set(account, (net.get(account) ?? 0) + amount);
  }
  return [...net]
    .filter(([, balance]) => balance !== 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([account, balance]) => {
      const def = accountDef(account);
      return {
        account,
        name: def?.name ?? account,
        group: def?.group ?? 'Suspense',
        nature: def?.nature ?? 'asset',
        balance,
        debit: balance > 0 ? balance : 0,
        credit: balance < 0 ? -balance : 0,
      };
    });
}

/** Trial balance up to and including `to`; total debits equal total credits. */
export function trialBalance(p: ShopProjection, to?: string): TrialBalance {
  const rows = accountBalances(p, to ? { to } : {});
  return {
    rows,
    totalDebit: rows.reduce((s, r) => s + r.debit, 0),
    totalCredit: rows.reduce((s, r) => s + r.credit, 0),
  };
}

export interface ProfitAndLoss {
  range: DateRange;
  /** Sales less returns and discounts (taxable value). */
  netSales: number;
  costOfGoodsSold: number;
  grossProfit: number;
  /** Other income (round-off gains) as a positive number. */
  otherIncome: number;
  /** Indirect expenses: stock loss, cash shortages, discounts given, shop expenses. */
  expenses: AccountBalance[];
  totalExpenses: number;
  netProfit: number;
  income: AccountBalance[];
}

/** Profit and loss for a range of business days. */
export function profitAndLoss(p: ShopProjection, range: DateRange): ProfitAndLoss {
  const rows = accountBalances(p, range);
  const income = rows.filter((r) => r.nature === 'income');
  const expenseRows = rows.filter((r) => r.nature === 'expense');
  const credit = (code: string): number => -(rows.find((r) => r.account === code)?.balance ?? 0);
  const netSales = credit('sales') + credit('sales-returns');
  const costOfGoodsSold = -credit('cogs') - credit('purchases');
  const grossProfit = netSales - costOfGoodsSold;
  const otherIncome = income
    .filter((r) => r.group === 'Indirect Incomes')
    .reduce((s, r) => s - r.balance, 0);
  const expenses = expenseRows.filter((r) => r.account !== 'cogs' && r.account !== 'purchases');
  const totalExpenses = expenses.reduce((s, r) => s + r.balance, 0);
  return {
    range,
    netSales,
    costOfGoodsSold,
    grossProfit,
    otherIncome,
    expenses,
    totalExpenses,
    netProfit: grossProfit + otherIncome - totalExpenses,
    income,
  };
}

export interface BalanceSheet {
  asOf: string;
  assets: AccountBalance[];
  liabilities: AccountBalance[];
  equity: AccountBalance[];
  /** Profit to date (income − expenses), shown under capital. */
  profit: number;
  totalAssets: number;
  /** Liabilities + equity + profit; equals total assets. */
  totalLiabilitiesAndEquity: number;
}

/** Balance sheet as of a business day. Assets are debit balances; the rest are shown as credits. */
export function balanceSheet(p: ShopProjection, asOf: string): BalanceSheet {
  const rows = accountBalances(p, { to: asOf });
  const assets = rows.filter((r) => r.nature === 'asset');
  const liabilities = rows.filter((r) => r.nature === 'liability');
  const equity = rows.filter((r) => r.nature === 'equity');
  const profit = -rows
    .filter((r) => r.nature === 'income' || r.nature === 'expense')
    .reduce((s, r) => s + r.balance, 0);
  const totalAssets = assets.reduce((s, r) => s + r.balance, 0);
  const credits = [...liabilities, ...equity].reduce((s, r) => s - r.balance, 0);
  return {
    asOf,
    assets,
    liabilities,
    equity,
    profit,
    totalAssets,
    totalLiabilitiesAndEquity: credits + profit,
  };
}

export interface MonthSummary {
  month: string;
  netSales: number;
  costOfGoodsSold: number;
  expenses: number;
  netProfit: number;
}

/** Month-by-month profit summary across all recorded days. */
export function monthlySummaries(p: ShopProjection): MonthSummary[] {
  const months = [...new Set([...p.balances.keys()].map(monthOf))].sort();
  return months.map((month) => {
    const pl = profitAndLoss(p, { from: `${month}-01`, to: `${month}-31` });
    return {
      month,
      netSales: pl.netSales,
      costOfGoodsSold: pl.costOfGoodsSold,
      expenses: pl.totalExpenses,
      netProfit: pl.netProfit,
    };
  });
}

/** Whether a business day falls within a range. */
export function inRange(day: string, range: DateRange): boolean {
  return (
    (range.from === undefined || day >= range.from) && (range.to === undefined || day <= range.to)
  );
}
