/**
 * The resolutions of one conflict, each an ordinary event recorded on this till (works offline and
 * syncs like a sale): a recount or write-off that names the conflict in `resolves`, a price set
 * based on the winning edit, or an acknowledgement. Only what the role may record is shown.
 */
import type { Till } from '@smartkirana/client/till';
import type { Conflict } from '@smartkirana/domain/conflicts';
import type { EventType } from '@smartkirana/domain/events';
import { formatINR, parseRupees } from '@smartkirana/domain/money';
import { formatQty, parseQty } from '@smartkirana/domain/quantity';
import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { displayUnit } from './owner-kit.tsx';

export function ConflictActions({
  till,
  conflict: c,
  may,
}: {
  till: Till;
  conflict: Conflict;
  may: (type: EventType) => boolean;
}) {
  const p = till.projection;
  const product = c.productId ? p.products.get(c.productId) : undefined;
  const unit = product?.get('unit') ?? 'pc';
  const stockNow = c.productId ? (p.timelines.get(c.productId)?.state.qty ?? 0) : 0;
  const [counted, setCounted] = useState('');
  const [price, setPrice] = useState(() =>
    formatINR(product?.get('sellingPrice') ?? 0, { symbol: false }).replace(/,/g, ''),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const run = async (action: () => Promise<void>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const recount = (): Promise<void> =>
    run(async () => {
      if (!c.productId) return;
      const qty = parseQty(counted.trim(), displayUnit(unit));
      await till.commands.count(c.productId, qty, [c.id]);
      setCounted('');
    });

  const writeOff = (): Promise<void> =>
    run(async () => {
      if (!c.productId || stockNow >= 0) return;
      await till.commands.adjust(c.productId, -stockNow, 'correction', [c.id]);
    });

  const setSellingPrice = (): Promise<void> =>
    run(async () => {
      if (!c.productId) return;
      // Based on the edit that won, so the new price supersedes both concurrent edits.
      const key = p.products.get(c.productId)?.keyOf('sellingPrice');
      const basedOn = key ? (key.split('|')[0] ?? null) : null;
      await till.commands.record('v1.PriceChanged', {
        productId: c.productId,
        sellingPrice: parseRupees(price),
        basedOn,
      });
    });

  const acknowledge = (): Promise<void> =>
    run(() => till.commands.record('v1.ConflictAcknowledged', { conflictId: c.id, note: '' }));

  const oversell = c.kind === 'oversell' && c.productId !== undefined;
  const canCount = oversell && may('v1.StockCounted');
  const canWriteOff = oversell && stockNow < 0 && may('v1.StockAdjusted');
  const canPrice = c.kind === 'price-edit' && c.productId !== undefined && may('v1.PriceChanged');
  const canAck = c.status === 'open' && may('v1.ConflictAcknowledged');
  if (!canCount && !canWriteOff && !canPrice && !canAck) return null;

  return (
    <div class="conflict-actions">
      {canCount && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void recount();
          }}
        >
          <input
            name="counted"
            inputMode="decimal"
            aria-label={t('countedQty')}
            placeholder={t('countedQty')}
            value={counted}
            onInput={(e) => setCounted(e.currentTarget.value)}
            data-testid="recount-qty"
          />
          <span class="unit">{displayUnit(unit) === 'l' ? 'L' : displayUnit(unit)}</span>
          <button class="primary" disabled={busy || counted.trim() === ''} data-action="recount">
            {t('recount')}
          </button>
        </form>
      )}
      {canPrice && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void setSellingPrice();
          }}
        >
          <span class="unit">₹</span>
          <input
            name="price"
            inputMode="decimal"
            aria-label={t('newPrice')}
            value={price}
            onInput={(e) => setPrice(e.currentTarget.value)}
            data-testid="set-price"
          />
          <button class="primary" disabled={busy || price.trim() === ''} data-action="set-price">
            {t('setPrice')}
          </button>
        </form>
      )}
      <div class="tenders">
        {canWriteOff && (
          <button disabled={busy} onClick={() => void writeOff()} data-action="write-off">
            {t('writeOff')} {formatQty(-stockNow, unit)}
          </button>
        )}
        {canAck && (
          <button disabled={busy} onClick={() => void acknowledge()} data-action="acknowledge">
            {t('acknowledge')}
          </button>
        )}
      </div>
      {error && <p class="error small">{error}</p>}
    </div>
  );
}
