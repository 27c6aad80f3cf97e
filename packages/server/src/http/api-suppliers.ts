/**
 * Suppliers and expenses. Suppliers are created and edited (`v1.SupplierCreated`,
 * `v1.SupplierUpdated`), listed with what the shop owes them (purchases on credit less payments,
 * with ageing), and paid (`v1.SupplierPaid`). Shop expenses (`v1.ExpenseRecorded`) are recorded
 * under a head and listed by date. Amounts are integer paise.
 */
import type { Hono } from 'hono';
import { slugSchema } from '@smartkirana/domain/event-fields';
import {
  expenseRecorded,
  supplierCreated,
  supplierPaid,
  supplierUpdated,
} from '@smartkirana/domain/event-payloads';
import type { EventOfType } from '@smartkirana/domain/events';
import { uuidSchema } from '@smartkirana/domain/ids';
import { businessDayOf } from '@smartkirana/domain/journal';
import { mayRead } from '@smartkirana/domain/permissions';
import { ageing, supplierStatement } from '@smartkirana/domain/reports-parties';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { eventsInRange } from './api-events.ts';
import { rangeQuery, resolveRange } from './api-range.ts';
import { draft, freshId, notFound, projectionOf, readAs, record, today } from './api-support.ts';
import { listQuery, sendList, sendStatement } from './csv.ts';
import { route } from './route.ts';

const params = z.object({ supplierId: uuidSchema });

/** Register the supplier and expense routes. */
export function supplierRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'post',
      path: '/api/v1/suppliers',
      summary: 'Create a supplier',
      tag: 'suppliers',
      access: 'user',
      body: supplierCreated.omit({ supplierId: true }),
    },
    async (c, { body, auth }) => {
      const supplierId = freshId();
      await record(c, auth, ['v1.SupplierCreated'], () => [
        draft('v1.SupplierCreated', { supplierId, ...body }),
      ]);
      const books = mayRead(auth.role, 'books');
      return supplierView(await projectionOf(c, auth.shopId), supplierId, books);
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/suppliers',
      summary: 'Suppliers; with what the shop owes each (paise, aged) for those who read the books',
      tag: 'suppliers',
      access: 'user',
      csv: true,
      query: listQuery,
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'stock', 'books');
      const books = mayRead(auth.role, 'books');
      const rows = [...p.suppliers.ids()]
        .filter((id) => p.suppliers.get(id)?.get('created'))
        .map((id) => supplierView(p, id, books))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return sendList(c, query, rows, { name: 'suppliers' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/suppliers/:supplierId',
      summary: 'A supplier (with payable and ageing for those who read the books)',
      tag: 'suppliers',
      access: 'user',
      params,
    },
    async (c, { params: { supplierId }, auth }) => {
      const p = await readAs(c, auth, 'stock', 'books');
      return supplierView(p, supplierId, mayRead(auth.role, 'books'));
    },
  );

  route(
    app,
    {
      method: 'patch',
      path: '/api/v1/suppliers/:supplierId',
      summary: 'Edit a supplier',
      tag: 'suppliers',
      access: 'user',
      params,
      body: supplierUpdated.shape.changes,
    },
    async (c, { params: { supplierId }, body, auth }) => {
      await record(c, auth, ['v1.SupplierUpdated'], (p) => {
        supplierView(p, supplierId, false);
        return [draft('v1.SupplierUpdated', { supplierId, changes: body })];
      });
      return supplierView(await projectionOf(c, auth.shopId), supplierId, true);
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/suppliers/:supplierId/statement',
      summary: 'Supplier statement: purchases on credit and payments with a running balance',
      tag: 'suppliers',
      access: 'user',
      csv: true,
      params,
      query: listQuery,
    },
    async (c, { params: { supplierId }, query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const { name } = supplierView(p, supplierId, true);
      return sendStatement(
        c,
        query,
        { supplierId, name },
        supplierStatement(p, supplierId),
        'supplier-statement',
      );
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/suppliers/:supplierId/payments',
      summary: 'Pay a supplier (amount in paise; cash, upi, card or bank)',
      tag: 'suppliers',
      access: 'user',
      params,
      body: supplierPaid.omit({ supplierId: true }),
    },
    async (c, { params: { supplierId }, body, auth }) => {
      const [event] = await record(c, auth, ['v1.SupplierPaid'], (p) => {
        supplierView(p, supplierId, false);
        return [draft('v1.SupplierPaid', { supplierId, ...body })];
      });
      const view = supplierView(await projectionOf(c, auth.shopId), supplierId, true);
      return { paymentId: event?.id ?? null, ...body, supplier: view };
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/expenses',
      summary: 'Record a shop expense under a head (rent, electricity, …); amount in paise',
      tag: 'expenses',
      access: 'user',
      body: expenseRecorded,
    },
    async (c, { body, auth }) => {
      const [event] = await record(c, auth, ['v1.ExpenseRecorded'], () => [
        draft('v1.ExpenseRecorded', body),
      ]);
      return { expenseId: event?.id ?? null, day: today(), ...body };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/expenses',
      summary: 'Expenses by business day range and head, newest first, with the total',
      tag: 'expenses',
      access: 'user',
      csv: true,
      query: listQuery.extend(rangeQuery.shape).extend({ category: slugSchema.optional() }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const events = await eventsInRange(
        c,
        auth.shopId,
        p,
        resolveRange(query),
        new Set(['v1.ExpenseRecorded'] as const),
      );
      const rows = events
        .filter((e): e is EventOfType<'v1.ExpenseRecorded'> => e.type === 'v1.ExpenseRecorded')
        .filter((e) => query.category === undefined || e.payload.category === query.category)
        .reverse()
        .map((e) => ({
          expenseId: e.id,
          day: businessDayOf(e),
          at: e.at,
          category: e.payload.category,
          amount: e.payload.amount,
          mode: e.payload.mode,
          note: e.payload.note ?? '',
          recordedBy: p.staff.get(e.actorId)?.get('name') ?? e.actorId,
        }));
      const page = sendList(c, query, rows, { name: 'expenses' });
      if (page instanceof Response) return page;
      return { ...page, totalAmount: rows.reduce((s, r) => s + r.amount, 0) };
    },
  );
}

/** A supplier of this shop (404 for anyone else's), with the payable when `books`. */
function supplierView(p: ShopProjection, supplierId: string, books: boolean) {
  const rec = p.suppliers.get(supplierId)?.value();
  if (!rec?.created || rec.name === undefined) throw notFound('supplier');
  const base = {
    supplierId,
    name: rec.name,
    ...(rec.phone ? { phone: rec.phone } : {}),
    ...(rec.gstin ? { gstin: rec.gstin } : {}),
    ...(rec.stateCode ? { stateCode: rec.stateCode } : {}),
    ...(rec.address ? { address: rec.address } : {}),
  };
  if (!books) return base;
  const aged = ageing(p.payables.get(supplierId) ?? [], today());
  return { ...base, balance: aged.balance, buckets: aged.buckets, openBills: aged.openBills };
}
