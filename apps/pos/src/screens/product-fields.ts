/**
 * What the product form edits, and the event it turns into: a new product with a fresh id, or an
 * update with only the fields that changed. Every amount and quantity typed is checked here, along
 * with the shop's own rules (SKU and barcode unique, selling price not above MRP).
 */
import type { Till } from '@smartkirana/client/till';
import type { PayloadOf } from '@smartkirana/domain/events';
import type { BaseUnit } from '@smartkirana/domain/quantity';
import { t } from '../i18n.ts';
import { qtyText, readQty, readRupees, today } from './common.tsx';

type Changes = PayloadOf<'v1.ProductUpdated'>['changes'];

export interface Fields {
  name: string;
  sku: string;
  category: string;
  barcode: string;
  hsn: string;
  unit: BaseUnit;
  mrp: string;
  sellingPrice: string;
  costPrice: string;
  rateBps: number;
  minStock: string;
  maxStock: string;
  reorderQty: string;
  perishable: boolean;
}

export const BLANK: Fields = {
  name: '',
  sku: '',
  category: '',
  barcode: '',
  hsn: '',
  unit: 'pc',
  mrp: '',
  sellingPrice: '',
  costPrice: '',
  rateBps: 500,
  minStock: '0',
  maxStock: '0',
  reorderQty: '0',
  perishable: false,
};

/** The form's starting values: blank for a new product, the current record for an edit. */
export function initial(till: Till, productId: string | undefined): Fields {
  const rec = productId ? till.projection.products.get(productId)?.value() : undefined;
  if (!rec) return BLANK;
  const unit = rec.unit ?? 'pc';
  return {
    ...BLANK,
    name: rec.name ?? '',
    sku: rec.sku ?? '',
    category: rec.category ?? '',
    barcode: rec.barcode ?? '',
    hsn: rec.hsn ?? '',
    unit,
    minStock: qtyText(rec.minStock ?? 0, unit),
    maxStock: qtyText(rec.maxStock ?? 0, unit),
    reorderQty: qtyText(rec.reorderQty ?? 0, unit),
    perishable: rec.perishable ?? false,
  };
}

export type Built =
  | { type: 'v1.ProductCreated'; payload: PayloadOf<'v1.ProductCreated'> }
  | { type: 'v1.ProductUpdated'; payload: PayloadOf<'v1.ProductUpdated'> };

/** The event the form describes, or the first problem with what was typed. */
export function build(till: Till, productId: string | undefined, f: Fields): Built | string {
  const p = till.projection;
  const sku = f.sku.trim();
  const barcode = f.barcode.trim();
  const hsn = f.hsn.trim();
  const category = f.category.trim().toLowerCase().replace(/\s+/g, '-');
  for (const id of p.products.ids()) {
    if (id === productId) continue;
    const other = p.products.get(id);
    if (other?.get('sku')?.toLowerCase() === sku.toLowerCase())
      return `${t('srSkuTaken')}: ${other.get('name') ?? ''}`;
    if (barcode && other?.get('barcode') === barcode)
      return `${t('srBarcodeTaken')}: ${other.get('name') ?? ''}`;
  }
  if (barcode && !/^[0-9A-Za-z-]{4,32}$/.test(barcode)) return t('srBadBarcode');
  const limits: number[] = [];
  for (const [text, label] of [
    [f.minStock, t('srMinStock')],
    [f.maxStock, t('srMaxStock')],
    [f.reorderQty, t('srReorderQty')],
  ] as const) {
    const q = readQty(text || '0', f.unit, label);
    if (typeof q === 'string') return q;
    limits.push(q);
  }
  const [minStock = 0, maxStock = 0, reorderQty = 0] = limits;
  if (maxStock > 0 && maxStock < minStock) return t('srMaxBelowMin');
  const fields = {
    sku,
    name: f.name.trim(),
    category,
    ...(barcode ? { barcode } : {}),
    ...(hsn ? { hsn } : {}),
    minStock,
    maxStock,
    reorderQty,
    perishable: f.perishable,
  };
  if (productId) {
    // Only what changed: each field is last-writer-wins, so an untouched field never overwrites
    // another till's edit of it.
    const rec = p.products.get(productId)?.value() ?? {};
    const changes: Changes = {};
    for (const [k, v] of Object.entries(fields) as [keyof typeof fields, unknown][])
      if (rec[k] !== v) Object.assign(changes, { [k]: v });
    if (Object.keys(changes).length === 0) return t('srNoChanges');
    return { type: 'v1.ProductUpdated', payload: { productId, changes } };
  }
  const prices: number[] = [];
  for (const [text, label] of [
    [f.mrp, t('srMrp')],
    [f.sellingPrice, t('srSellingPrice')],
    [f.costPrice, t('srCostPrice')],
  ] as const) {
    const v = readRupees(text, label);
    if (typeof v === 'string') return v;
    prices.push(v);
  }
  const [mrp = 0, sellingPrice = 0, costPrice = 0] = prices;
  if (sellingPrice > mrp) return t('srAboveMrp');
  return {
    type: 'v1.ProductCreated',
    payload: {
      productId: crypto.randomUUID(),
      ...fields,
      unit: f.unit,
      mrp,
      sellingPrice,
      costPrice,
      gst: [{ from: today(), rateBps: f.rateBps }],
    },
  };
}
