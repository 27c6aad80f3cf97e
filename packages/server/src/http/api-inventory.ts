/**
 * Inventory: stock status (normal / low / critical / overstocked), receiving stock from a supplier
 * (`v1.StockReceived`, input tax worked out with `taxOnExclusive`), adjustments for damage, expiry,
 * theft or found stock (`v1.StockAdjusted`), physical counts (`v1.StockCounted`), each product's
 * movement history, alerts and reorder suggestions. Quantities are base units (g, ml, pc); money is
 * integer paise; stock is valued at moving-average cost.
 */
import type { Context, Hono } from 'hono';
import { slugSchema } from '@smartkirana/domain/event-fields';
import { stockAdjusted, stockCounted } from '@smartkirana/domain/event-payloads';
import type { PayloadOf } from '@smartkirana/domain/events';
import { rateOn } from '@smartkirana/domain/gst';
import { uuidSchema } from '@smartkirana/domain/ids';
import {
  expiryList,
  lowStock,
  reorderSuggestions,
  stockMovements,
} from '@smartkirana/domain/reports-stock';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv, UserAuth } from '../context.ts';
import { findProduct, productViews, type ProductView } from './api-product-view.ts';
import { rangeQuery, resolveRange } from './api-range.ts';
import { buildReceipt, receiptInput } from './api-receipt-build.ts';
import {
  domainCheck,
  draft,
  notFound,
  projectionOf,
  readAs,
  record,
  today,
} from './api-support.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'inventory';
const STATUSES = ['normal', 'low', 'critical', 'overstocked'] as const;

const adjustBody = z.strictObject({
  productId: uuidSchema,
  /** Negative for a loss (damage, expiry, theft), positive for stock found. */
  qtyDelta: stockAdjusted.shape.qtyDelta,
  reason: stockAdjusted.shape.reason,
  note: stockAdjusted.shape.note,
});

const countBody = z.strictObject({
  productId: uuidSchema,
  countedQty: stockCounted.shape.countedQty,
  note: stockCounted.shape.note,
});

/** Register the inventory routes. */
export function inventoryRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/inventory',
      summary: 'Stock of every product with value (paise) and status; total stock value',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({
        status: z.enum(STATUSES).optional(),
        category: slugSchema.optional(),
      }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'stock');
      const rows = productViews(p).filter(
        (r) =>
          (!query.status || r.status === query.status) &&
          (!query.category || r.category === query.category),
      );
      const page = sendList(c, query, rows, { name: 'inventory' });
      if (page instanceof Response) return page;
      return { ...page, totalValue: rows.reduce((s, r) => s + r.stockValue, 0) };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/inventory/receipts',
      summary: 'Receive stock (purchase or opening stock); input tax from pre-tax cost in paise',
      tag: TAG,
      access: 'user',
      body: receiptInput,
    },
    async (c, { body, auth }) => {
      const [event] = await record(c, auth, ['v1.StockReceived'], (p) => [
        draft(
          'v1.StockReceived',
          domainCheck(['body', 'lines'], () => buildReceipt(p, body)),
        ),
      ]);
      const p = await projectionOf(c, auth.shopId);
      const receipt = p.receipts.get(event?.id ?? '');
      if (!receipt) throw notFound('receipt');
      return { receiptId: receipt.id, ...receipt.payload };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/inventory/adjustments',
      summary: 'Adjust stock: a loss (negative) or stock found (positive), in base units',
      tag: TAG,
      access: 'user',
      body: adjustBody,
    },
    (c, { body, auth }) => recordStockChange(c, auth, 'v1.StockAdjusted', body),
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/inventory/counts',
      summary: 'Record a physical count: the shelf holds countedQty base units',
      tag: TAG,
      access: 'user',
      body: countBody,
    },
    (c, { body, auth }) => recordStockChange(c, auth, 'v1.StockCounted', body),
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/inventory/:productId/movements',
      summary: 'Stock movements of a product in order, with quantity after each and value moved',
      tag: TAG,
      access: 'user',
      csv: true,
      params: z.object({ productId: uuidSchema }),
      query: listQuery.extend(rangeQuery.shape),
    },
    async (c, { params, query, auth }) => {
      const p = await readAs(c, auth, 'stock');
      if (!p.products.get(params.productId)?.get('created')) throw notFound('product');
      const rows = stockMovements(p, params.productId, resolveRange(query));
      return sendList(c, query, rows, { name: 'movements' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/inventory/alerts',
      summary: 'Alerts: products low or critical, and batches expiring within N days',
      tag: TAG,
      access: 'user',
      query: z.object({ withinDays: z.coerce.number().int().min(0).max(365).default(7) }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'stock');
      const low = lowStock(p);
      const expiring = expiryList(p, today(), query.withinDays);
      return {
        lowStock: low,
        expiring,
        counts: {
          critical: low.filter((r) => r.status === 'critical').length,
          low: low.filter((r) => r.status === 'low').length,
          expiring: expiring.filter((e) => !e.expired).length,
          expired: expiring.filter((e) => e.expired).length,
        },
      };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/inventory/expiring',
      summary: 'Batches on the shelf expiring within N days (or already expired)',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({
        withinDays: z.coerce.number().int().min(0).max(365).default(30),
      }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'stock');
      return sendList(c, query, expiryList(p, today(), query.withinDays), { name: 'expiring' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/inventory/reorder-suggestions',
      summary: 'What to reorder: low and critical products topped up to their maximum',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'stock');
      return sendList(c, query, reorderSuggestions(p), { name: 'reorder-suggestions' });
    },
  );
}

/** Input tax to reverse on lost stock: the product's rate today, for a regular dealer only. */
export function itcRate(p: ShopProjection, productId: string): number {
  if (!p.products.get(productId)?.get('created')) throw notFound('product');
  if (p.shop.get('registration') !== 'regular') return 0;
  return rateOn(p.rateSchedule(productId), today()) ?? 0;
}

/**
 * Record an adjustment or a count of one product, with the input tax it reverses; answer with the
 * product as it stands after it.
 */
async function recordStockChange<T extends 'v1.StockAdjusted' | 'v1.StockCounted'>(
  c: Context<AppEnv>,
  auth: UserAuth,
  type: T,
  body: Omit<PayloadOf<T>, 'rateBps' | 'resolves'> & {
    productId: string;
    note?: string | undefined;
  },
): Promise<ProductView> {
  const { note, ...rest } = body;
  await record(c, auth, [type], (p) => [
    // Both payloads are the body plus the rate; TypeScript cannot follow that through `T`.
    draft(type, {
      ...rest,
      rateBps: itcRate(p, body.productId),
      ...(note !== undefined ? { note } : {}),
    } as PayloadOf<T>),
  ]);
  return viewOf(await projectionOf(c, auth.shopId), body.productId);
}

function viewOf(p: ShopProjection, productId: string): ProductView {
  const view = findProduct(p, productId);
  if (!view) throw notFound('product');
  return view;
}
