/**
 * Test support for the REST API: a server with a shop and its callers, a caller bound to a token,
 * counts of what a shop has stored (to prove a refused request stored nothing), and the demo
 * catalogue and its opening stock created through the API.
 */
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DialectName } from '../db/connect.ts';
import type { RunningServer } from '../server.ts';
import {
  createTestShop,
  startTestServer,
  type TestServer,
  type TestShop,
} from '../testing/index.ts';
import type { ProductView } from './api-product-view.ts';

/** A fresh server with a shop whose owner has created the demo products, and its callers. */
export interface ApiShop {
  server: TestServer;
  shop: TestShop;
  /** A second shop on the same server, for tenancy checks. */
  other: TestShop;
  owner: Caller;
  cashier: Caller;
  /** The owner of `other`. */
  stranger: Caller;
  /** Demo product ids by SKU. */
  ids: Map<string, string>;
}

/** Start a server of `dialect` with a shop and the demo catalogue; close `server` when done. */
export async function startApiShop(dialect: DialectName): Promise<ApiShop> {
  const server = await startTestServer(dialect);
  try {
    const shop = await createTestShop(server);
    const other = await createTestShop(server);
    const owner = caller(server, shop.ownerToken);
    return {
      server,
      shop,
      other,
      owner,
      cashier: caller(server, shop.cashierToken),
      stranger: caller(server, other.ownerToken),
      ids: await createDemoProducts(owner),
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/** A response with its parsed body (JSON, or text for CSV and HTML). */
export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
  type: string;
}

/** Requests to the in-process app as one signed-in person. */
export interface Caller {
  get<T = unknown>(path: string): Promise<Reply<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<Reply<T>>;
  patch<T = unknown>(path: string, body?: unknown): Promise<Reply<T>>;
  del<T = unknown>(path: string): Promise<Reply<T>>;
  /** Send raw text as the body (malformed JSON tests). */
  raw<T = unknown>(method: string, path: string, text: string): Promise<Reply<T>>;
}

/** A caller for `token` (no token: an anonymous caller). */
export function caller(server: RunningServer, token?: string): Caller {
  const send = async <T>(method: string, path: string, text?: string): Promise<Reply<T>> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await server.app.request(path, {
      method,
      headers,
      ...(text === undefined ? {} : { body: text }),
    });
    const type = res.headers.get('content-type') ?? '';
    const raw = await res.text();
    const body = (type.includes('application/json') ? JSON.parse(raw) : raw) as T;
    return { status: res.status, body, text: raw, type };
  };
  const json = (body: unknown): string | undefined =>
    body === undefined ? undefined : JSON.stringify(body);
  return {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, json(body) ?? '{}'),
    patch: (path, body) => send('PATCH', path, json(body) ?? '{}'),
    del: (path) => send('DELETE', path),
    raw: (method, path, text) => send(method, path, text),
  };
}

/** How many events and quarantined events a shop holds. */
export async function storedCounts(
  server: RunningServer,
  shopId: string,
): Promise<{ events: number; quarantine: number }> {
  const { db } = server.services.db;
  const events = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('shop_id', '=', shopId)
    .executeTakeFirstOrThrow();
  const quarantine = await db
    .selectFrom('quarantine')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('shop_id', '=', shopId)
    .executeTakeFirstOrThrow();
  return { events: Number(events.n), quarantine: Number(quarantine.n) };
}

/** Create the six demo products through the API; returns product ids by SKU. */
export async function createDemoProducts(call: Caller): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const spec of DEMO_PRODUCTS) {
    const res = await call.post<{ productId: string }>('/api/v1/products', spec);
    if (res.status !== 201) throw new Error(`creating ${spec.sku}: ${res.status} ${res.text}`);
    ids.set(spec.sku, res.body.productId);
  }
  return ids;
}

/** The id of a demo product by SKU (throws when missing, so tests fail loudly). */
export function idOf(ids: ReadonlyMap<string, string>, sku: string): string {
  const id = ids.get(sku);
  if (!id) throw new Error(`no product ${sku}`);
  return id;
}

/** A demo product (by SKU) as `call` reads it. */
export async function productView(
  call: Caller,
  ids: ReadonlyMap<string, string>,
  sku: string,
): Promise<ProductView> {
  return (await call.get<ProductView>(`/api/v1/products/${idOf(ids, sku)}`)).body;
}

/** Receive opening stock of demo products (base units by SKU) through the API; throws unless 201. */
export async function receiveOpeningStock(
  call: Caller,
  ids: ReadonlyMap<string, string>,
  qtyBySku: Readonly<Record<string, number>>,
): Promise<void> {
  const res = await call.post('/api/v1/inventory/receipts', {
    paidBy: 'opening',
    lines: Object.entries(qtyBySku).map(([sku, qty]) => ({ productId: idOf(ids, sku), qty })),
  });
  if (res.status !== 201) throw new Error(`opening stock: ${res.status} ${res.text}`);
}
