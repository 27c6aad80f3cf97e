/**
 * Test support for the REST API: a caller bound to a token, counts of what a shop has stored (to
 * prove a refused request stored nothing), and the demo catalogue created through the API.
 */
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { RunningServer } from '../server.ts';

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
