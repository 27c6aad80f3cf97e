/**
 * The stock room: every product's level and status, what is low or about to expire, goods
 * received, write-offs and counts, new products and price changes. Everything is recorded on the
 * till and works with no network; the lists recompute from the projection after every change.
 */
import type { Till } from '@smartkirana/client/till';
import type { EventType } from '@smartkirana/domain/events';
import { expiryList, reorderSuggestions, stockSummary } from '@smartkirana/domain/reports-stock';
import { useMemo, useState } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import { may, today, useVersion } from './common.tsx';
import { ProductForm } from './product-form.tsx';
import { ProductPanel } from './product-panel.tsx';
import { ReceiveForm } from './receive-form.tsx';
import { AlertLists, StockList } from './stock-lists.tsx';

type View = 'list' | 'alerts' | 'receive' | 'new';

const VIEWS: { view: View; label: StringKey; needs?: EventType }[] = [
  { view: 'list', label: 'srTabStock' },
  { view: 'alerts', label: 'srTabAlerts' },
  { view: 'receive', label: 'srReceive', needs: 'v1.StockReceived' },
  { view: 'new', label: 'srNewProduct', needs: 'v1.ProductCreated' },
];

/** Expiry list horizon, in days. */
const EXPIRY_DAYS = 30;

export function StockRoom({ till }: { till: Till }) {
  const version = useVersion(till);
  const [view, setView] = useState<View>('list');
  const [selected, setSelected] = useState<string | undefined>();
  const summary = useMemo(() => stockSummary(till.projection), [till, version]);
  const alerts = useMemo(
    () => ({
      low: reorderSuggestions(till.projection),
      expiring: expiryList(till.projection, today(), EXPIRY_DAYS),
    }),
    [till, version],
  );
  const units = useMemo(() => new Map(summary.rows.map((r) => [r.productId, r.unit])), [summary]);
  // The product panel sits beside the lists (below them on a phone, in place of them).
  const row =
    view === 'list' || view === 'alerts'
      ? summary.rows.find((r) => r.productId === selected)
      : undefined;
  const select = (productId: string): void => setSelected(productId);
  const alertCount = alerts.low.length + alerts.expiring.length;

  return (
    <div class="stock-room">
      <nav class="tenders sub-tabs" aria-label={t('navStock')}>
        {VIEWS.filter((v) => !v.needs || may(till, v.needs)).map((v) => (
          <button
            key={v.view}
            class={view === v.view ? 'chip active' : 'chip'}
            onClick={() => setView(v.view)}
            data-testid={`sr-tab-${v.view}`}
          >
            {t(v.label)}
            {v.view === 'alerts' && alertCount > 0 && <span class="count">{alertCount}</span>}
          </button>
        ))}
      </nav>
      <div class={row ? 'stock-grid has-selection' : 'stock-grid'}>
        <section class="pane stock-main">
          {view === 'list' && (
            <StockList
              rows={summary.rows}
              totalValue={summary.totalValue}
              selected={selected}
              onSelect={select}
            />
          )}
          {view === 'alerts' && (
            <AlertLists
              low={alerts.low}
              expiring={alerts.expiring}
              units={units}
              onSelect={select}
            />
          )}
          {view === 'receive' && <ReceiveForm till={till} products={summary.rows} />}
          {view === 'new' && (
            <ProductForm
              till={till}
              onSaved={(id) => {
                setSelected(id);
                setView('list');
              }}
            />
          )}
        </section>
        {row && <ProductPanel till={till} row={row} onClose={() => setSelected(undefined)} />}
      </div>
    </div>
  );
}
