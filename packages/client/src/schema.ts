/**
 * The till's RxDB collections. Few on purpose (RxDB's free tier caps open collections):
 * - `events`: the full replica of the shop's events, each document exactly one domain event
 *   (plus RxDB's `_deleted`); replicated with the server.
 * - `receipts`: local only, what the server answered for each of this till's events
 *   (accepted / duplicate / quarantined / rejected), so "safe" means acknowledged by id.
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
