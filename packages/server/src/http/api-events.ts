/**
 * Reading whole events back from the shop's log, for the views the projection does not keep in
 * full (journal, day book, ledger, expense list, the reason of a void). The projection indexes
 * every event id by business day, so a date range reads only the events of those days.
 */
import type { Context } from 'hono';
import { decodeEvent, type DomainEvent, type EventType } from '@smartkirana/domain/events';
import { inRange, type DateRange } from '@smartkirana/domain/reports-books';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { AppEnv } from '../context.ts';

const CHUNK = 500;

/** Events of the shop with these ids, in log order; ids of other shops are never returned. */
export async function eventsByIds(
  c: Context<AppEnv>,
  shopId: string,
  ids: readonly string[],
): Promise<DomainEvent[]> {
  const { db } = c.get('services').db;
  const out: { seq: number; event: DomainEvent }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await db
      .selectFrom('events')
      .select(['seq', 'body'])
      .where('shop_id', '=', shopId)
      .where('id', 'in', chunk)
      .execute();
    for (const row of rows) {
      const decoded = decodeEvent(JSON.parse(row.body));
      // Bodies were validated on the way in; one that no longer decodes is skipped, not fatal.
      if (decoded.ok) out.push({ seq: row.seq, event: decoded.event });
    }
  }
  return out.sort((a, b) => a.seq - b.seq).map((r) => r.event);
}

/** Events whose business day falls in `range`, optionally only of some types. */
export async function eventsInRange(
  c: Context<AppEnv>,
  shopId: string,
  p: ShopProjection,
  range: DateRange,
  types?: ReadonlySet<EventType>,
): Promise<DomainEvent[]> {
  const ids: string[] = [];
  for (const [day, events] of p.dayEvents) {
    if (!inRange(day, range)) continue;
    for (const e of events) if (!types || types.has(e.type)) ids.push(e.eventId);
  }
  return eventsByIds(c, shopId, ids);
}
