/**
 * Goods received from a supplier, or opening stock: per line a product, a quantity in pieces,
 * kilograms or litres, the cost before GST in rupees per piece, kg or litre, and an optional
 * expiry. Everything typed is checked before the one `v1.StockReceived` event is recorded.
 */
import type { Till } from '@smartkirana/client/till';
import type { PayloadOf } from '@smartkirana/domain/events';
import { rateOn } from '@smartkirana/domain/gst';
import { formatINR } from '@smartkirana/domain/money';
import { priceReceipt } from '@smartkirana/domain/purchase-pricing';
import { pricePerUnits } from '@smartkirana/domain/quantity';
import type { StockRow } from '@smartkirana/domain/reports-stock';
import { useState } from 'preact/hooks';
import { t, type StringKey } from '../i18n.ts';
import {
  ActionNote,
  readQty,
  readRupees,
  rupeesText,
  today,
  unitLabel,
  useAction,
} from './common.tsx';
import { SupplierPicker } from './supplier-picker.tsx';

type PaidBy = PayloadOf<'v1.StockReceived'>['paidBy'];

interface Line {
  productId: string;
  qty: string;
  cost: string;
  expiry: string;
}

const EMPTY: Line = { productId: '', qty: '', cost: '', expiry: '' };

const PAID_LABEL: Record<PaidBy, StringKey> = {
  credit: 'srPaidCredit',
  opening: 'srPaidOpening',
  cash: 'cash',
  upi: 'upi',
  card: 'card',
  bank: 'srPaidBank',
};

export function ReceiveForm({ till, products }: { till: Till; products: StockRow[] }) {
  const [supplierId, setSupplierId] = useState('');
  const [paidBy, setPaidBy] = useState<PaidBy>('opening');
  const [invoiceNo, setInvoiceNo] = useState('');
  const [lines, setLines] = useState<Line[]>([{ ...EMPTY }]);
  const action = useAction();
  const byId = new Map(products.map((p) => [p.productId, p]));
  const modes: PaidBy[] = supplierId
    ? ['credit', 'cash', 'upi', 'card', 'bank']
    : ['opening', 'cash', 'upi', 'card', 'bank'];
  const chooseSupplier = (id: string): void => {
    setSupplierId(id);
    setPaidBy(id ? 'credit' : 'opening');
  };
  const edit = (i: number, patch: Partial<Line>): void =>
    setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));

  /** The lines as the command wants them, or the first problem found. */
  const parse = () => {
    const out: { productId: string; qty: number; unitCost: number; expiry?: string }[] = [];
    for (const [i, l] of lines.entries()) {
      const row = byId.get(l.productId);
      if (!row) return `${t('srLine')} ${i + 1}: ${t('srChooseProduct')}`;
      const qty = readQty(l.qty, row.unit, `${row.name} ${t('qty')}`);
      if (typeof qty === 'string') return qty;
      if (qty <= 0) return `${row.name}: ${t('qty')} > 0`;
      const unitCost = readRupees(l.cost, `${row.name} ${t('srUnitCost')}`);
      if (typeof unitCost === 'string') return unitCost;
      out.push({
        productId: row.productId,
        qty,
        unitCost,
        ...(l.expiry ? { expiry: l.expiry } : {}),
      });
    }
    return out;
  };
  const parsed = parse();
  let total: number | undefined;
  // A preview only: absurd amounts (beyond what a field may hold) show no total and are refused
  // on submit, never crash the form.
  if (typeof parsed !== 'string') {
    const day = today();
    const p = till.projection;
    try {
      total = priceReceipt(
        parsed.map((l) => ({
          ...l,
          per: pricePerUnits(byId.get(l.productId)?.unit ?? 'pc'),
          rateBps: rateOn(p.rateSchedule(l.productId), day) ?? 0,
        })),
        'intra',
      ).total;
    } catch {
      total = undefined;
    }
  }

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (typeof parsed === 'string') {
      action.fail(parsed);
      return;
    }
    const ok = await action.run(
      () =>
        till.commands.receiveStock(parsed, {
          ...(supplierId ? { supplierId } : {}),
          ...(invoiceNo.trim() ? { supplierInvoiceNo: invoiceNo.trim() } : {}),
          paidBy,
        }),
      t('srReceived'),
    );
    if (ok) {
      setLines([{ ...EMPTY }]);
      setInvoiceNo('');
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="receive-form">
      <h2>{t('srReceive')}</h2>
      <SupplierPicker till={till} value={supplierId} onChange={chooseSupplier} />
      <div class="form-row">
        <label>
          {t('srPaidBy')}
          <select
            value={paidBy}
            onChange={(e) => setPaidBy(e.currentTarget.value as PaidBy)}
            data-testid="receive-paid-by"
          >
            {modes.map((m) => (
              <option key={m} value={m}>
                {t(PAID_LABEL[m])}
              </option>
            ))}
          </select>
        </label>
        {supplierId && (
          <label>
            {t('srSupplierInvoice')}
            <input
              value={invoiceNo}
              maxLength={40}
              onInput={(e) => setInvoiceNo(e.currentTarget.value)}
            />
          </label>
        )}
      </div>
      {lines.map((l, i) => {
        const row = byId.get(l.productId);
        return (
          <fieldset class="receive-line" key={i}>
            <label class="wide">
              {t('srProduct')}
              <select
                value={l.productId}
                onChange={(e) => {
                  const id = e.currentTarget.value;
                  const r = byId.get(id);
                  const known = r?.avgCost || till.projection.products.get(id)?.get('costPrice');
                  edit(i, {
                    productId: id,
                    ...(!l.cost && known ? { cost: rupeesText(known) } : {}),
                  });
                }}
                data-testid="receive-product"
              >
                <option value="">{t('srChooseProduct')}</option>
                {products.map((p) => (
                  <option key={p.productId} value={p.productId}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('qty')} ({row ? unitLabel(row.unit) : 'pc / kg / L'})
              <input
                inputMode="decimal"
                value={l.qty}
                onInput={(e) => edit(i, { qty: e.currentTarget.value })}
                data-testid="receive-qty"
              />
            </label>
            <label>
              {t('srUnitCost')} ₹/{row ? unitLabel(row.unit) : 'pc'}
              <input
                inputMode="decimal"
                value={l.cost}
                onInput={(e) => edit(i, { cost: e.currentTarget.value })}
                data-testid="receive-cost"
              />
            </label>
            <label>
              {t('srExpiry')}
              <input
                type="date"
                value={l.expiry}
                onInput={(e) => edit(i, { expiry: e.currentTarget.value })}
                data-testid="receive-expiry"
              />
            </label>
            {lines.length > 1 && (
              <button
                type="button"
                class="link"
                aria-label={t('remove')}
                onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            )}
          </fieldset>
        );
      })}
      <button type="button" onClick={() => setLines((ls) => [...ls, { ...EMPTY }])}>
        + {t('srAddLine')}
      </button>
      {total !== undefined && (
        <p class="num">
          {t('srTotalWithGst')}: <strong data-testid="receive-total">{formatINR(total)}</strong>
        </p>
      )}
      <ActionNote action={action} />
      <button class="primary big" disabled={action.busy} data-testid="receive-submit">
        {t('srReceive')}
      </button>
    </form>
  );
}
