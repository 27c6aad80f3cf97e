/**
 * The conflict inbox and quarantine. Conflicts are derived from the events (oversell, late event,
 * concurrent price edit, khata over limit, over-return, void after return, duplicate number) and
 * resolved by recording an ordinary event that names them: a recount (`v1.StockCounted`), a
 * write-off (`v1.StockAdjusted`), a price set on top of the winning edit (`v1.PriceChanged`) or an
 * acknowledgement (`v1.ConflictAcknowledged`). Quarantined events are listed and dismissed by the
 * owner or a manager; a dismissed event stays stored, it only leaves the inbox.
 */
import type { Hono } from 'hono';
import { listConflicts, type Conflict } from '@smartkirana/domain/conflicts';
import { adjustmentReasonSchema, priceChanged } from '@smartkirana/domain/event-payloads';
import { noteSchema } from '@smartkirana/domain/event-fields';
import type { EventType } from '@smartkirana/domain/events';
import { qtySchema, positiveQtySchema } from '@smartkirana/domain/quantity';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { itcRate } from './api-inventory.ts';
import {
  draft,
  invalid,
  notFound,
  projectionOf,
  readAs,
  record,
  type Draft,
} from './api-support.ts';
import { quarantineRoutes } from './api-quarantine.ts';
import { listQuery, sendList } from './csv.ts';
import { route } from './route.ts';

const TAG = 'conflicts';
/** Conflict ids hold colons and, for duplicate numbers, slashes: the parameter takes them. */
const ID = ':conflictId{.+}';
const params = z.object({ conflictId: z.string().min(1).max(200) });

const resolveBody = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('recount'),
    countedQty: qtySchema.min(0),
    note: noteSchema.optional(),
  }),
  z.strictObject({
    action: z.literal('write-off'),
    /** Units lost, in base units (recorded as a negative adjustment). */
    qty: positiveQtySchema,
    reason: adjustmentReasonSchema.default('correction'),
    note: noteSchema.optional(),
  }),
  z.strictObject({
    action: z.literal('set-price'),
    sellingPrice: priceChanged.shape.sellingPrice,
    mrp: priceChanged.shape.mrp,
  }),
  z.strictObject({ action: z.literal('acknowledge'), note: noteSchema }),
]);
type Resolution = z.infer<typeof resolveBody>;

const EVENT_OF: Record<Resolution['action'], EventType> = {
  recount: 'v1.StockCounted',
  'write-off': 'v1.StockAdjusted',
  'set-price': 'v1.PriceChanged',
  acknowledge: 'v1.ConflictAcknowledged',
};

/** Register the conflict and quarantine routes. */
export function conflictRoutes(app: Hono<AppEnv>): void {
  route(
    app,
    {
      method: 'get',
      path: '/api/v1/conflicts',
      summary: 'The conflict inbox: derived conflicts with status (open, resolved, acknowledged)',
      tag: TAG,
      access: 'user',
      csv: true,
      query: listQuery.extend({
        status: z.enum(['open', 'resolved', 'acknowledged']).optional(),
        kind: z
          .enum([
            'oversell',
            'late-event',
            'price-edit',
            'khata-over-limit',
            'over-return',
            'void-after-return',
            'duplicate-invoice',
          ])
          .optional(),
      }),
    },
    async (c, { query, auth }) => {
      const p = await readAs(c, auth, 'books');
      const rows = listConflicts(p).filter(
        (x) =>
          (!query.status || x.status === query.status) && (!query.kind || x.kind === query.kind),
      );
      return sendList(c, query, rows, {
        name: 'conflicts',
        flat: (x) => ({ ...x, eventIds: x.eventIds.join(' '), figures: JSON.stringify(x.figures) }),
      });
    },
  );

  route(
    app,
    {
      method: 'post',
      path: `/api/v1/conflicts/${ID}/resolve`,
      summary:
        'Resolve a conflict: recount, write-off, set-price (on the winning edit) or acknowledge',
      tag: TAG,
      access: 'user',
      params,
      body: resolveBody,
    },
    async (c, { params: { conflictId }, body, auth }) => {
      await record(c, auth, [EVENT_OF[body.action]], (p) => [resolution(p, conflictId, body)]);
      return conflictOf(await projectionOf(c, auth.shopId), conflictId);
    },
  );

  route(
    app,
    {
      method: 'get',
      path: `/api/v1/conflicts/${ID}`,
      summary: 'One conflict',
      tag: TAG,
      access: 'user',
      params,
    },
    async (c, { params: { conflictId }, auth }) =>
      conflictOf(await readAs(c, auth, 'books'), conflictId),
  );

  quarantineRoutes(app);
}

function conflictOf(p: ShopProjection, conflictId: string): Conflict {
  const found = listConflicts(p).find((x) => x.id === conflictId);
  if (!found) throw notFound('conflict');
  return found;
}

/** The event that resolves an open conflict. */
function resolution(p: ShopProjection, conflictId: string, body: Resolution): Draft {
  const conflict = conflictOf(p, conflictId);
  if (conflict.status !== 'open')
    throw new ApiError('conflict', `the conflict is already ${conflict.status}`);
  const productId = (): string => {
    if (!conflict.productId)
      throw invalid(['body', 'action'], `a ${conflict.kind} conflict has no product`);
    return conflict.productId;
  };
  switch (body.action) {
    case 'recount': {
      const id = productId();
      return draft('v1.StockCounted', {
        productId: id,
        countedQty: body.countedQty,
        rateBps: itcRate(p, id),
        resolves: [conflictId],
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
    }
    case 'write-off': {
      const id = productId();
      return draft('v1.StockAdjusted', {
        productId: id,
        qtyDelta: -body.qty,
        reason: body.reason,
        rateBps: itcRate(p, id),
        resolves: [conflictId],
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
    }
    case 'set-price': {
      if (conflict.kind !== 'price-edit')
        throw invalid(['body', 'action'], 'set-price resolves a concurrent price edit only');
      const id = productId();
      const mrp = body.mrp ?? p.products.get(id)?.get('mrp') ?? 0;
      if (mrp > 0 && body.sellingPrice > mrp)
        throw invalid(['body', 'sellingPrice'], 'the selling price is above MRP');
      // Basing the new price on the winning edit is what marks the conflict resolved.
      const winnerId = conflict.eventIds.at(-1);
      const winner = p.priceEdits.get(id)?.find((e) => e.eventId === winnerId);
      return draft('v1.PriceChanged', {
        productId: id,
        sellingPrice: body.sellingPrice,
        ...(body.mrp !== undefined ? { mrp: body.mrp } : {}),
        basedOn: winner?.hlc ?? null,
      });
    }
    case 'acknowledge':
      return draft('v1.ConflictAcknowledged', { conflictId, note: body.note });
  }
}
