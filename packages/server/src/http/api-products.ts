/**
 * Products: the catalogue with stock on hand. Creating, editing, repricing and discontinuing a
 * product each record one catalogue event (`v1.ProductCreated`, `v1.ProductUpdated`,
 * `v1.PriceChanged`, `v1.ProductDiscontinued`); reads join the catalogue with the stock summary.
 * Money is integer paise (tax-inclusive MRP and selling price per 1 pc, 1 kg or 1 L); quantities are
 * base units (g, ml, pc).
 */
import type { Hono } from 'hono';
import { productCreated, productUpdated } from '@smartkirana/domain/event-payloads';
import { slugSchema } from '@smartkirana/domain/event-fields';
import { rateBpsSchema, rateStepSchema } from '@smartkirana/domain/gst';
import { uuidSchema } from '@smartkirana/domain/ids';
import { lowStock } from '@smartkirana/domain/reports-stock';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import {
  draft,
  flagQuery,
  freshId,
  invalid,
  notFound,
  projectionOf,
  readAs,
  record,
} from './api-support.ts';
import { findProduct, productViews, type ProductView } from './api-product-view.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'products';
const productParams = z.object({ productId: uuidSchema });
const fields = productCreated.omit({ productId: true, gst: true }).shape;

const createBody = z.strictObject({
  ...fields,
  minStock: fields.minStock.default(0),
  maxStock: fields.maxStock.default(0),
  reorderQty: fields.reorderQty.default(0),
  perishable: fields.perishable.default(false),
  /** Effective-dated GST schedule; or give `rateBps` for one rate in force from the start of GST. */
  gst: z.array(rateStepSchema).min(1).max(20).optional(),
  rateBps: rateBpsSchema.optional(),
});

const priceBody = z.strictObject({
  sellingPrice: productCreated.shape.sellingPrice,
  mrp: productCreated.shape.mrp.optional(),
  costPrice: productCreated.shape.costPrice.optional(),
});

/** GST came into force on 1 July 2017: a single rate given without dates applies from then. */
const GST_START = '2017-07-01';

/** Register the product routes. */
export function productRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'post',
      path: '/api/v1/products',
      summary: 'Create a product (prices in paise per 1 pc / 1 kg / 1 L; SKU unique in the shop)',
      tag: TAG,
      access: 'user',
      body: createBody,
    },
    async (c, { body, auth }) => {
      const { gst, rateBps, ...rest } = body;
      if (!gst && rateBps === undefined) throw invalid(['body', 'gst'], 'give gst or rateBps');
      const schedule = gst ?? [{ from: GST_START, rateBps: rateBps ?? 0 }];
      checkLimits(rest);
      const productId = freshId();
      await record(c, auth, ['v1.ProductCreated'], (p) => {
        assertSkuFree(p, rest.sku);
        return [draft('v1.ProductCreated', { productId, ...rest, gst: schedule })];
      });
      return viewOf(await projectionOf(c, auth.shopId), productId);
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/products',
      summary: 'List products with stock on hand, value (paise) and status; filter and search',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({
        category: slugSchema.optional(),
        q: z.string().trim().min(1).max(100).optional(),
        includeDiscontinued: flagQuery.optional(),
      }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'stock');
      const q = query.q?.toLowerCase();
      const rows = productViews(p, query.includeDiscontinued === true).filter(
        (r) =>
          (query.category === undefined || r.category === query.category) &&
          (q === undefined ||
            r.name.toLowerCase().includes(q) ||
            r.sku.toLowerCase().includes(q) ||
            (r.barcode ?? '').toLowerCase().includes(q)),
      );
      return sendList(c, query, rows, { name: 'products' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/products/low-stock',
      summary: 'Products at or below their minimum stock (low or critical)',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'stock');
      return sendList(c, query, lowStock(p), { name: 'low-stock' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/products/:productId',
      summary: 'One product with its stock, GST schedule and current rate',
      tag: TAG,
      access: 'user',
      params: productParams,
    },
    async (c, { params, auth }) => viewOf(await readAs(c, auth, 'stock'), params.productId),
  );

  route(
    app,
    {
      method: 'patch',
      path: '/api/v1/products/:productId',
      summary: 'Edit catalogue fields (not prices: use the price route)',
      tag: TAG,
      access: 'user',
      params: productParams,
      body: productUpdated.shape.changes,
    },
    async (c, { params, body, auth }) => {
      const { productId } = params;
      await record(c, auth, ['v1.ProductUpdated'], (p) => {
        const current = findProduct(p, productId);
        if (!current) throw notFound('product');
        if (body.sku !== undefined && body.sku.toLowerCase() !== current.sku.toLowerCase())
          assertSkuFree(p, body.sku);
        checkLimits({
          mrp: current.mrp,
          sellingPrice: current.sellingPrice,
          minStock: body.minStock ?? current.minStock,
          maxStock: body.maxStock ?? current.maxStock,
        });
        return [draft('v1.ProductUpdated', { productId, changes: body })];
      });
      return viewOf(await projectionOf(c, auth.shopId), productId);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/products/:productId/price',
      summary: 'Change the selling price (and optionally MRP / cost), in paise',
      tag: TAG,
      access: 'user',
      params: productParams,
      body: priceBody,
    },
    async (c, { params, body, auth }) => {
      const { productId } = params;
      await record(c, auth, ['v1.PriceChanged'], (p) => {
        const current = findProduct(p, productId);
        if (!current) throw notFound('product');
        checkLimits({ mrp: body.mrp ?? current.mrp, sellingPrice: body.sellingPrice });
        // The edit is based on the price the server holds now; two edits on one base conflict.
        const key = p.products.get(productId)?.keyOf('sellingPrice');
        const basedOn = key ? key.slice(0, key.indexOf('|')) : null;
        return [draft('v1.PriceChanged', { productId, ...body, basedOn })];
      });
      return viewOf(await projectionOf(c, auth.shopId), productId);
    },
  );

  route(
    app,
    {
      method: 'delete',
      path: '/api/v1/products/:productId',
      summary: 'Discontinue a product (soft delete: its history stays)',
      tag: TAG,
      access: 'user',
      params: productParams,
      query: z.object({ reason: z.string().max(500).optional() }),
    },
    async (c, { params, query, auth }) => {
      const { productId } = params;
      await record(c, auth, ['v1.ProductDiscontinued'], (p) => {
        const current = findProduct(p, productId);
        if (!current) throw notFound('product');
        if (current.discontinued) return [];
        const reason = query.reason ? { reason: query.reason } : {};
        return [draft('v1.ProductDiscontinued', { productId, ...reason })];
      });
      return viewOf(await projectionOf(c, auth.shopId), productId);
    },
  );
}

function viewOf(p: ShopProjection, productId: string): ProductView {
  const view = findProduct(p, productId);
  if (!view) throw notFound('product');
  return view;
}

/** SKUs are unique per shop, compared without case, discontinued products included. */
function assertSkuFree(p: ShopProjection, sku: string): void {
  const wanted = sku.toLowerCase();
  for (const id of p.products.ids()) {
    const rec = p.products.get(id);
    if (rec?.get('created') && rec.get('sku')?.toLowerCase() === wanted)
      throw new ApiError('conflict', `SKU ${sku} is already used by another product`, {
        productId: id,
      });
  }
}

/**
 * Legal metrology: never sell above MRP (an MRP of 0 means none is printed, as for loose goods).
 * A maximum stock, when set, is not below the minimum.
 */
function checkLimits(v: {
  mrp?: number;
  sellingPrice?: number;
  minStock?: number;
  maxStock?: number;
}): void {
  if (v.mrp && v.sellingPrice !== undefined && v.sellingPrice > v.mrp)
    throw invalid(['body', 'sellingPrice'], 'the selling price is above MRP');
  if (v.minStock !== undefined && v.maxStock && v.maxStock < v.minStock)
    throw invalid(['body', 'maxStock'], 'maxStock is below minStock');
}
