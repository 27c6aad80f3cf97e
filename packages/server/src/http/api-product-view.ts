/**
 * How a product reads in the API: its catalogue fields, the GST rate in force today and its stock
 * (quantity in base units, value at moving-average cost in paise, status against min / max).
 */
import { rateOn, type RateStep } from '@smartkirana/domain/gst';
import { pricePerUnits, type BaseUnit } from '@smartkirana/domain/quantity';
import { stockSummary, type StockStatus } from '@smartkirana/domain/reports-stock';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { today } from './api-support.ts';

export interface ProductView {
  productId: string;
  sku: string;
  name: string;
  category: string;
  barcode?: string;
  hsn?: string;
  unit: BaseUnit;
  /** Base units the prices are quoted for: 1 (pc) or 1000 (per kg / L). */
  per: number;
  mrp: number;
  sellingPrice: number;
  costPrice: number;
  /** GST rate in force today, basis points; null when the schedule has none yet. */
  rateBps: number | null;
  gst: RateStep[];
  minStock: number;
  maxStock: number;
  reorderQty: number;
  perishable: boolean;
  shelfLifeDays?: number;
  discontinued: boolean;
  qty: number;
  stockValue: number;
  /** Average cost per 1 pc / 1 kg / 1 L in paise; 0 with nothing on hand. */
  avgCost: number;
  status: StockStatus;
}

/** Every created product (discontinued ones on request), sorted by name. */
export function productViews(p: ShopProjection, includeDiscontinued = false): ProductView[] {
  const day = today();
  return stockSummary(p, { includeDiscontinued }).rows.map((row) => {
    const rec = p.products.get(row.productId)?.value() ?? {};
    const gst = p.rateSchedule(row.productId);
    return {
      productId: row.productId,
      sku: row.sku,
      name: row.name,
      category: row.category,
      ...(rec.barcode ? { barcode: rec.barcode } : {}),
      ...(rec.hsn ? { hsn: rec.hsn } : {}),
      unit: row.unit,
      per: pricePerUnits(row.unit),
      mrp: row.mrp,
      sellingPrice: row.sellingPrice,
      costPrice: rec.costPrice ?? 0,
      rateBps: rateOn(gst, day) ?? null,
      gst,
      minStock: row.minStock,
      maxStock: row.maxStock,
      reorderQty: row.reorderQty,
      perishable: rec.perishable ?? false,
      ...(rec.shelfLifeDays ? { shelfLifeDays: rec.shelfLifeDays } : {}),
      discontinued: row.discontinued,
      qty: row.qty,
      stockValue: row.value,
      avgCost: row.avgCost,
      status: row.status,
    };
  });
}

/** One product of the shop (discontinued included), or undefined. */
export function findProduct(p: ShopProjection, productId: string): ProductView | undefined {
  if (!p.products.get(productId)?.get('created')) return undefined;
  return productViews(p, true).find((v) => v.productId === productId);
}
