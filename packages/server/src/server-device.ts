/**
 * Events the server records itself, for REST writes and shop set-up. The server acts through its
 * own device of the shop (code S01): its sequence, hybrid clock and invoice series are allocated
 * inside the shop's lock, and its clock moves past every event the shop has seen, so a server
 * write always orders after what the caller could have seen.
 */
import {
  decodeEvent,
  type DomainEvent,
  type EventOfType,
  type EventType,
  type PayloadOf,
} from '@smartkirana/domain/events';
import { ApiError } from './errors.ts';
import {
  decodeHlc,
  encodeHlc,
  HLC_ZERO,
  receiveHlc,
  tickHlc,
  type Hlc,
} from '@smartkirana/domain/hlc';
import { newId } from '@smartkirana/domain/ids';
import { financialYear } from '@smartkirana/domain/calendar';
import { allocateNumber, seriesPrefix, type SeriesKind } from '@smartkirana/domain/invoice-series';
import type { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { Transaction } from 'kysely';
import type { Database } from './db/schema.ts';
import type { BuildContext } from './ingest.ts';

/** A device of the shop that the server writes as, inside one ingest transaction. */
export class ServerWriter {
  readonly #ctx: BuildContext;
  readonly shopId: string;
  readonly deviceId: string;
  readonly deviceCode: string;
  readonly actorId: string;
  #seq = 0;
  #hlc: Hlc = HLC_ZERO;
  readonly #out: DomainEvent[] = [];

  private constructor(
    ctx: BuildContext,
    shopId: string,
    deviceId: string,
    deviceCode: string,
    actorId: string,
  ) {
    this.#ctx = ctx;
    this.shopId = shopId;
    this.deviceId = deviceId;
    this.deviceCode = deviceCode;
    this.actorId = actorId;
  }

  /** Open a writer for the shop's server device, acting for `actorId`. */
  static async open(ctx: BuildContext, shopId: string, actorId: string): Promise<ServerWriter> {
    const shop = await ctx.trx
      .selectFrom('shops')
      .select(['server_device_id'])
      .where('id', '=', shopId)
      .executeTakeFirstOrThrow();
    const device = await ctx.trx
      .selectFrom('devices')
      .select(['code'])
      .where('id', '=', shop.server_device_id)
      .executeTakeFirst();
    const writer = new ServerWriter(
      ctx,
      shopId,
      shop.server_device_id,
      device?.code ?? 'S01',
      actorId,
    );
    const last = await ctx.trx
      .selectFrom('events')
      .select(['device_seq', 'hlc'])
      .where('device_id', '=', shop.server_device_id)
      .orderBy('device_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const quarantined = await ctx.trx
      .selectFrom('quarantine')
      .select((eb) => eb.fn.max('device_seq').as('max'))
      .where('device_id', '=', shop.server_device_id)
      .executeTakeFirst();
    writer.#seq = Math.max(last?.device_seq ?? 0, quarantined?.max ?? 0);
    writer.#hlc = last ? decodeHlc(last.hlc) : HLC_ZERO;
    const seen = ctx.projection.maxKey.slice(0, ctx.projection.maxKey.indexOf('|'));
    if (seen) writer.#hlc = receiveHlc(writer.#hlc, decodeHlc(seen), Date.now());
    return writer;
  }

  /** Record an event (returned, and kept for the ingest). */
  emit<T extends EventType>(type: T, payload: PayloadOf<T>): EventOfType<T> {
    const now = Date.now();
    this.#hlc = tickHlc(this.#hlc, now);
    this.#seq += 1;
    const event = {
      id: newId({ msecs: now }),
      shopId: this.shopId,
      deviceId: this.deviceId,
      deviceSeq: this.#seq,
      hlc: encodeHlc(this.#hlc),
      actorId: this.actorId,
      at: now,
      type,
      payload,
    } as EventOfType<T>;
    // Never store what the log could not decode again: a builder bug is a 422 here, not a broken shop.
    const decoded = decodeEvent(event);
    if (!decoded.ok)
      throw new ApiError('validation_failed', `${type} is not valid`, {
        issues: decoded.issues.slice(0, 5),
      });
    this.#out.push(event);
    return event;
  }

  /** Allocate the next number of the server device's invoice or credit-note series. */
  async allocate(kind: SeriesKind, date: string): Promise<string> {
    const trx: Transaction<Database> = this.#ctx.trx;
    const row = await trx
      .selectFrom('device_counters')
      .select(['fy', 'last'])
      .where('device_id', '=', this.deviceId)
      .where('series', '=', kind)
      .executeTakeFirst();
    // Never behind the numbers the log already holds for this series: after a restore from a
    // backup the stored counter is older than what this device issued and the upstream sent back.
    const fy = financialYear(date);
    const issued = this.#ctx.projection.series.get(`${seriesPrefix(this.deviceCode, kind)}/${fy}`);
    let highest = 0;
    for (const n of issued?.keys() ?? []) highest = Math.max(highest, n);
    const stored = row ? { fy: row.fy, last: row.last } : undefined;
    const base =
      highest > 0 && (!stored || stored.fy < fy || (stored.fy === fy && stored.last < highest))
        ? { fy, last: highest }
        : stored;
    const { number, counter } = allocateNumber(base, this.deviceCode, kind, date);
    await trx
      .insertInto('device_counters')
      .values({ device_id: this.deviceId, series: kind, fy: counter.fy, last: counter.last })
      .onConflict((oc) =>
        oc.columns(['device_id', 'series']).doUpdateSet({ fy: counter.fy, last: counter.last }),
      )
      .execute();
    return number;
  }

  /** The shop's projection, caught up inside the lock: checks made on it cannot race a write. */
  get projection(): ShopProjection {
    return this.#ctx.projection;
  }

  /** Everything emitted so far. */
  get events(): readonly DomainEvent[] {
    return this.#out;
  }
}
