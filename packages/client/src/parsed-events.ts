/**
 * Events the till parsed itself from the server's JSON (pages pulled or streamed, chunks of its
 * stored history). They are kept for as long as the till is open, so their recurring strings (ids,
 * codes, product names) share one copy (`string-pool.ts`): a till holding 100k events keeps a
 * few tens of MiB less. Only objects fresh from `JSON.parse` come here; the till's own events,
 * which RxDB also holds, never do.
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import { StringPool } from '@smartkirana/domain/string-pool';

const pool = new StringPool();

/** `events`, with their recurring strings swapped for the shared copies (in place). */
export function pooled<T extends DomainEvent>(events: T[]): T[] {
  for (const e of events) pool.internEvent(e);
  return events;
}
