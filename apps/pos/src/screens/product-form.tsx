/**
 * Create a product, or edit an existing one's catalogue fields (name, SKU, category, codes,
 * stock limits), for people allowed to. Prices and GST of an existing product change through the
 * price form, so a price edit carries the price it was based on. Amounts are typed in rupees per
 * piece, kilogram or litre; stock limits in pieces, kilograms or litres.
 */
import type { Till } from '@smartkirana/client/till';
import type { BaseUnit } from '@smartkirana/domain/quantity';
import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { ActionNote, may, unitLabel, useAction } from './common.tsx';
import { GST_RATES } from './price-form.tsx';
import { BLANK, build, initial, type Fields } from './product-fields.ts';

export function ProductForm({
  till,
  productId,
  onSaved,
}: {
  till: Till;
  productId?: string;
  onSaved: (productId: string) => void;
}) {
  const [f, setF] = useState<Fields>(() => initial(till, productId));
  const [discontinuing, setDiscontinuing] = useState(false);
  const action = useAction();
  const set = (patch: Partial<Fields>): void => setF((x) => ({ ...x, ...patch }));
  const p = till.projection;
  const categories = [
    ...new Set([...p.products.ids()].map((id) => p.products.get(id)?.get('category') ?? '')),
  ]
    .filter(Boolean)
    .sort();

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const built = build(till, productId, f);
    if (typeof built === 'string') {
      action.fail(built);
      return;
    }
    const id = built.payload.productId;
    const ok = await action.run(
      () => till.commands.record(built.type, built.payload),
      t('srSaved'),
    );
    if (!ok) return;
    if (!productId) setF(BLANK);
    onSaved(id);
  };

  const discontinue = async (): Promise<void> => {
    if (!productId) return;
    await action.run(
      () => till.commands.record('v1.ProductDiscontinued', { productId }),
      t('srSaved'),
    );
  };

  const unit = unitLabel(f.unit);
  const text = (key: keyof Fields, label: string, extra: Record<string, string> = {}) => (
    <label>
      {label}
      <input
        value={f[key] as string}
        onInput={(e) => set({ [key]: e.currentTarget.value })}
        data-testid={`product-${key}`}
        {...extra}
      />
    </label>
  );
  return (
    <form onSubmit={(e) => void submit(e)} data-testid="product-form">
      <h2>{productId ? t('srEditProduct') : t('srNewProduct')}</h2>
      <div class="form-grid">
        {text('name', t('srName'), { required: 'required', maxLength: '120' })}
        {text('sku', 'SKU', { required: 'required', maxLength: '32' })}
        {text('category', t('srCategory'), { required: 'required', list: 'sr-categories' })}
        <datalist id="sr-categories">
          {categories.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        {text('barcode', t('srBarcode'), { inputMode: 'numeric' })}
        {text('hsn', 'HSN', { inputMode: 'numeric', maxLength: '8' })}
        {!productId && (
          <label>
            {t('srUnit')}
            <select
              value={f.unit}
              onChange={(e) => set({ unit: e.currentTarget.value as BaseUnit })}
              data-testid="product-unit"
            >
              <option value="pc">{t('srUnitPc')}</option>
              <option value="g">{t('srUnitKg')}</option>
              <option value="ml">{t('srUnitL')}</option>
            </select>
          </label>
        )}
        {!productId && text('mrp', `${t('srMrp')} ₹/${unit}`, { inputMode: 'decimal' })}
        {!productId &&
          text('sellingPrice', `${t('srSellingPrice')} ₹/${unit}`, { inputMode: 'decimal' })}
        {!productId && text('costPrice', `${t('srCostPrice')} ₹/${unit}`, { inputMode: 'decimal' })}
        {!productId && (
          <label>
            GST
            <select
              value={f.rateBps}
              onChange={(e) => set({ rateBps: Number(e.currentTarget.value) })}
              data-testid="product-gst"
            >
              {GST_RATES.map((r) => (
                <option key={r} value={r}>
                  {r / 100}%
                </option>
              ))}
            </select>
          </label>
        )}
        {text('minStock', `${t('srMinStock')} (${unit})`, { inputMode: 'decimal' })}
        {text('maxStock', `${t('srMaxStock')} (${unit})`, { inputMode: 'decimal' })}
        {text('reorderQty', `${t('srReorderQty')} (${unit})`, { inputMode: 'decimal' })}
        <label class="check">
          <input
            type="checkbox"
            checked={f.perishable}
            onChange={(e) => set({ perishable: e.currentTarget.checked })}
          />
          {t('srPerishable')}
        </label>
      </div>
      <ActionNote action={action} />
      <div class="actions">
        <button class="primary" disabled={action.busy} data-testid="product-save">
          {productId ? t('srSave') : t('srCreate')}
        </button>
        {productId && may(till, 'v1.ProductDiscontinued') && (
          <button
            type="button"
            class={discontinuing ? 'danger' : ''}
            onClick={() => (discontinuing ? void discontinue() : setDiscontinuing(true))}
          >
            {discontinuing ? t('srConfirmDiscontinue') : t('srDiscontinue')}
          </button>
        )}
      </div>
    </form>
  );
}
