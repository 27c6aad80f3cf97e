/**
 * Stock-room forms for one product: a write-off (damaged, expired, stolen) or stock found, and a
 * physical count. Quantities are typed in pieces, kilograms or litres and checked before anything
 * is recorded; a refused command shows its reason under the form.
 */
import type { Till } from '@smartkirana/client/till';
import type { PayloadOf } from '@smartkirana/domain/events';
import { formatQty } from '@smartkirana/domain/quantity';
import type { StockRow } from '@smartkirana/domain/reports-stock';
import { useState } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import { ActionNote, readQty, unitLabel, useAction } from './common.tsx';

type Reason = PayloadOf<'v1.StockAdjusted'>['reason'];

const REASONS: { reason: Reason; label: StringKey }[] = [
  { reason: 'damage', label: 'srDamage' },
  { reason: 'expiry', label: 'srExpiredGoods' },
  { reason: 'theft', label: 'srTheft' },
  { reason: 'found', label: 'srFound' },
];

export function AdjustForm({ till, row }: { till: Till; row: StockRow }) {
  const [reason, setReason] = useState<Reason>('damage');
  const [qty, setQty] = useState('');
  const action = useAction();
  const read = qty ? readQty(qty, row.unit, t('qty')) : undefined;
  const delta = typeof read === 'number' ? (reason === 'found' ? read : -read) : undefined;
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (typeof read === 'string') {
      action.fail(read);
      return;
    }
    if (delta === undefined || delta === 0) {
      action.fail(`${t('qty')} > 0`);
      return;
    }
    const ok = await action.run(
      () => till.commands.adjust(row.productId, delta, reason),
      t('srAdjusted'),
    );
    if (ok) setQty('');
  };
  return (
    <form class="inline-form" onSubmit={(e) => void submit(e)} data-testid="adjust-form">
      <div class="tenders" role="radiogroup" aria-label={t('srReason')}>
        {REASONS.map((r) => (
          <button
            type="button"
            key={r.reason}
            class={reason === r.reason ? 'chip small active' : 'chip small'}
            onClick={() => setReason(r.reason)}
            data-reason={r.reason}
          >
            {t(r.label)}
          </button>
        ))}
      </div>
      <label>
        {t('qty')} ({unitLabel(row.unit)})
        <input
          inputMode="decimal"
          value={qty}
          onInput={(e) => setQty(e.currentTarget.value)}
          data-testid="adjust-qty"
        />
      </label>
      {delta !== undefined && delta !== 0 && (
        <p class={row.qty + delta < 0 ? 'warn' : 'muted'}>
          {t('srAfter')}: {formatQty(row.qty + delta, row.unit)}
        </p>
      )}
      <ActionNote action={action} />
      <button class="primary" disabled={action.busy} data-testid="adjust-submit">
        {reason === 'found' ? t('srAddFound') : t('srWriteOff')}
      </button>
    </form>
  );
}

export function CountForm({ till, row }: { till: Till; row: StockRow }) {
  const [qty, setQty] = useState('');
  const action = useAction();
  const read = qty ? readQty(qty, row.unit, t('srCounted')) : undefined;
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (read === undefined) {
      action.fail(`${t('srCounted')}?`);
      return;
    }
    if (typeof read === 'string') {
      action.fail(read);
      return;
    }
    const ok = await action.run(() => till.commands.count(row.productId, read), t('srCountSaved'));
    if (ok) setQty('');
  };
  return (
    <form class="inline-form" onSubmit={(e) => void submit(e)} data-testid="count-form">
      <label>
        {t('srCounted')} ({unitLabel(row.unit)})
        <input
          inputMode="decimal"
          value={qty}
          onInput={(e) => setQty(e.currentTarget.value)}
          data-testid="count-qty"
        />
      </label>
      {typeof read === 'number' && (
        <p class="muted">
          {t('srDifference')}: {read - row.qty > 0 ? '+' : ''}
          {formatQty(read - row.qty, row.unit)}
        </p>
      )}
      <ActionNote action={action} />
      <button class="primary" disabled={action.busy} data-testid="count-submit">
        {t('srSaveCount')}
      </button>
    </form>
  );
}
