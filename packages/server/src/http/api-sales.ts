/**
 * Sales: ring up a bill (`v1.SaleCompleted`, stock goes down by itself), list and read bills, void
 * one (`v1.SaleVoided`: a cancelled invoice keeps its number and has no value), and refund all or
 * part of one (`v1.SaleReturned`: a credit note of its own series; restocked goods go back on hand).
 * Money is integer paise; quantities are base units (g, ml, pc).
 */
import type { Hono } from 'hono';
import { noteSchema, tenderSchema, type Tender } from '@smartkirana/domain/event-fields';
import type { EventOfType } from '@smartkirana/domain/events';
import { uuidSchema } from '@smartkirana/domain/ids';
import { positiveQtySchema } from '@smartkirana/domain/quantity';
import { inRange } from '@smartkirana/domain/reports-books';
import { checkReturnAgainstSale, priceReturn } from '@smartkirana/domain/returns';
import type { SaleEvent, ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { eventsByIds } from './api-events.ts';
import { rangeQuery, resolveRange } from './api-range.ts';
import { buildSale, saleInput } from './api-sale-build.ts';
import {
  returnedByLine,
  returnView,
  saleRow,
  salesNewestFirst,
  saleView,
} from './api-sale-view.ts';
import {
  domainCheck,
  draft,
  invalid,
  notFound,
  projectionOf,
  readAs,
  record,
  today,
} from './api-support.ts';
import type { Context } from 'hono';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'sales';
const saleParams = z.object({ saleId: uuidSchema });

const refundBody = z.strictObject({
  /** Lines to return (index into the sale's lines); every line still returnable when omitted. */
  lines: z
    .array(
      z.strictObject({
        line: z.number().int().min(0).max(499),
        qty: positiveQtySchema,
        restock: z.boolean().default(true),
      }),
    )
    .min(1)
    .max(500)
    .optional(),
  /** How the money goes back; by default the way the bill was paid (khata if any was on khata). */
  refundMode: tenderSchema.optional(),
  reason: noteSchema.optional(),
});

/** Register the sales routes. */
export function saleRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'post',
      path: '/api/v1/sales',
      summary: 'Ring up a sale at current prices (amounts in paise, quantities in base units)',
      tag: TAG,
      access: 'user',
      body: saleInput,
    },
    async (c, { body, auth }) => {
      const [event] = await record(c, auth, ['v1.SaleCompleted'], async (p, allocate) => [
        draft('v1.SaleCompleted', await buildSale(p, body, allocate)),
      ]);
      return detail(c, auth.shopId, event?.id ?? '');
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/sales',
      summary: 'List sales, newest first, by business day range, customer or status',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend(rangeQuery.shape).extend({
        customerId: uuidSchema.optional(),
        status: z.enum(['completed', 'voided', 'partially-returned', 'returned']).optional(),
      }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'sales');
      const range = resolveRange(query);
      const rows = salesNewestFirst(p)
        .filter(
          (s) =>
            inRange(s.payload.businessDay, range) &&
            (query.customerId === undefined || s.payload.customerId === query.customerId),
        )
        .map((s) => saleRow(p, s))
        .filter((r) => query.status === undefined || r.status === query.status);
      return sendList(c, query, rows, { name: 'sales' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/sales/:saleId',
      summary: 'A sale with its lines, payments, void and return status',
      tag: TAG,
      access: 'user',
      params: saleParams,
    },
    async (c, { params, auth }) => {
      await readAs(c, auth, 'sales');
      return detail(c, auth.shopId, params.saleId);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/sales/:saleId/void',
      summary: 'Void (cancel) a sale; the invoice keeps its number. Owner or manager',
      tag: TAG,
      access: 'user',
      params: saleParams,
      body: z.strictObject({ reason: noteSchema.min(1) }),
    },
    async (c, { params, body, auth }) => {
      await record(c, auth, ['v1.SaleVoided'], (p) => {
        const sale = saleOf(p, params.saleId);
        if (p.isVoided(sale.id)) throw new ApiError('conflict', 'the sale is already voided');
        if ((p.returnsBySale.get(sale.id)?.size ?? 0) > 0)
          throw new ApiError('conflict', 'goods of this sale were returned; it cannot be voided');
        return [
          draft('v1.SaleVoided', {
            saleId: sale.id,
            invoiceNo: sale.payload.invoiceNo,
            reason: body.reason,
            approvedBy: auth.userId,
          }),
        ];
      });
      return detail(c, auth.shopId, params.saleId);
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/sales/:saleId/refund',
      summary: 'Refund all or part of a sale with a credit note; restocked goods go back on hand',
      tag: TAG,
      access: 'user',
      params: saleParams,
      body: refundBody,
    },
    async (c, { params, body, auth }) => {
      const [event] = await record(c, auth, ['v1.SaleReturned'], async (p, allocate) => {
        const sale = saleOf(p, params.saleId);
        if (p.isVoided(sale.id)) throw new ApiError('conflict', 'the sale was voided');
        const already = returnedByLine(p, sale.id);
        const requests = body.lines ?? remaining(sale, already);
        if (requests.length === 0)
          throw new ApiError('conflict', 'everything on this bill was already returned');
        checkRequests(sale, requests, already);
        const priced = domainCheck(['body', 'lines'], () =>
          priceReturn(sale.payload, requests, already),
        );
        const mode = body.refundMode ?? defaultRefund(sale);
        const customerId = sale.payload.customerId;
        if (mode === 'khata' && customerId === undefined)
          throw invalid(['body', 'refundMode'], 'the sale has no khata customer');
        const day = today();
        const payload = {
          saleId: sale.id,
          invoiceNo: sale.payload.invoiceNo,
          creditNoteNo: await allocate('credit-note', day),
          businessDay: day,
          ...(customerId !== undefined ? { customerId } : {}),
          ...(body.reason !== undefined ? { reason: body.reason } : {}),
          lines: priced.lines,
          total: priced.total,
          refunds: [{ mode, amount: priced.total }],
        };
        const issues = checkReturnAgainstSale(sale.payload, payload, already);
        if (issues[0]) throw invalid(['body', ...issues[0].path], issues[0].message);
        return [draft('v1.SaleReturned', payload)];
      });
      const p = await projectionOf(c, auth.shopId);
      const ret = p.returns.get(event?.id ?? '');
      if (!ret) throw notFound('credit note');
      return { ...returnView(ret), sale: saleView(p, saleOf(p, params.saleId)) };
    },
  );
}

/** The sale view, with the reasons of any voids read from the log. */
async function detail(c: Context<AppEnv>, shopId: string, saleId: string) {
  const p = await projectionOf(c, shopId);
  const sale = saleOf(p, saleId);
  const voidEvents = await eventsByIds(c, shopId, [...(p.voids.get(saleId) ?? [])]);
  const voids = voidEvents
    .filter((e): e is EventOfType<'v1.SaleVoided'> => e.type === 'v1.SaleVoided')
    .map((e) => ({
      eventId: e.id,
      reason: e.payload.reason,
      at: e.at,
      ...(e.payload.approvedBy ? { approvedBy: e.payload.approvedBy } : {}),
    }));
  return saleView(p, sale, voids);
}

function saleOf(p: ShopProjection, saleId: string): SaleEvent {
  const sale = p.sales.get(saleId);
  if (!sale) throw notFound('sale');
  return sale;
}

function remaining(sale: SaleEvent, already: ReadonlyMap<number, number>) {
  return sale.payload.lines
    .map((l, line) => ({ line, qty: l.qty - (already.get(line) ?? 0), restock: true }))
    .filter((r) => r.qty > 0);
}

function checkRequests(
  sale: SaleEvent,
  requests: readonly { line: number; qty: number }[],
  already: ReadonlyMap<number, number>,
): void {
  const seen = new Set<number>();
  requests.forEach((r, i) => {
    const original = sale.payload.lines[r.line];
    if (!original) throw invalid(['body', 'lines', i, 'line'], `the sale has no line ${r.line}`);
    if (seen.has(r.line)) throw invalid(['body', 'lines', i, 'line'], 'line given twice');
    seen.add(r.line);
    const left = original.qty - (already.get(r.line) ?? 0);
    if (r.qty > left)
      throw new ApiError('conflict', `line ${r.line}: only ${left} left to return`, {
        line: r.line,
        sold: original.qty,
        alreadyReturned: already.get(r.line) ?? 0,
      });
  });
}

/** Money goes back the way it came: khata if any of the bill was on khata, else the one tender used. */
function defaultRefund(sale: SaleEvent): Tender {
  const modes = new Set(sale.payload.payments.map((x) => x.mode));
  if (modes.has('khata')) return 'khata';
  const [only] = modes;
  return modes.size === 1 && only ? only : 'cash';
}
