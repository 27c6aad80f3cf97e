/**
 * The stock room's read-only lists: every product with its level and status (searchable,
 * filterable), what is low with how much to reorder, what expires within 30 days, and one
 * product's movement history with the level after each movement.
 */
import { formatINR } from '@smartkirana/domain/money';
import { formatQty } from '@smartkirana/domain/quantity';
import type {
  ExpiringBatch,
  MovementRow,
  ReorderSuggestion,
  StockRow,
  StockStatus,
} from '@smartkirana/domain/reports-stock';
import type { MovementKind } from '@smartkirana/domain/stock-timeline';
import { useMemo, useState } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import { shortDay } from './common.tsx';

const STATUS_LABEL: Record<StockStatus, StringKey> = {
  critical: 'srCritical',
  low: 'srLow',
  normal: 'srNormal',
  overstocked: 'srOverstocked',
};

const KIND_LABEL: Record<MovementKind, StringKey> = {
  cost: 'srMvCount',
  sale: 'srMvSale',
  return: 'srMvReturn',
  receipt: 'srMvReceipt',
  adjust: 'srMvAdjust',
  count: 'srMvCount',
};

export function StatusBadge({ status }: { status: StockStatus }) {
  return (
    <span class={`badge ${status}`} data-status={status}>
      {t(STATUS_LABEL[status])}
    </span>
  );
}

export function StockList({
  rows,
  totalValue,
  selected,
  onSelect,
}: {
  rows: StockRow[];
  totalValue: number;
  selected: string | undefined;
  onSelect: (productId: string) => void;
}) {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<StockStatus | 'all'>('all');
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return rows.filter(
      (r) =>
        (status === 'all' || r.status === status) &&
        (!q ||
          r.name.toLowerCase().includes(q) ||
          r.sku.toLowerCase().includes(q) ||
          r.category.includes(q)),
    );
  }, [rows, query, status]);
  return (
    <>
      <input
        class="search"
        type="search"
        placeholder={t('srSearch')}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        data-testid="stock-search"
      />
      <div class="tenders" role="radiogroup" aria-label={t('srStatus')}>
        {(['all', 'critical', 'low', 'normal', 'overstocked'] as const).map((s) => (
          <button
            key={s}
            class={status === s ? 'chip small active' : 'chip small'}
            onClick={() => setStatus(s)}
            data-filter={s}
          >
            {s === 'all' ? t('srAll') : t(STATUS_LABEL[s])}
            {s === 'all' ? '' : ` ${rows.filter((r) => r.status === s).length}`}
          </button>
        ))}
      </div>
      {shown.length === 0 && <p class="muted">{t('srNothing')}</p>}
      <ul class="stock-list" data-testid="stock-list">
        {shown.map((r) => (
          <li key={r.productId}>
            <button
              class={selected === r.productId ? 'stock-row active' : 'stock-row'}
              onClick={() => onSelect(r.productId)}
              data-testid="stock-row"
              data-sku={r.sku}
            >
              <span class="stock-name">
                {r.name}
                <small class="muted">
                  {r.sku} · {r.category} · {formatINR(r.sellingPrice)}
                </small>
              </span>
              <span class="num" data-testid="stock-qty">
                {formatQty(r.qty, r.unit)}
              </span>
              <StatusBadge status={r.status} />
            </button>
          </li>
        ))}
      </ul>
      <p class="muted num">
        {t('srStockValue')}: {formatINR(totalValue)}
      </p>
    </>
  );
}

export function AlertLists({
  low,
  expiring,
  units,
  onSelect,
}: {
  low: ReorderSuggestion[];
  expiring: ExpiringBatch[];
  units: Map<string, StockRow['unit']>;
  onSelect: (productId: string) => void;
}) {
  return (
    <>
      <h2>{t('srLowStock')}</h2>
      {low.length === 0 && <p class="muted">{t('srNothing')}</p>}
      <ul class="alert-list" data-testid="low-stock">
        {low.map((r) => (
          <li key={r.productId}>
            <button class="stock-row" onClick={() => onSelect(r.productId)} data-sku={r.sku}>
              <span class="stock-name">
                {r.name}
                <small class="muted">
                  {t('srReorder')} {formatQty(r.suggestedQty, units.get(r.productId) ?? 'pc')}
                </small>
              </span>
              <span class="num">{formatQty(r.qty, units.get(r.productId) ?? 'pc')}</span>
              <StatusBadge status={r.status} />
            </button>
          </li>
        ))}
      </ul>
      <h2>{t('srExpiring')}</h2>
      {expiring.length === 0 && <p class="muted">{t('srNothing')}</p>}
      <ul class="alert-list" data-testid="expiry-list">
        {expiring.map((b) => (
          <li key={`${b.productId}-${b.expiry}-${b.batch ?? ''}`}>
            <button class="stock-row" onClick={() => onSelect(b.productId)}>
              <span class="stock-name">
                {b.name}
                <small class="muted">{b.batch ?? ''}</small>
              </span>
              <span class="num">{formatQty(b.qty, units.get(b.productId) ?? 'pc')}</span>
              <span class={b.expired ? 'badge critical' : 'badge low'}>
                {b.expired ? t('srExpired') : t('srExpires')} {b.expiry}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

export function MovementHistory({ rows, unit }: { rows: MovementRow[]; unit: StockRow['unit'] }) {
  if (rows.length === 0) return <p class="muted">{t('srNothing')}</p>;
  // Newest first: the question at the shelf is "what happened lately".
  return (
    <div class="scroll-x">
      <table class="lines movements" data-testid="movements">
        <thead>
          <tr>
            <th>{t('srDay')}</th>
            <th>{t('srKind')}</th>
            <th class="num">{t('srChange')}</th>
            <th class="num">{t('srAfter')}</th>
          </tr>
        </thead>
        <tbody>
          {[...rows].reverse().map((m, i) => (
            <tr key={`${m.eventId}-${i}`} data-kind={m.kind}>
              <td>{shortDay(m.day)}</td>
              <td>{t(KIND_LABEL[m.kind])}</td>
              <td class={m.delta < 0 ? 'num neg' : 'num'}>
                {m.delta > 0 ? '+' : ''}
                {formatQty(m.delta, unit)}
              </td>
              <td class="num" data-testid="movement-after">
                {formatQty(m.qtyAfter, unit)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
