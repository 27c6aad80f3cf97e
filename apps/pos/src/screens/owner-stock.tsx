/**
 * Stock on hand valued at moving-average cost, with each product's status, and item profit
 * (revenue less cost of goods) over the chosen period.
 */
import type { Till } from '@smartkirana/client/till';
import { formatINR } from '@smartkirana/domain/money';
import { formatQty, type BaseUnit } from '@smartkirana/domain/quantity';
import {
  itemProfit,
  stockSummary,
  type ItemProfit,
  type StockRow,
} from '@smartkirana/domain/reports-stock';
import { useMemo } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import { DataTable, money, type Column, type Period } from './owner-kit.tsx';

const STATUS: Record<StockRow['status'], StringKey> = {
  critical: 'statusCritical',
  low: 'statusLow',
  normal: 'statusNormal',
  overstocked: 'statusOver',
};

export function StockPanel({
  till,
  version,
  period,
}: {
  till: Till;
  version: number;
  period: Period;
}) {
  const p = till.projection;
  const stock = useMemo(() => stockSummary(p), [p, version]);
  const profit = useMemo(() => itemProfit(p, period), [p, version, period]);
  const unitOf = (productId: string): BaseUnit => p.products.get(productId)?.get('unit') ?? 'pc';

  const stockColumns: Column<StockRow>[] = [
    { key: 'sku', label: t('sku'), value: (r) => r.sku },
    { key: 'name', label: t('product'), value: (r) => r.name },
    {
      key: 'qty',
      label: t('qty'),
      num: true,
      value: (r) => formatQty(r.qty, r.unit),
      show: (r) => (
        <span class={r.qty < 0 ? 'warn-text' : undefined}>{formatQty(r.qty, r.unit)}</span>
      ),
    },
    money('avgCost', t('avgCost'), (r) => r.avgCost),
    money('value', t('value'), (r) => r.value),
    money('sellingPrice', t('price'), (r) => r.sellingPrice),
    {
      key: 'status',
      label: t('status'),
      value: (r) => t(STATUS[r.status]),
      show: (r) => <span class={`badge stock-${r.status}`}>{t(STATUS[r.status])}</span>,
    },
  ];

  const profitColumns: Column<ItemProfit>[] = [
    { key: 'name', label: t('product'), value: (r) => r.name },
    {
      key: 'qtySold',
      label: t('qtySold'),
      num: true,
      value: (r) => formatQty(r.qtySold, unitOf(r.productId)),
    },
    money('revenue', t('revenue'), (r) => r.revenue),
    money('cogs', t('cogs'), (r) => r.cogs),
    money('profit', t('profit'), (r) => r.profit),
    {
      key: 'margin',
      label: t('margin'),
      num: true,
      value: (r) => (r.revenue > 0 ? `${((r.profit * 100) / r.revenue).toFixed(1)}%` : ''),
    },
  ];
  const sum = (f: (r: ItemProfit) => number): number => profit.reduce((a, r) => a + f(r), 0);

  return (
    <div class="reports">
      <DataTable
        name="stock-summary"
        title={t('stockSummary')}
        columns={stockColumns}
        rows={stock.rows}
        rowKey={(r) => r.productId}
        footer={{ value: <strong data-testid="stock-value">{formatINR(stock.totalValue)}</strong> }}
      />
      <DataTable
        name="item-profit"
        title={`${t('itemProfit')} · ${period.from === period.to ? period.from : `${period.from} – ${period.to}`}`}
        columns={profitColumns}
        rows={profit}
        rowKey={(r) => r.productId}
        footer={{
          revenue: formatINR(sum((r) => r.revenue)),
          cogs: formatINR(sum((r) => r.cogs)),
          profit: formatINR(sum((r) => r.profit)),
        }}
      />
    </div>
  );
}
