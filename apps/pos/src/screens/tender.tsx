/**
 * Tender: how the bill is paid. One mode for the whole bill, or part payments in several modes
 * (₹100 UPI and the rest in cash) — the remainder always goes to the chosen mode, so payments add
 * up to the total by construction. Cash shows change due; UPI shows a QR for its exact amount;
 * khata needs a customer.
 */
import { formatINR, parseRupees } from '@smartkirana/domain/money';
import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { UpiQr, upiLink } from './upi-qr.tsx';

export type Tender = 'cash' | 'upi' | 'card' | 'khata';

export interface Payment {
  mode: Tender;
  amount: number;
  ref?: string;
}

export interface TenderState {
  mode: Tender;
  parts: Payment[];
  customerId: string;
  tendered: string;
}

export const emptyTender = (): TenderState => ({
  mode: 'cash',
  parts: [],
  customerId: '',
  tendered: '',
});

/** The payments a tender state gives for a total, or an error message. */
export function paymentsFor(
  state: TenderState,
  total: number,
  upiRef: string,
): { payments: Payment[]; error?: string } {
  const partSum = state.parts.reduce((s, p) => s + p.amount, 0);
  if (partSum > total) return { payments: [], error: t('partsTooLarge') };
  const rest = total - partSum;
  const payments = [...state.parts, ...(rest > 0 ? [{ mode: state.mode, amount: rest }] : [])].map(
    (p) => (p.mode === 'upi' ? { ...p, ref: upiRef } : p),
  );
  if (payments.some((p) => p.mode === 'khata') && !state.customerId)
    return { payments, error: t('chooseCustomer') };
  return { payments };
}

export function TenderPanel(props: {
  state: TenderState;
  onChange: (s: TenderState) => void;
  total: number;
  customers: { id: string; name: string }[];
  upi: { vpa: string | undefined; payee: string; ref: string };
}) {
  const { state, onChange, total } = props;
  const [partMode, setPartMode] = useState<Tender>('upi');
  const [partText, setPartText] = useState('');
  const { payments } = paymentsFor(state, total, props.upi.ref);
  const cash = payments.filter((p) => p.mode === 'cash').reduce((s, p) => s + p.amount, 0);
  const upi = payments.filter((p) => p.mode === 'upi').reduce((s, p) => s + p.amount, 0);
  const tendered = safeRupees(state.tendered);
  const addPart = (): void => {
    const amount = safeRupees(partText);
    if (!amount || amount <= 0) return;
    onChange({ ...state, parts: [...state.parts, { mode: partMode, amount }] });
    setPartText('');
  };
  return (
    <div class="tender">
      <div class="tenders" role="radiogroup">
        {(['cash', 'upi', 'card', 'khata'] as const).map((m) => (
          <button
            key={m}
            class={state.mode === m ? 'chip active' : 'chip'}
            onClick={() => onChange({ ...state, mode: m })}
            data-tender={m}
          >
            {t(m)}
          </button>
        ))}
      </div>
      {state.parts.map((p, i) => (
        <div key={i} class="part" data-testid="part">
          {t(p.mode)} {formatINR(p.amount)}
          <button
            class="link"
            onClick={() => onChange({ ...state, parts: state.parts.filter((_, j) => j !== i) })}
            aria-label={t('remove')}
          >
            ✕
          </button>
        </div>
      ))}
      <details class="split">
        <summary>{t('splitPayment')}</summary>
        <div class="row">
          <select
            value={partMode}
            onChange={(e) => setPartMode(e.currentTarget.value as Tender)}
            data-testid="part-mode"
          >
            {(['cash', 'upi', 'card', 'khata'] as const).map((m) => (
              <option key={m} value={m}>
                {t(m)}
              </option>
            ))}
          </select>
          <input
            inputMode="decimal"
            placeholder="₹"
            value={partText}
            onInput={(e) => setPartText(e.currentTarget.value)}
            data-testid="part-amount"
          />
          <button onClick={addPart} data-testid="add-part">
            {t('addPart')}
          </button>
        </div>
      </details>
      {cash > 0 && (
        <label>
          {t('tendered')}
          <input
            inputMode="decimal"
            value={state.tendered}
            onInput={(e) => onChange({ ...state, tendered: e.currentTarget.value })}
            data-testid="tendered"
          />
          {tendered !== undefined && tendered >= cash && (
            <span class="change">
              {t('change')}: {formatINR(tendered - cash)}
            </span>
          )}
        </label>
      )}
      {upi > 0 && props.upi.vpa && (
        <UpiQr
          link={upiLink({
            vpa: props.upi.vpa,
            payee: props.upi.payee,
            amountPaise: upi,
            ref: props.upi.ref,
          })}
        />
      )}
      {payments.some((p) => p.mode === 'khata') && (
        <select
          value={state.customerId}
          onChange={(e) => onChange({ ...state, customerId: e.currentTarget.value })}
          data-testid="customer"
        >
          <option value="">{t('chooseCustomer')}</option>
          {props.customers.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

/** Rupees typed by a person, in paise; undefined when not a valid amount. */
export function safeRupees(text: string): number | undefined {
  try {
    return text.trim() ? parseRupees(text) : undefined;
  } catch {
    return undefined;
  }
}
