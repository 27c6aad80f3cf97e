/**
 * The books, read-only for everyone: trial balance up to the end of the period (debits equal
 * credits), profit and loss for the period, and the balance sheet at its end.
 */
import type { Till } from '@smartkirana/client/till';
import { formatINR } from '@smartkirana/domain/money';
import {
  balanceSheet,
  profitAndLoss,
  trialBalance,
  type AccountBalance,
} from '@smartkirana/domain/reports-books';
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { t } from '../i18n.ts';
import { accountName, DataTable, money, type Column, type Period } from './owner-kit.tsx';

interface Line {
  key: string;
  label: string;
  amount: number;
  strong?: boolean;
}

export function BooksPanel({
  till,
  version,
  period,
}: {
  till: Till;
  version: number;
  period: Period;
}) {
  const p = till.projection;
  const tb = useMemo(() => trialBalance(p, period.to), [p, version, period]);
  const pl = useMemo(() => profitAndLoss(p, period), [p, version, period]);
  const bs = useMemo(() => balanceSheet(p, period.to), [p, version, period]);
  const difference = tb.totalDebit - tb.totalCredit;

  const tbColumns: Column<AccountBalance>[] = [
    { key: 'account', label: t('account'), value: (r) => accountName(p, r.account) },
    { key: 'group', label: t('group'), value: (r) => r.group },
    money('debit', t('debit'), (r) => r.debit),
    money('credit', t('credit'), (r) => r.credit),
  ];

  const plLines: Line[] = [
    { key: 'netSales', label: t('netSales'), amount: pl.netSales },
    { key: 'cogs', label: t('cogs'), amount: -pl.costOfGoodsSold },
    { key: 'grossProfit', label: t('grossProfit'), amount: pl.grossProfit, strong: true },
    { key: 'otherIncome', label: t('otherIncome'), amount: pl.otherIncome },
    ...pl.expenses.map((r) => ({
      key: r.account,
      label: accountName(p, r.account),
      amount: -r.balance,
    })),
    { key: 'totalExpenses', label: t('totalExpenses'), amount: -pl.totalExpenses },
    { key: 'netProfit', label: t('netProfit'), amount: pl.netProfit, strong: true },
  ];

  const side = (rows: readonly AccountBalance[], sign: 1 | -1): Line[] =>
    rows.map((r) => ({
      key: r.account,
      label: accountName(p, r.account),
      amount: sign * r.balance,
    }));
  const bsLines: Line[] = [
    { key: 'h-assets', label: t('assets'), amount: bs.totalAssets, strong: true },
    ...side(bs.assets, 1),
    {
      key: 'h-liabilities',
      label: t('liabilitiesEquity'),
      amount: bs.totalLiabilitiesAndEquity,
      strong: true,
    },
    ...side(bs.liabilities, -1),
    ...side(bs.equity, -1),
    { key: 'profit', label: t('profitToDate'), amount: bs.profit },
  ];

  return (
    <div class="reports">
      <DataTable
        name="trial-balance"
        title={`${t('trialBalance')} · ${t('upTo')} ${period.to}`}
        columns={tbColumns}
        rows={tb.rows}
        rowKey={(r) => r.account}
        footer={{
          debit: <strong data-testid="tb-debit">{formatINR(tb.totalDebit)}</strong>,
          credit: <strong data-testid="tb-credit">{formatINR(tb.totalCredit)}</strong>,
        }}
        note={
          <p class={difference === 0 ? 'ok small' : 'error small'} data-testid="tb-difference">
            {t('difference')}: {formatINR(difference)}
          </p>
        }
      />
      <Statement
        name="profit-and-loss"
        title={`${t('profitAndLoss')} · ${period.from} – ${period.to}`}
        lines={plLines}
      />
      <Statement
        name="balance-sheet"
        title={`${t('balanceSheet')} · ${t('asOf')} ${period.to}`}
        lines={bsLines}
        note={
          bs.totalAssets !== bs.totalLiabilitiesAndEquity ? (
            <p class="error small">{t('doesNotBalance')}</p>
          ) : undefined
        }
      />
    </div>
  );
}

/** A two-column statement (label, amount), headings in bold. */
function Statement(props: {
  name: string;
  title: string;
  lines: readonly Line[];
  note?: ComponentChildren;
}) {
  const columns: Column<Line>[] = [
    {
      key: 'label',
      label: t('account'),
      value: (r) => r.label,
      show: (r) => (r.strong ? <strong>{r.label}</strong> : <span class="indent">{r.label}</span>),
    },
    {
      ...money<Line>('amount', t('amount'), (r) => r.amount),
      show: (r) => (r.strong ? <strong>{formatINR(r.amount)}</strong> : formatINR(r.amount)),
    },
  ];
  return (
    <DataTable
      name={props.name}
      title={props.title}
      columns={columns}
      rows={props.lines}
      rowKey={(r) => r.key}
      note={props.note}
    />
  );
}
