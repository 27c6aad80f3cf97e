/**
 * One product in the stock room: its level, status and value, the actions the signed-in person may
 * take on it (write off or find, count, edit, change price), and its movement history.
 */
import type { Till } from '@smartkirana/client/till';
import type { EventType } from '@smartkirana/domain/events';
import { formatINR } from '@smartkirana/domain/money';
import { formatQty } from '@smartkirana/domain/quantity';
import { stockMovements, type StockRow } from '@smartkirana/domain/reports-stock';
import { useMemo, useState } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import { may, unitLabel, useVersion } from './common.tsx';
import { PriceForm } from './price-form.tsx';
import { ProductForm } from './product-form.tsx';
import { AdjustForm, CountForm } from './stock-forms.tsx';
import { MovementHistory, StatusBadge } from './stock-lists.tsx';

type Mode = 'adjust' | 'count' | 'edit' | 'price';

const MODES: { mode: Mode; label: StringKey; needs: EventType }[] = [
  { mode: 'adjust', label: 'srAdjust', needs: 'v1.StockAdjusted' },
  { mode: 'count', label: 'srCount', needs: 'v1.StockCounted' },
  { mode: 'edit', label: 'srEdit', needs: 'v1.ProductUpdated' },
  { mode: 'price', label: 'srPrice', needs: 'v1.PriceChanged' },
];

export function ProductPanel({
  till,
  row,
  onClose,
}: {
  till: Till;
  row: StockRow;
  onClose: () => void;
}) {
  const version = useVersion(till);
  const allowed = MODES.filter((m) => may(till, m.needs));
  const [mode, setMode] = useState<Mode | undefined>(allowed[0]?.mode);
  const movements = useMemo(
    () => stockMovements(till.projection, row.productId),
    [till, row.productId, version],
  );
  const unit = unitLabel(row.unit);
  return (
    <section class="pane product-panel" data-testid="product-panel" data-sku={row.sku}>
      <div class="panel-head">
        <button class="link" onClick={onClose} aria-label={t('srBack')}>
          ← {t('srBack')}
        </button>
        <h2>{row.name}</h2>
        <StatusBadge status={row.status} />
      </div>
      <p class="muted">
        {row.sku} · {row.category}
      </p>
      <dl class="facts">
        <dt>{t('stock')}</dt>
        <dd class="big" data-testid="product-qty">
          {formatQty(row.qty, row.unit)}
        </dd>
        <dt>{t('srSellingPrice')}</dt>
        <dd>
          {formatINR(row.sellingPrice)}/{unit} · {t('srMrp')} {formatINR(row.mrp)}
        </dd>
        <dt>{t('srAvgCost')}</dt>
        <dd>
          {formatINR(row.avgCost)}/{unit}
        </dd>
        <dt>{t('srValue')}</dt>
        <dd>{formatINR(row.value)}</dd>
        <dt>
          {t('srMinStock')} / {t('srMaxStock')}
        </dt>
        <dd>
          {formatQty(row.minStock, row.unit)} / {formatQty(row.maxStock, row.unit)}
        </dd>
      </dl>
      {allowed.length > 0 && (
        <div class="tenders" role="tablist">
          {allowed.map((m) => (
            <button
              key={m.mode}
              role="tab"
              class={mode === m.mode ? 'chip active' : 'chip'}
              onClick={() => setMode(m.mode)}
              data-action={m.mode}
            >
              {t(m.label)}
            </button>
          ))}
        </div>
      )}
      {/* Keyed by product: switching product never carries a half-typed form across. */}
      {mode === 'adjust' && <AdjustForm key={row.productId} till={till} row={row} />}
      {mode === 'count' && <CountForm key={row.productId} till={till} row={row} />}
      {mode === 'price' && <PriceForm key={row.productId} till={till} row={row} />}
      {mode === 'edit' && (
        <ProductForm
          key={row.productId}
          till={till}
          productId={row.productId}
          onSaved={() => undefined}
        />
      )}
      <h3>{t('srHistory')}</h3>
      <MovementHistory rows={movements} unit={row.unit} />
    </section>
  );
}
