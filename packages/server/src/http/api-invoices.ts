/**
 * Tax documents by number: an invoice (or bill of supply) or a credit note as JSON, and as a
 * printable A4 page. Numbers contain slashes (`T01/2526/000123`); they may be sent as they are or
 * percent-encoded. Anyone who may issue bills may reprint them.
 */
import type { Hono } from 'hono';
import { invoiceNumberSchema, parseInvoiceNumber } from '@smartkirana/domain/invoice-series';
import { mayRead, mayRecord } from '@smartkirana/domain/permissions';
import type { ReturnEvent, SaleEvent, ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv, UserAuth } from '../context.ts';
import { ApiError } from '../errors.ts';
import { renderInvoiceHtml } from './api-invoice-html.ts';
import { returnView, saleView } from './api-sale-view.ts';
import { notFound, projectionOf } from './api-support.ts';
import { route } from './route.ts';

const TAG = 'gst';
/** Slashes are part of the number, so the parameter takes them (and their %2F form). */
const NUMBER = ':invoiceNo{[A-Za-z0-9/%-]+}';
const params = z.object({ invoiceNo: invoiceNumberSchema });

/** Register the invoice routes. */
export function invoiceRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: `/api/v1/invoices/${NUMBER}/print`,
      summary: 'Printable A4 tax invoice, bill of supply or credit note (HTML)',
      tag: TAG,
      access: 'user',
      params,
    },
    async (c, { params: { invoiceNo }, auth }) => {
      const p = readable(await projectionOf(c, auth.shopId), auth);
      const { sale, credit } = findDocument(p, invoiceNo);
      const customerId = sale.payload.customerId;
      const html = renderInvoiceHtml({
        shop: p.shop.value(),
        sale,
        ...(credit ? { credit } : {}),
        ...(customerId ? { buyerName: p.customers.get(customerId)?.get('name') ?? '' } : {}),
        voided: !credit && p.isVoided(sale.id),
      });
      return c.html(html, 200, {
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: `/api/v1/invoices/${NUMBER}`,
      summary: 'An invoice or credit note by its number, with the shop’s details',
      tag: TAG,
      access: 'user',
      params,
    },
    async (c, { params: { invoiceNo }, auth }) => {
      const p = readable(await projectionOf(c, auth.shopId), auth);
      const { sale, credit, duplicates } = findDocument(p, invoiceNo);
      const shop = p.shop.value();
      return {
        kind: credit ? 'credit-note' : sale.payload.documentType,
        number: invoiceNo,
        shop: {
          name: shop.name ?? '',
          gstin: shop.gstin ?? null,
          stateCode: shop.stateCode ?? null,
          registration: shop.registration ?? null,
          address: shop.address ?? null,
          phone: shop.phone ?? null,
        },
        document: credit ? returnView(credit) : saleView(p, sale),
        ...(credit ? { invoice: saleView(p, sale) } : {}),
        ...(duplicates.length > 1 ? { duplicates } : {}),
      };
    },
  );
}

function readable(p: ShopProjection, auth: UserAuth): ShopProjection {
  if (!mayRead(auth.role, 'sales') && !mayRecord(auth.role, 'v1.SaleCompleted'))
    throw new ApiError('forbidden', `a ${auth.role} may not read invoices`);
  return p;
}

/** The sale (and credit note) carrying a number; the first by id when a number was reused. */
function findDocument(
  p: ShopProjection,
  number: string,
): { sale: SaleEvent; credit?: ReturnEvent; duplicates: string[] } {
  const parsed = parseInvoiceNumber(number);
  const ids = parsed ? (p.series.get(`${parsed.prefix}/${parsed.fy}`)?.get(parsed.seq) ?? []) : [];
  for (const id of ids) {
    const sale = p.sales.get(id);
    if (sale?.payload.invoiceNo === number) return { sale, duplicates: ids };
    const credit = p.returns.get(id);
    const original = credit ? p.sales.get(credit.payload.saleId) : undefined;
    if (credit?.payload.creditNoteNo === number && original)
      return { sale: original, credit, duplicates: ids };
  }
  throw notFound('invoice');
}
