/**
 * What every REST route of the shop's books shares: reading the shop's projection, checking read
 * scopes, and the one write path. A REST write is a list of event drafts computed from the
 * projection; it is checked (role, payload, arithmetic) before anything is locked, then computed
 * again inside the shop's lock — so checks that could race (SKU taken, quantity left to return)
 * hold — and recorded through the same ingest path as a till's sync.
 */
import type { Context } from 'hono';
import { financialYear, istDate } from '@smartkirana/domain/calendar';
import {
  decodeEvent,
  type DomainEvent,
  type EventType,
  type PayloadOf,
} from '@smartkirana/domain/events';
import { newId } from '@smartkirana/domain/ids';
import { formatInvoiceNumber, type SeriesKind } from '@smartkirana/domain/invoice-series';
import {
  mayRead,
  mayRecord,
  mayRecordEvent,
  type ReadScope,
} from '@smartkirana/domain/permissions';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv, UserAuth } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { ServerWriter } from '../server-device.ts';
import { recordAsServer } from '../shops.ts';

/** An event to record, with a typed way to emit it on the server's writer. */
export interface Draft {
  type: EventType;
  payload: unknown;
  emit(w: ServerWriter): DomainEvent;
}

/** Build a draft of an event. */
export function draft<T extends EventType>(type: T, payload: PayloadOf<T>): Draft {
  return { type, payload, emit: (w) => w.emit(type, payload) };
}

/** Allocates a number of the server device's invoice or credit-note series for a business day. */
export type Allocate = (kind: SeriesKind, day: string) => Promise<string>;

/** Computes the events of a write from the projection; must have no side effects (it runs twice). */
export type Prepare = (p: ShopProjection, allocate: Allocate) => Draft[] | Promise<Draft[]>;

/** The shop's projection, caught up to the log. */
export async function projectionOf(c: Context<AppEnv>, shopId: string): Promise<ShopProjection> {
  const services = c.get('services');
  return (await services.cache.get(services.db.db, shopId)).projection;
}

/** Throw 403 unless the caller may read this kind of report. */
export function requireRead(auth: UserAuth, ...scopes: ReadScope[]): void {
  if (!scopes.some((s) => mayRead(auth.role, s)))
    throw new ApiError('forbidden', `a ${auth.role} may not read this`);
}

/** Read the projection after checking a read scope. */
export async function readAs(
  c: Context<AppEnv>,
  auth: UserAuth,
  ...scopes: ReadScope[]
): Promise<ShopProjection> {
  requireRead(auth, ...scopes);
  return projectionOf(c, auth.shopId);
}

/**
 * Record the events `prepare` computes, acting as the caller. `types` lists every event type the
 * route may emit: the caller's role is checked against it first, so a forbidden write locks and
 * stores nothing (not even a quarantine row).
 */
export async function record(
  c: Context<AppEnv>,
  auth: UserAuth,
  types: readonly EventType[],
  prepare: Prepare,
): Promise<DomainEvent[]> {
  for (const type of types)
    if (!mayRecord(auth.role, type))
      throw new ApiError('forbidden', `a ${auth.role} may not record ${type}`);
  try {
    return await recordChecked(c, auth, types, prepare);
  } catch (err) {
    // Integer arithmetic refuses to leave the safe range (a quantity of 10^12 at average cost);
    // any transaction rolled back, so this is bad input, not a server fault.
    if (err instanceof RangeError)
      throw new ApiError('validation_failed', 'amounts or quantities out of range', undefined, {
        cause: err,
      });
    throw err;
  }
}

async function recordChecked(
  c: Context<AppEnv>,
  auth: UserAuth,
  types: readonly EventType[],
  prepare: Prepare,
): Promise<DomainEvent[]> {
  // Check outside the lock first: bad input never takes the lock or costs a projection rebuild.
  const dry = await prepare(await projectionOf(c, auth.shopId), placeholderNumber);
  if (dry.length === 0) return [];
  for (const d of dry) checkDraft(d, types, auth);
  let events: DomainEvent[] = [];
  await recordAsServer(c.get('services'), auth.shopId, auth.userId, async (w) => {
    const drafts = await prepare(w.projection, (kind, day) => w.allocate(kind, day));
    events = drafts.map((d) => {
      checkDraft(d, types, auth);
      const event = d.emit(w);
      assertValid(event);
      if (!mayRecordEvent(auth.role, event))
        throw new ApiError('forbidden', `a ${auth.role} may not record this ${event.type}`);
      return event;
    });
  });
  return events;
}

/** A yes/no query flag: `true`/`1` or `false`/`0`. */
export const flagQuery = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** The IST business day of now. */
export function today(): string {
  return istDate(Date.now());
}

/** A fresh entity id (UUID v7). */
export function freshId(): string {
  return newId();
}

/** 404 for something that is not in the caller's shop (or does not exist at all). */
export function notFound(what: string): ApiError {
  return new ApiError('not_found', `no such ${what}`);
}

/** 422 for input that is well-formed but does not make sense for the shop's books. */
export function invalid(path: (string | number)[], message: string): ApiError {
  return new ApiError('validation_failed', message, {
    issues: [{ path: path.map(String), message }],
  });
}

/** Run a domain calculation; a RangeError (a discount larger than the bill, …) becomes a 422. */
export function domainCheck<T>(path: (string | number)[], fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) throw invalid(path, err.message);
    throw err;
  }
}

function checkDraft(d: Draft, types: readonly EventType[], auth: UserAuth): void {
  if (!types.includes(d.type)) throw new Error(`route emitted undeclared ${d.type}`);
  // Validate the payload in a stand-in envelope: the server never records what a till could not.
  assertValid({
    id: newId(),
    shopId: auth.shopId,
    deviceId: auth.shopId,
    deviceSeq: 1,
    hlc: '000000000000000-000000',
    actorId: auth.userId,
    at: Date.now(),
    type: d.type,
    payload: d.payload,
  });
}

function assertValid(event: unknown): void {
  const decoded = decodeEvent(event);
  if (decoded.ok) return;
  throw new ApiError('validation_failed', 'the request would record an invalid event', {
    issues: decoded.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

function placeholderNumber(kind: SeriesKind, day: string): Promise<string> {
  return Promise.resolve(formatInvoiceNumber('S01', kind, financialYear(day), 1));
}
