/**
 * Quarantine: events a device pushed that the server would not record (a revoked till, a cashier
 * changing prices, a reused sequence number), kept with their reason. The owner or a manager lists
 * them and dismisses them once dealt with; dismissing sets `resolved_at` and keeps the event.
 */
import type { Hono } from 'hono';
import { uuidSchema } from '@smartkirana/domain/ids';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import type { QuarantineTable } from '../db/schema.ts';
import { flagQuery, notFound } from './api-support.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'conflicts';
const MANAGERS = ['owner', 'manager'] as const;

/** Register the quarantine routes. */
export function quarantineRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/quarantine',
      summary: 'Quarantined events with their reason (dismissed ones on request). Owner or manager',
      tag: TAG,
      access: 'user',
      roles: MANAGERS,
      csv: true,
      query: listQuery.extend({ includeDismissed: flagQuery.optional() }),
    },
    async (c, { query, auth }) => {
      const { db } = c.get('services').db;
      let q = db.selectFrom('quarantine').selectAll().where('shop_id', '=', auth.shopId);
      if (query.includeDismissed !== true) q = q.where('resolved_at', 'is', null);
      const rows = (await q.orderBy('received_at', 'desc').orderBy('id').execute()).map(view);
      return sendList(c, query, rows, {
        name: 'quarantine',
        flat: ({ event, ...rest }) => ({ ...rest, event: JSON.stringify(event) }),
      });
    },
  );

  route(
    app,
    {
      method: 'post',
      path: '/api/v1/quarantine/:eventId/dismiss',
      summary: 'Dismiss a quarantined event (it stays stored). Owner or manager',
      tag: TAG,
      access: 'user',
      roles: MANAGERS,
      params: z.object({ eventId: uuidSchema }),
    },
    async (c, { params, auth }) => {
      const { db } = c.get('services').db;
      await db
        .updateTable('quarantine')
        .set({ resolved_at: Date.now() })
        .where('id', '=', params.eventId)
        .where('shop_id', '=', auth.shopId)
        .where('resolved_at', 'is', null)
        .execute();
      const row = await db
        .selectFrom('quarantine')
        .selectAll()
        .where('id', '=', params.eventId)
        .where('shop_id', '=', auth.shopId)
        .executeTakeFirst();
      if (!row) throw notFound('quarantined event');
      return view(row);
    },
  );
}

function view(row: QuarantineTable) {
  return {
    eventId: row.id,
    deviceId: row.device_id,
    deviceSeq: row.device_seq,
    type: row.type,
    receivedAt: row.received_at,
    code: row.code,
    reason: row.reason,
    dismissedAt: row.resolved_at,
    event: JSON.parse(row.body) as unknown,
  };
}
