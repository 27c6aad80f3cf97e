/**
 * The till's RxDB collections. Few on purpose (RxDB's free tier caps open collections):
 * - `events`: this till's own events, each document exactly one domain event (plus RxDB's
 *   `_deleted`); pushed to the server by RxDB's replication. (A till from before the history
 *   collection also holds other devices' events here; they fold like any other copy.)
 * - `receipts`: local only, what the server answered for each of this till's events
 *   (accepted / duplicate / quarantined / rejected), so "safe" means acknowledged by id.
 * - `history`: the shop's log as the server numbers it, in chunks (`history.ts`).
 */
import type { RxJsonSchema } from 'rxdb';
import type { DomainEvent } from '@smartkirana/domain/events';

export type EventDoc = DomainEvent;

export const eventSchema: RxJsonSchema<EventDoc> = {
  title: 'events',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 36 },
    shopId: { type: 'string', maxLength: 36 },
    deviceId: { type: 'string', maxLength: 36 },
    deviceSeq: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991, multipleOf: 1 },
    hlc: { type: 'string', maxLength: 22 },
    actorId: { type: 'string', maxLength: 36 },
    at: { type: 'integer' },
    type: { type: 'string', maxLength: 64 },
    payload: { type: 'object' },
  },
  required: ['id', 'shopId', 'deviceId', 'deviceSeq', 'hlc', 'actorId', 'at', 'type', 'payload'],
  indexes: [
    ['deviceId', 'deviceSeq'],
    ['deviceId', 'type', 'deviceSeq'],
  ],
} as unknown as RxJsonSchema<EventDoc>;

/** What the server said about one of this till's events. */
export interface ReceiptDoc {
  id: string;
  status: 'accepted' | 'duplicate' | 'quarantined' | 'rejected';
  /** Server sequence for accepted and duplicate events. */
  seq?: number;
  code?: string;
  reason?: string;
  at: number;
}

export const receiptSchema: RxJsonSchema<ReceiptDoc> = {
  title: 'receipts',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 36 },
    status: { type: 'string', maxLength: 16 },
    seq: { type: 'integer' },
    code: { type: 'string', maxLength: 64 },
    reason: { type: 'string', maxLength: 500 },
    at: { type: 'integer' },
  },
  required: ['id', 'status', 'at'],
};

/**
 * A chunk of the shop's log (`kind: 'events'`: positions `from`…`to`, their events as the
 * server's JSON text in `body`) or the projection seed a fresh till started from (`kind: 'seed'`,
 * its position in `to`). See `history.ts`.
 */
export interface HistoryDoc {
  id: string;
  log: string;
  kind: 'events' | 'seed';
  from: number;
  to: number;
  count: number;
  body: string;
}

export const historySchema: RxJsonSchema<HistoryDoc> = {
  title: 'history',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 100 },
    log: { type: 'string', maxLength: 64 },
    kind: { type: 'string', maxLength: 8 },
    from: { type: 'integer', minimum: 0, maximum: 9_007_199_254_740_991, multipleOf: 1 },
    to: { type: 'integer', minimum: 0, maximum: 9_007_199_254_740_991, multipleOf: 1 },
    count: { type: 'integer' },
    body: { type: 'string' },
  },
  required: ['id', 'log', 'kind', 'from', 'to', 'count', 'body'],
  indexes: [['log', 'kind', 'to']],
};
