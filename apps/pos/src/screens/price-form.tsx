/**
 * Change a product's prices (selling price, MRP, expected cost) and schedule a new GST rate from a
 * date. A price change names the price the editor saw (`basedOn`), so two tills editing the same
 * price offline show up as a conflict instead of one edit silently winning.
 */
import type { Till } from '@smartkirana/client/till';
import { rateOn } from '@smartkirana/domain/gst';
import type { StockRow } from '@smartkirana/domain/reports-stock';
import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { ActionNote, may, readRupees, rupeesText, today, unitLabel, useAction } from './common.tsx';

/** GST slabs since 22 Sep 2025 (rates are data per product; these are the choices offered). */
export const GST_RATES = [0, 500, 1800, 4000] as const;

/** The HLC of the write that set the selling price now on this till (what an edit is based on). */
function priceBase(till: Till, productId: string): string | null {
  return till.projection.products.get(productId)?.keyOf('sellingPrice')?.split('|')[0] ?? null;
}

export function PriceForm({ till, row }: { till: Till; row: StockRow }) {
  const p = till.projection;
  const rec = p.products.get(row.productId)?.value() ?? {};
  const currentRate = rateOn(p.rateSchedule(row.productId), today()) ?? 0;
  const [selling, setSelling] = useState(rupeesText(rec.sellingPrice ?? 0));
  const [mrp, setMrp] = useState(rupeesText(rec.mrp ?? 0));
  const [cost, setCost] = useState(rupeesText(rec.costPrice ?? 0));
  const [rate, setRate] = useState(currentRate);
  const [rateFrom, setRateFrom] = useState(today());
  const [basedOn, setBasedOn] = useState(() => priceBase(till, row.productId));
  const action = useAction();
  const unit = unitLabel(row.unit);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const read = (text: string, label: string): number | undefined => {
      const v = readRupees(text, label);
      if (typeof v === 'string') {
        action.fail(v);
        return undefined;
      }
      return v;
    };
    const sellingPrice = read(selling, t('srSellingPrice'));
    const newMrp = read(mrp, t('srMrp'));
    const costPrice = read(cost, t('srCostPrice'));
    if (sellingPrice === undefined || newMrp === undefined || costPrice === undefined) return;
    if (sellingPrice > newMrp) {
      action.fail(t('srAboveMrp'));
      return;
    }
    const priceChanged =
      sellingPrice !== rec.sellingPrice || newMrp !== rec.mrp || costPrice !== rec.costPrice;
    const rateChanged = rate !== currentRate;
    if (!priceChanged && !rateChanged) {
      action.fail(t('srNoChanges'));
      return;
    }
    const ok = await action.run(async () => {
      if (priceChanged)
        await till.commands.record('v1.PriceChanged', {
          productId: row.productId,
          sellingPrice,
          ...(newMrp !== rec.mrp ? { mrp: newMrp } : {}),
          ...(costPrice !== rec.costPrice ? { costPrice } : {}),
          basedOn,
        });
      if (rateChanged)
        await till.commands.record('v1.TaxRateScheduled', {
          productId: row.productId,
          step: { from: rateFrom, rateBps: rate },
        });
    }, t('srSaved'));
    if (ok) setBasedOn(priceBase(till, row.productId));
  };

  return (
    <form class="inline-form" onSubmit={(e) => void submit(e)} data-testid="price-form">
      <div class="form-grid">
        <label>
          {t('srSellingPrice')} ₹/{unit}
          <input
            inputMode="decimal"
            value={selling}
            onInput={(e) => setSelling(e.currentTarget.value)}
            data-testid="price-selling"
          />
        </label>
        <label>
          {t('srMrp')} ₹/{unit}
          <input
            inputMode="decimal"
            value={mrp}
            onInput={(e) => setMrp(e.currentTarget.value)}
            data-testid="price-mrp"
          />
        </label>
        <label>
          {t('srCostPrice')} ₹/{unit}
          <input
            inputMode="decimal"
            value={cost}
            onInput={(e) => setCost(e.currentTarget.value)}
            data-testid="price-cost"
          />
        </label>
        {may(till, 'v1.TaxRateScheduled') && (
          <>
            <label>
              GST
              <select
                value={rate}
                onChange={(e) => setRate(Number(e.currentTarget.value))}
                data-testid="price-gst"
              >
                {[...new Set([...GST_RATES, currentRate])].map((r) => (
                  <option key={r} value={r}>
                    {r / 100}%
                  </option>
                ))}
              </select>
            </label>
            {rate !== currentRate && (
              <label>
                {t('srRateFrom')}
                <input
                  type="date"
                  value={rateFrom}
                  onInput={(e) => setRateFrom(e.currentTarget.value)}
                />
              </label>
            )}
          </>
        )}
      </div>
      <ActionNote action={action} />
      <button class="primary" disabled={action.busy} data-testid="price-submit">
        {t('srChangePrice')}
      </button>
    </form>
  );
}
