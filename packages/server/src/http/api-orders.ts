/**
 * Orders taken by phone, online or at the counter and fulfilled later: placed (`v1.OrderPlaced`),
 * moved along pending → confirmed → packed (`v1.OrderStatusChanged`), and completed by ringing up
 * a sale that names the order (stock goes down then), or cancelled. Status and payment status are
 * derived: an order is completed exactly when a standing sale references it.
 */
import type { Hono } from 'hono';
import type { OrderStatus } from '@smartkirana/domain/catalog';
import { orderPlaced } from '@smartkirana/domain/event-payloads';
import { uuidSchema } from '@smartkirana/domain/ids';
import { extendPrice, pricePerUnits } from '@smartkirana/domain/quantity';
import { inRange } from '@smartkirana/domain/reports-books';
import { orderList, type OrderRow } from '@smartkirana/domain/reports-sales';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { rangeQuery, resolveRange } from './api-range.ts';
import { billingInput, buildSale } from './api-sale-build.ts';
import { saleStatus } from './api-sale-view.ts';
import {
  domainCheck,
  draft,
  freshId,
  invalid,
  notFound,
  projectionOf,
  readAs,
  record,
} from './api-support.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'orders';
const orderParams = z.object({ orderId: uuidSchema });
const STATUSES = ['pending', 'confirmed', 'packed', 'completed', 'cancelled'] as const;
/** Position along pending → confirmed → packed → completed; an order only moves forward. */
const RANK: Record<OrderStatus, number> = {
  pending: 0,
  confirmed: 1,
  packed: 2,
  completed: 3,
  cancelled: 3,
};

const placeBody = z.strictObject({
  customerId: uuidSchema.optional(),
  channel: orderPlaced.shape.channel.default('phone'),
  lines: orderPlaced.shape.lines,
  note: orderPlaced.shape.note,
});

const statusBody = z.strictObject({
  status: z.enum(['confirmed', 'packed', 'completed', 'cancelled']),
  /** Billing of the sale that completes the order (payments, discount, …). */
  sale: billingInput.optional(),
});

/** Register the order routes. */
export function orderRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'post',
      path: '/api/v1/orders',
      summary: 'Place an order (products and quantities in base units); it starts pending',
      tag: TAG,
      access: 'user',
      body: placeBody,
    },
    async (c, { body, auth }) => {
      const orderId = freshId();
      await record(c, auth, ['v1.OrderPlaced'], (p) => {
        body.lines.forEach((l, i) => {
          const rec = p.products.get(l.productId)?.value();
          if (!rec?.created) throw notFound('product');
          if (rec.discontinued)
            throw invalid(['body', 'lines', i, 'productId'], 'the product is discontinued');
          domainCheck(['body', 'lines', i, 'qty'], () =>
            extendPrice(rec.sellingPrice ?? 0, l.qty, pricePerUnits(rec.unit ?? 'pc')),
          );
        });
        if (body.customerId !== undefined && !p.customers.get(body.customerId)?.get('created'))
          throw notFound('customer');
        const { note, customerId, ...rest } = body;
        return [
          draft('v1.OrderPlaced', {
            orderId,
            ...rest,
            ...(customerId !== undefined ? { customerId } : {}),
            ...(note !== undefined ? { note } : {}),
          }),
        ];
      });
      return orderView(await projectionOf(c, auth.shopId), orderId);
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/orders',
      summary: 'List orders with derived status and payment status',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend(rangeQuery.shape).extend({ status: z.enum(STATUSES).optional() }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'sales');
      const range = resolveRange(query);
      const rows = orderList(p)
        .filter((o) => inRange(o.day, range) && (!query.status || o.status === query.status))
        .map((o) => viewOfRow(p, o));
      return sendList(c, query, rows, { name: 'orders' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/orders/:orderId',
      summary: 'An order with its lines at current prices, status and payment status',
      tag: TAG,
      access: 'user',
      params: orderParams,
    },
    async (c, { params, auth }) => orderView(await readAs(c, auth, 'sales'), params.orderId),
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/orders/:orderId/payment',
      summary: 'Payment status of an order: unpaid, paid, on-credit, part-credit or refunded',
      tag: TAG,
      access: 'user',
      params: orderParams,
    },
    async (c, { params, auth }) => {
      const view = orderView(await readAs(c, auth, 'sales'), params.orderId);
      return { orderId: view.orderId, status: view.status, ...view.payment };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/orders/:orderId/status',
      summary: 'Move an order forward (confirmed, packed), complete it as a sale, or cancel it',
      tag: TAG,
      access: 'user',
      params: orderParams,
      body: statusBody,
    },
    async (c, { params, body, auth }) => {
      const { orderId } = params;
      const types =
        body.status === 'completed'
          ? (['v1.SaleCompleted'] as const)
          : (['v1.OrderStatusChanged'] as const);
      await record(c, auth, types, async (p, allocate) => {
        const order = findOrder(p, orderId);
        if (order.status === 'completed' || order.status === 'cancelled')
          throw new ApiError('conflict', `the order is already ${order.status}`);
        if (RANK[body.status] <= RANK[order.status])
          throw new ApiError(
            'conflict',
            `an order that is ${order.status} cannot become ${body.status}`,
          );
        if (body.status !== 'completed')
          return [draft('v1.OrderStatusChanged', { orderId, status: body.status })];
        const sale = await buildSale(
          p,
          {
            ...body.sale,
            lines: order.lines,
            ...(order.customerId !== undefined ? { customerId: order.customerId } : {}),
            orderId,
          },
          allocate,
        );
        return [draft('v1.SaleCompleted', sale)];
      });
      return orderView(await projectionOf(c, auth.shopId), orderId);
    },
  );
}

function findOrder(p: ShopProjection, orderId: string): OrderRow {
  const order = p.orders.get(orderId)?.get('placed')
    ? orderList(p).find((o) => o.orderId === orderId)
    : undefined;
  if (!order) throw notFound('order');
  return order;
}

/** An order with names, an estimate at today's prices and its payment state. */
function orderView(p: ShopProjection, orderId: string) {
  return viewOfRow(p, findOrder(p, orderId));
}

function viewOfRow(p: ShopProjection, o: OrderRow) {
  const lines = o.lines.map((l) => {
    const rec = p.products.get(l.productId)?.value() ?? {};
    const price = rec.sellingPrice ?? 0;
    return {
      ...l,
      name: rec.name ?? l.productId,
      unitPrice: price,
      amount: safeAmount(price, l.qty, pricePerUnits(rec.unit ?? 'pc')),
    };
  });
  return {
    ...o,
    customerName: o.customerId ? (p.customers.get(o.customerId)?.get('name') ?? null) : null,
    lines,
    /** What the order would cost at today's prices (tax-inclusive, before round-off). */
    estimate: lines.reduce((s, l) => s + l.amount, 0),
    payment: paymentOf(p, o.saleId),
  };
}

/** A line's amount at today's price; 0 if a price edit since pushed it out of range (never a 500). */
function safeAmount(price: number, qty: number, per: number): number {
  try {
    return extendPrice(price, qty, per);
  } catch {
    return 0;
  }
}

/** How the sale that completed an order was settled. */
function paymentOf(p: ShopProjection, saleId: string | undefined) {
  const sale = saleId ? p.sales.get(saleId) : undefined;
  if (!sale) return { paymentStatus: 'unpaid' as const, total: 0, paid: 0, credit: 0 };
  const credit = sale.payload.payments
    .filter((x) => x.mode === 'khata')
    .reduce((s, x) => s + x.amount, 0);
  const total = sale.payload.total;
  const paymentStatus =
    saleStatus(p, sale) === 'returned'
      ? ('refunded' as const)
      : credit === 0
        ? ('paid' as const)
        : credit === total
          ? ('on-credit' as const)
          : ('part-credit' as const);
  return {
    paymentStatus,
    saleId: sale.id,
    invoiceNo: sale.payload.invoiceNo,
    total,
    paid: total - credit,
    credit,
  };
}
