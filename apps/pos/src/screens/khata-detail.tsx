/**
 * One khata customer: balance against the credit limit (with a warning when over or close), a
 * payment (cash, UPI, card, bank), ageing of what is unpaid (0–30, 31–60, 61–90, 90+ days), the
 * statement with a running balance, and the credit limit for people allowed to change it.
 */
import type { Till } from '@smartkirana/client/till';
import type { MoneyMode } from '@smartkirana/domain/event-fields';
import { formatINR } from '@smartkirana/domain/money';
import { ageing, khataStatement, type KhataRow } from '@smartkirana/domain/reports-parties';
import type { PartyEntry } from '@smartkirana/domain/shop-projection';
import { useMemo, useState } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import {
  ActionNote,
  shortDay,
  may,
  readRupees,
  rupeesText,
  today,
  useAction,
  useVersion,
} from './common.tsx';

const MODES: { mode: MoneyMode; label: StringKey }[] = [
  { mode: 'cash', label: 'cash' },
  { mode: 'upi', label: 'upi' },
  { mode: 'card', label: 'card' },
  { mode: 'bank', label: 'srPaidBank' },
];

const KIND: Record<PartyEntry['kind'], StringKey> = {
  sale: 'khSale',
  payment: 'khPayment',
  return: 'khReturn',
  purchase: 'khSale',
  opening: 'khOpening',
};

/** Share of the limit used from which the counter is warned. */
const NEAR_LIMIT = 0.8;

export function CustomerPanel({
  till,
  row,
  onClose,
}: {
  till: Till;
  row: KhataRow;
  onClose: () => void;
}) {
  const version = useVersion(till);
  const statement = useMemo(
    () => khataStatement(till.projection, row.customerId),
    [till, row.customerId, version],
  );
  const aged = useMemo(
    () => ageing(till.projection.khata.get(row.customerId) ?? [], today()),
    [till, row.customerId, version],
  );
  const headroom = row.creditLimit - row.balance;
  const warning = row.overLimit
    ? `${t('khOverBy')} ${formatINR(-headroom)}`
    : row.creditLimit > 0 && row.balance >= row.creditLimit * NEAR_LIMIT
      ? `${t('khNearLimit')}: ${formatINR(headroom)} ${t('khLeft')}`
      : undefined;
  return (
    <section class="pane customer-panel" data-testid="customer-panel" data-name={row.name}>
      <div class="panel-head">
        <button class="link" onClick={onClose} aria-label={t('srBack')}>
          ← {t('srBack')}
        </button>
        <h2>{row.name}</h2>
      </div>
      {row.phone && <p class="muted">{row.phone}</p>}
      <dl class="facts">
        <dt>{t('khBalance')}</dt>
        <dd class="big" data-testid="customer-balance">
          {formatINR(row.balance)}
        </dd>
        <dt>{t('khLimit')}</dt>
        <dd>{formatINR(row.creditLimit)}</dd>
      </dl>
      {warning && (
        <p class={row.overLimit ? 'alert' : 'warn'} role="alert" data-testid="limit-warning">
          {warning}
        </p>
      )}
      {may(till, 'v1.KhataPaymentReceived') && (
        <PaymentForm key={row.customerId} till={till} row={row} />
      )}
      <h3>{t('khAgeing')}</h3>
      <div class="ageing" data-testid="ageing">
        {(['0–30', '31–60', '61–90', '90+'] as const).map((label, i) => (
          <div key={label} class={i > 0 && (aged.buckets[i] ?? 0) > 0 ? 'bucket late' : 'bucket'}>
            <small>
              {label} {t('khDays')}
            </small>
            <strong>{formatINR(aged.buckets[i] ?? 0)}</strong>
          </div>
        ))}
      </div>
      <h3>{t('khStatement')}</h3>
      {statement.lines.length === 0 && <p class="muted">{t('srNothing')}</p>}
      {statement.lines.length > 0 && (
        <div class="scroll-x">
          <table class="lines statement" data-testid="statement">
            <thead>
              <tr>
                <th>{t('srDay')}</th>
                <th>{t('khEntry')}</th>
                <th class="num wide-only">{t('khDebit')}</th>
                <th class="num wide-only">{t('khCredit')}</th>
                <th class="num narrow-only">{t('khAmount')}</th>
                <th class="num">{t('khBalance')}</th>
              </tr>
            </thead>
            <tbody>
              {statement.lines.map((l) => (
                <tr key={l.key} data-kind={l.kind}>
                  <td>{shortDay(l.day)}</td>
                  <td>
                    {t(KIND[l.kind])} <small class="muted">{refText(l)}</small>
                  </td>
                  <td class="num wide-only">{l.amount > 0 ? formatINR(l.amount) : ''}</td>
                  <td class="num wide-only">{l.amount < 0 ? formatINR(-l.amount) : ''}</td>
                  <td class="num narrow-only">{formatINR(l.amount)}</td>
                  <td class="num" data-testid="running">
                    {formatINR(l.running)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {may(till, 'v1.CustomerUpdated') && <LimitForm key={row.customerId} till={till} row={row} />}
    </section>
  );
}

/** A sale's invoice number, or a payment's mode in words. */
function refText(l: PartyEntry): string {
  if (l.kind !== 'payment') return l.ref;
  const mode = MODES.find((m) => m.mode === l.ref);
  return mode ? t(mode.label) : l.ref;
}

function PaymentForm({ till, row }: { till: Till; row: KhataRow }) {
  const [amount, setAmount] = useState('');
  const [mode, setMode] = useState<MoneyMode>('cash');
  const action = useAction();
  const read = amount ? readRupees(amount, t('khAmount')) : undefined;
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (typeof read === 'string') {
      action.fail(read);
      return;
    }
    if (!read) {
      action.fail(`${t('khAmount')} > 0`);
      return;
    }
    const ok = await action.run(
      () => till.commands.khataPayment(row.customerId, read, mode),
      `${t('khPaid')} ${formatINR(read)}`,
    );
    if (ok) setAmount('');
  };
  return (
    <form class="inline-form" onSubmit={(e) => void submit(e)} data-testid="payment-form">
      <h3>{t('khRecordPayment')}</h3>
      <div class="tenders" role="radiogroup" aria-label={t('khMode')}>
        {MODES.map((m) => (
          <button
            type="button"
            key={m.mode}
            class={mode === m.mode ? 'chip small active' : 'chip small'}
            onClick={() => setMode(m.mode)}
            data-mode={m.mode}
          >
            {t(m.label)}
          </button>
        ))}
      </div>
      <div class="form-row">
        <label>
          {t('khAmount')} (₹)
          <input
            inputMode="decimal"
            value={amount}
            onInput={(e) => setAmount(e.currentTarget.value)}
            data-testid="payment-amount"
          />
        </label>
        {row.balance > 0 && (
          <button type="button" onClick={() => setAmount(rupeesText(row.balance))}>
            {t('khFull')} {formatINR(row.balance)}
          </button>
        )}
      </div>
      {typeof read === 'number' && read > row.balance && <p class="muted">{t('khAdvance')}</p>}
      <ActionNote action={action} />
      <button class="primary" disabled={action.busy} data-testid="payment-submit">
        {t('khRecordPayment')}
      </button>
    </form>
  );
}

function LimitForm({ till, row }: { till: Till; row: KhataRow }) {
  const [limit, setLimit] = useState(rupeesText(row.creditLimit));
  const action = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const creditLimit = readRupees(limit, t('khLimit'));
    if (typeof creditLimit === 'string') {
      action.fail(creditLimit);
      return;
    }
    await action.run(
      () =>
        till.commands.record('v1.CustomerUpdated', {
          customerId: row.customerId,
          changes: { creditLimit },
        }),
      t('srSaved'),
    );
  };
  return (
    <form class="inline-form form-row" onSubmit={(e) => void submit(e)} data-testid="limit-form">
      <label>
        {t('khLimit')} (₹)
        <input inputMode="decimal" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
      </label>
      <button disabled={action.busy}>{t('khChangeLimit')}</button>
      <ActionNote action={action} />
    </form>
  );
}
