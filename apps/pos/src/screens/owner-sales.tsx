/**
 * Sales for a period (today on the overview): bills, takings, tax, returns and net, by till,
 * cashier, payment mode and hour, as bar charts and as tables with CSV export.
 */
import type { Till } from '@smartkirana/client/till';
import { formatINR } from '@smartkirana/domain/money';
import { salesSummary, type SalesBucket } from '@smartkirana/domain/reports-sales';
import { useMemo } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import { BarChart, HourChart } from './charts.tsx';
import { DataTable, Kpis, money, type Column, type Period } from './owner-kit.tsx';

const MODES: Record<string, StringKey> = { cash: 'cash', upi: 'upi', card: 'card', khata: 'khata' };

/** Rupees without paise for chart labels: ₹1,234. */
function short(paise: number): string {
  return formatINR(paise).replace(/\.\d\d$/, '');
}

export function SalesPanel({
  till,
  version,
  period,
  compact = false,
}: {
  till: Till;
  version: number;
  period: Period;
  compact?: boolean;
}) {
  const s = useMemo(() => salesSummary(till.projection, period), [till, version, period]);
  const modeLabel = (key: string): string => {
    const k = MODES[key];
    return k ? t(k) : key;
  };
  const byMode = s.byMode.map((b) => ({ ...b, key: modeLabel(b.key) }));
  const hourLabel = (key: string): string => `${key}:00–${key}:59`;
  const bars = (list: readonly SalesBucket[]) =>
    list.map((b) => ({ label: b.key, value: b.total }));
  const single = period.from === period.to;

  return (
    <section class="owner-sales" data-testid={compact ? 'today-sales' : 'sales'}>
      <h3>
        {compact ? t('todaysSales') : t('sales')}{' '}
        <small class="muted">{single ? period.from : `${period.from} – ${period.to}`}</small>
      </h3>
      <Kpis
        items={[
          [t('bills'), String(s.bills), 'bills'],
          [t('takings'), formatINR(s.total), 'total'],
          [t('gst'), formatINR(s.tax), 'tax'],
          [t('returns'), formatINR(s.returns), 'returns'],
          [t('netSales'), formatINR(s.net), 'net'],
          [t('averageBill'), formatINR(s.averageBill), 'average'],
        ]}
      />
      <div class="charts">
        <BarChart title={t('byTill')} bars={bars(s.byDevice)} format={short} />
        <BarChart title={t('byCashier')} bars={bars(s.byCashier)} format={short} />
        <BarChart title={t('byMode')} bars={bars(byMode)} format={short} />
        <HourChart title={t('byHour')} hours={bars(s.byHour)} format={short} />
      </div>
      {!compact && (
        <div class="reports">
          {!single && (
            <BucketTable name="sales-by-day" title={t('byDay')} label={t('day')} rows={s.byDay} />
          )}
          <BucketTable
            name="sales-by-till"
            title={t('byTill')}
            label={t('code')}
            rows={s.byDevice}
          />
          <BucketTable
            name="sales-by-cashier"
            title={t('byCashier')}
            label={t('cashier')}
            rows={s.byCashier}
          />
          <BucketTable
            name="sales-by-mode"
            title={t('byMode')}
            label={t('mode')}
            rows={byMode}
            tender
          />
          <BucketTable
            name="sales-by-hour"
            title={t('byHour')}
            label={t('hour')}
            rows={s.byHour.map((b) => ({ ...b, key: hourLabel(b.key) }))}
          />
        </div>
      )}
    </section>
  );
}

/** One breakdown as a table; tender rows carry only the amount taken (no tax split). */
function BucketTable({
  name,
  title,
  label,
  rows,
  tender = false,
}: {
  name: string;
  title: string;
  label: string;
  rows: readonly SalesBucket[];
  tender?: boolean;
}) {
  const columns: Column<SalesBucket>[] = [
    { key: 'key', label, value: (r) => r.key },
    { key: 'bills', label: t('bills'), num: true, value: (r) => r.bills },
    money('total', tender ? t('amount') : t('total'), (r) => r.total),
    ...(tender
      ? []
      : [
          money<SalesBucket>('taxable', t('taxable'), (r) => r.taxable),
          money<SalesBucket>('tax', t('gst'), (r) => r.tax),
        ]),
  ];
  const sum = (f: (r: SalesBucket) => number): string =>
    formatINR(rows.reduce((a, r) => a + f(r), 0));
  return (
    <DataTable
      name={name}
      title={title}
      columns={columns}
      rows={rows}
      rowKey={(r) => r.key}
      footer={{
        total: sum((r) => r.total),
        ...(tender ? {} : { taxable: sum((r) => r.taxable), tax: sum((r) => r.tax) }),
      }}
    />
  );
}
