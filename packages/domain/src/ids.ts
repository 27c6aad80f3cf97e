/**
 * Identifiers. Events and entities get client-generated UUID v7s: time-ordered, so indexes stay
 * append-mostly, and unique without asking anyone, so a till can create them offline.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/** A lowercase UUID of version 7. */
export const uuidV7Schema = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'a lowercase UUID v7',
  );

/** Any lowercase UUID (entity ids minted by older systems or imports). */
export const uuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lowercase UUID');

/** A new UUID v7. Pass `msecs` and `random` (16 bytes) for deterministic ids in tests and fixtures. */
export function newId(opts: { msecs?: number; random?: Uint8Array } = {}): string {
  return uuidv7(
    opts.random
      ? { msecs: opts.msecs ?? 0, random: opts.random }
      : opts.msecs !== undefined
        ? { msecs: opts.msecs }
        : undefined,
  );
}

/** Milliseconds since the epoch encoded in a UUID v7. */
export function uuidV7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
