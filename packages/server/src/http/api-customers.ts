/**
 * Khata: customers who buy on credit. Create and edit customers (`v1.CustomerCreated`,
 * `v1.CustomerUpdated`), list them with what they owe, read a statement with a running balance and
 * the bill-wise ageing, and take a payment (`v1.KhataPaymentReceived`). Amounts are integer paise;
 * a balance is what the customer owes the shop.
 */
import type { Hono } from 'hono';
import { ageing, khataAgeing, khataStatement } from '@smartkirana/domain/reports-parties';
import {
  customerCreated,
  customerUpdated,
  khataPaymentReceived,
} from '@smartkirana/domain/event-payloads';
import { uuidSchema } from '@smartkirana/domain/ids';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { dayQuery } from './api-range.ts';
import {
  draft,
  flagQuery,
  freshId,
  notFound,
  projectionOf,
  readAs,
  record,
  today,
} from './api-support.ts';
import { listQuery, sendList, sendStatement } from './csv.ts';
import { route } from './route.ts';

const TAG = 'khata';
const params = z.object({ customerId: uuidSchema });
const fields = customerCreated.omit({ customerId: true }).shape;
const createBody = z.strictObject({ ...fields, creditLimit: fields.creditLimit.default(0) });
const paymentBody = khataPaymentReceived.omit({ customerId: true });

/** Register the customer and khata routes. */
export function customerRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'post',
      path: '/api/v1/customers',
      summary: 'Create a khata customer (credit limit in paise; phone unique in the shop)',
      tag: TAG,
      access: 'user',
      body: createBody,
    },
    async (c, { body, auth }) => {
      const customerId = freshId();
      await record(c, auth, ['v1.CustomerCreated'], (p) => {
        if (body.phone) assertPhoneFree(p, body.phone, customerId);
        return [draft('v1.CustomerCreated', { customerId, ...body })];
      });
      return customerView(await projectionOf(c, auth.shopId), customerId);
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/customers',
      summary: 'Customers with their khata balance (paise), credit limit and over-limit flag',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({
        q: z.string().trim().min(1).max(100).optional(),
        owing: flagQuery.optional(),
      }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'khata');
      const q = query.q?.toLowerCase();
      const rows = customerIds(p)
        .map((id) => customerView(p, id))
        .filter(
          (r) =>
            (q === undefined || r.name.toLowerCase().includes(q) || (r.phone ?? '').includes(q)) &&
            (query.owing !== true || r.balance > 0),
        );
      return sendList(c, query, rows, { name: 'customers' });
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/customers/:customerId',
      summary: 'A customer with balance and bill-wise ageing',
      tag: TAG,
      access: 'user',
      params,
    },
    async (c, { params: { customerId }, auth }) => {
      const p = await readAs(c, auth, 'khata');
      const view = customerView(p, customerId);
      return { ...view, ageing: ageing(p.khata.get(customerId) ?? [], today()) };
    },
  );

  route(
    app,
    {
      method: 'patch',
      path: '/api/v1/customers/:customerId',
      summary: 'Edit a customer (name, phone, GSTIN, credit limit, …)',
      tag: TAG,
      access: 'user',
      params,
      body: customerUpdated.shape.changes,
    },
    async (c, { params: { customerId }, body, auth }) => {
      await record(c, auth, ['v1.CustomerUpdated'], (p) => {
        customerView(p, customerId);
        if (body.phone) assertPhoneFree(p, body.phone, customerId);
        return [draft('v1.CustomerUpdated', { customerId, changes: body })];
      });
      return customerView(await projectionOf(c, auth.shopId), customerId);
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/customers/:customerId/statement',
      summary: 'Khata statement: sales on credit, payments and returns with a running balance',
      tag: TAG,
      access: 'user',
      csv: true,
      params,
      query: listQuery,
    },
    async (c, { params: { customerId }, query, auth }) => {
      const p = await readAs(c, auth, 'khata');
      const { name } = customerView(p, customerId);
      return sendStatement(
        c,
        query,
        { customerId, name },
        khataStatement(p, customerId),
        'khata-statement',
      );
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/customers/:customerId/payments',
      summary: 'Record a khata payment received (amount in paise; cash, upi, card or bank)',
      tag: TAG,
      access: 'user',
      params,
      body: paymentBody,
    },
    async (c, { params: { customerId }, body, auth }) => {
      const [event] = await record(c, auth, ['v1.KhataPaymentReceived'], (p) => {
        customerView(p, customerId);
        return [draft('v1.KhataPaymentReceived', { customerId, ...body })];
      });
      const view = customerView(await projectionOf(c, auth.shopId), customerId);
      return { paymentId: event?.id ?? null, ...body, customer: view };
    },
  );

  route(
    app,
    {
      method: 'get',
      path: '/api/v1/khata/ageing',
      summary:
        'Khata ageing: what each customer owes by age of bill (0–30, 31–60, 61–90, 90+ days)',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({ asOf: dayQuery.optional() }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'khata');
      const rows = khataAgeing(p, query.asOf ?? today());
      return sendList(c, query, rows, {
        name: 'khata-ageing',
        flat: (r) => ({
          customerId: r.partyId,
          name: r.name,
          balance: r.balance,
          days0to30: r.buckets[0],
          days31to60: r.buckets[1],
          days61to90: r.buckets[2],
          over90: r.buckets[3],
        }),
      });
    },
  );
}

/** A customer of this shop with their balance; 404 for anyone else's. */
function customerView(p: ShopProjection, customerId: string) {
  const rec = p.customers.get(customerId)?.value();
  if (!rec?.created || rec.name === undefined) throw notFound('customer');
  const balance = (p.khata.get(customerId) ?? []).reduce((s, e) => s + e.amount, 0);
  const creditLimit = rec.creditLimit ?? 0;
  return {
    customerId,
    name: rec.name,
    ...(rec.phone ? { phone: rec.phone } : {}),
    ...(rec.gstin ? { gstin: rec.gstin } : {}),
    ...(rec.stateCode ? { stateCode: rec.stateCode } : {}),
    ...(rec.address ? { address: rec.address } : {}),
    creditLimit,
    balance,
    overLimit: balance > creditLimit,
  };
}

function customerIds(p: ShopProjection): string[] {
  return [...p.customers.ids()]
    .filter((id) => p.customers.get(id)?.get('created'))
    .sort((a, b) => {
      const x = p.customers.get(a)?.get('name') ?? '';
      const y = p.customers.get(b)?.get('name') ?? '';
      return x < y ? -1 : x > y ? 1 : a < b ? -1 : 1;
    });
}

function assertPhoneFree(p: ShopProjection, phone: string, self: string): void {
  for (const id of p.customers.ids())
    if (id !== self && p.customers.get(id)?.get('phone') === phone)
      throw new ApiError('conflict', 'another customer has this phone number', { customerId: id });
}
