/**
 * Importing a till's exported unsynced events (the file a till saves when it cannot reach the
 * server, carried over on a USB stick or sent by WhatsApp). The events go through the same ingest
 * path as a push from that till: duplicates are recognised by id, forbidden ones quarantined.
 */
import type { Hono } from 'hono';
import { uuidSchema } from '@smartkirana/domain/ids';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ingest, MAX_BATCH, validateBatch, type IngestResult } from '../ingest.ts';
import { route } from './route.ts';

const MAX_IMPORT = 5 * MAX_BATCH;

const importBody = z.object({
  format: z.literal('smartkirana-events'),
  version: z.literal(1),
  shopId: uuidSchema,
  deviceId: uuidSchema,
  exportedAt: z.number().int().optional(),
  events: z.array(z.unknown()).max(MAX_IMPORT),
});

/** Register the import route. */
export function importRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'post',
      path: '/api/v1/import',
      summary: "Import a till's exported unsynced events (owner or manager)",
      tag: 'sync',
      access: 'user',
      roles: ['owner', 'manager'],
      body: importBody,
    },
    async (c, { body, auth }) => {
      if (body.shopId !== auth.shopId)
        throw new ApiError('wrong_shop', 'the file belongs to another shop');
      const s = c.get('services');
      const device = await s.db.db
        .selectFrom('devices')
        .select(['id', 'kind', 'revoked_at'])
        .where('id', '=', body.deviceId)
        .where('shop_id', '=', auth.shopId)
        .executeTakeFirst();
      if (!device) throw new ApiError('not_found', 'no such device in this shop');
      // The events are that till's: checked as if it had pushed them itself.
      const sender = {
        shopId: auth.shopId,
        deviceId: device.id,
        kind: 'till' as const,
        revoked: device.revoked_at !== null,
      };
      const events = validateBatch(body.events.slice(0, MAX_BATCH), sender);
      const rest =
        body.events.length > MAX_BATCH ? validateAll(body.events.slice(MAX_BATCH), sender) : [];
      const results: IngestResult[] = [];
      let seq = 0;
      for (const chunk of [events, ...rest]) {
        if (chunk.length === 0) continue;
        const out = await ingest(s.db, s.cache, sender, chunk);
        results.push(...out.results);
        if (out.accepted.length > 0) s.feed.publish(auth.shopId, out.seq);
        seq = out.seq;
      }
      const count = (status: IngestResult['status']): number =>
        results.filter((r) => r.status === status).length;
      return c.json({
        accepted: count('accepted'),
        duplicate: count('duplicate'),
        quarantined: count('quarantined'),
        rejected: count('rejected'),
        results,
        checkpoint: { seq },
      });
    },
  );
}

function validateAll(raw: readonly unknown[], sender: Parameters<typeof validateBatch>[1]) {
  const out = [];
  for (let i = 0; i < raw.length; i += MAX_BATCH)
    out.push(validateBatch(raw.slice(i, i + MAX_BATCH), sender));
  return out;
}
