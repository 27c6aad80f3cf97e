/**
 * The envelope every event travels in. Identity is the client-generated `id` (exactly-once is a
 * unique key on it); `deviceId` + `deviceSeq` number a device's events gaplessly; `hlc` orders them
 * across devices. `at` is the device's wall time, kept for reports but never trusted for order.
 */
import { z } from 'zod';
import { hlcSchema } from './hlc.ts';
import { uuidSchema, uuidV7Schema } from './ids.ts';

/** Largest encoded event accepted anywhere (bytes of JSON). A sale of 500 lines fits easily. */
export const MAX_EVENT_BYTES = 256 * 1024;

export const envelopeShape = {
  id: uuidV7Schema,
  shopId: uuidSchema,
  deviceId: uuidSchema,
  deviceSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  hlc: hlcSchema,
  actorId: uuidSchema,
  /** Device wall-clock time of the event, epoch milliseconds. */
  at: z.number().int().min(0).max(8.64e15),
};

/** Fields of the envelope, without `type` and `payload`. */
export type Envelope = z.infer<z.ZodObject<typeof envelopeShape>>;

const SEQ_DIGITS = 16;

/**
 * The canonical order of events: HLC, then device, then device sequence. Every derivation that depends
 * on order uses this key, so any two replicas with the same set of events agree (BRIEF invariant 3).
 */
export function canonicalKey(e: Pick<Envelope, 'hlc' | 'deviceId' | 'deviceSeq'>): string {
  return `${e.hlc}|${e.deviceId}|${e.deviceSeq.toString().padStart(SEQ_DIGITS, '0')}`;
}
