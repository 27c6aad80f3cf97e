/**
 * Test support for the authentication, staff and device routes: an in-process client, fresh
 * phone numbers, a shop registered through the API, the events a shop has recorded, and a check
 * that no secret reached the log.
 */
import { expect } from 'vitest';
import type { DomainEvent, EventType } from '@smartkirana/domain/events';
import type { RunningServer } from '../server.ts';
import type { Session } from '../auth/sessions.ts';
import type { TestServer } from '../testing/index.ts';

/** An error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** A response with its parsed JSON body. */
export interface Reply<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface SendOptions {
  token?: string | undefined;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  /** The body as sent, verbatim. */
  raw?: string;
  contentType?: string;
}

/** Send a request to the in-process app. */
export async function send<T = ErrorBody>(
  server: RunningServer,
  method: string,
  path: string,
  opts: SendOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const res = await server.app.request(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: res.headers,
  };
}

let counter = 0;

/** A fresh, valid 10-digit mobile number (unique within the test process). */
export function newPhone(): string {
  counter += 1;
  const base = Math.floor(Math.random() * 1e5);
  return `7${String(base).padStart(5, '0')}${String(counter).padStart(4, '0')}`;
}

/** Register a shop through the API; returns the owner's session and password. */
export async function registerShop(
  server: RunningServer,
  overrides: Record<string, unknown> = {},
): Promise<{ session: Session; phone: string; password: string }> {
  const phone = newPhone();
  const password = `pw-${Math.random().toString(36).slice(2)}-long`;
  const res = await send<Session>(server, 'POST', '/api/v1/auth/register', {
    body: {
      shopName: 'Sharma Kirana',
      stateCode: '27',
      ownerName: 'Ramesh Sharma',
      phone,
      password,
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  return { session: res.body, phone, password };
}

/** Sign in by password; throws unless it succeeds. */
export async function login(
  server: RunningServer,
  phone: string,
  password: string,
  shopId?: string,
): Promise<Session> {
  const res = await send<Session>(server, 'POST', '/api/v1/auth/login', {
    body: { phone, password, ...(shopId === undefined ? {} : { shopId }) },
  });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The events of one type a shop has recorded, in sequence order. */
export async function eventsOf<T extends EventType>(
  server: RunningServer,
  shopId: string,
  type: T,
): Promise<Extract<DomainEvent, { type: T }>[]> {
  const rows = await server.services.db.db
    .selectFrom('events')
    .select('body')
    .where('shop_id', '=', shopId)
    .where('type', '=', type)
    .orderBy('seq')
    .execute();
  return rows.map((r) => JSON.parse(r.body) as Extract<DomainEvent, { type: T }>);
}

/**
 * Whether `secret` appears in `log`. A short one (PIN, OTP code) counts only as a whole token, not
 * inside a longer run of letters and digits, where it turns up in random UUIDs by chance.
 */
export function leaks(log: string, secret: string): boolean {
  if (secret.length >= 12) return log.includes(secret);
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(log);
}

/** Expect none of `secrets` in the server's log, which mentions `marker` (so it is not just empty). */
export function expectNoSecretsLogged(
  server: TestServer,
  secrets: readonly string[],
  marker?: string,
): void {
  const log = server.logs.join('\n');
  if (marker !== undefined) expect(log).toContain(marker);
  for (const secret of secrets) expect(leaks(log, secret), 'a secret is in the log').toBe(false);
}
