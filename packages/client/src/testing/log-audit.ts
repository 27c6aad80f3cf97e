/**
 * Reading a server's database after faults: is the shop's log exactly once and gapless, is every
 * acknowledged event in it, do the derived books equal a rebuild from the log, and do the tills'
 * document series have no gaps. Works on a live server's handle or on the database of a killed one.
 */
import { parseInvoiceNumber, seriesGaps } from '@smartkirana/domain/invoice-series';
import {
  snapshotProjection,
  type ProjectionSnapshot,
} from '@smartkirana/domain/projection-snapshot';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import type { Db } from '@smartkirana/server/db/connect';
import { readDerived, rewriteDerived } from '@smartkirana/server/derived-store';
import { readEvents } from '@smartkirana/server/projections';

export interface LogAudit {
  /** Rows in the shop's log. */
  events: number;
  ids: Set<string>;
  /** Rows beyond the distinct ids and distinct (device, device sequence) pairs: must be 0. */
  duplicated: number;
  /** Sequence numbers missing from 1..head, and the shop's recorded head. */
  gaps: number[];
  head: number;
  /** Event ids per device, in log order. */
  byDevice: Map<string, string[]>;
  /** Events held in quarantine for the shop. */
  quarantined: number;
}

/** Audit the shop's log. */
export async function auditLog(db: Handle, shopId: string): Promise<LogAudit> {
  const rows = await db
    .selectFrom('events')
    .select(['id', 'seq', 'device_id', 'device_seq'])
    .where('shop_id', '=', shopId)
    .orderBy('seq')
    .execute();
  const ids = new Set(rows.map((r) => r.id));
  const pairs = new Set(rows.map((r) => `${r.device_id}|${r.device_seq}`));
  const byDevice = new Map<string, string[]>();
  for (const r of rows) byDevice.set(r.device_id, [...(byDevice.get(r.device_id) ?? []), r.id]);
  const shop = await db
    .selectFrom('shops')
    .select('seq')
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow();
  const held = await db
    .selectFrom('quarantine')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('shop_id', '=', shopId)
    .executeTakeFirstOrThrow();
  const seqs = rows.map((r) => r.seq);
  const gaps = seriesGaps(seqs);
  // The head must be the last sequence: nothing numbered beyond the rows.
  for (let s = (seqs.at(-1) ?? 0) + 1; s <= shop.seq; s++) gaps.push(s);
  return {
    events: rows.length,
    ids,
    duplicated: rows.length - Math.min(ids.size, pairs.size),
    gaps,
    head: shop.seq,
    byDevice,
    quarantined: Number(held.n),
  };
}

/**
 * The derived rows as stored, and as a rebuild from the log would write them. The rebuild runs in a
 * transaction that is rolled back, so the database is left as found (use it on a stopped server).
 */
export async function derivedAndRebuilt(db: Handle, shopId: string) {
  let out: { derived: Derived; rebuilt: Derived } | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      const derived = await readDerived(trx, shopId);
      await rewriteDerived(trx, shopId, await foldLog(trx, shopId));
      out = { derived, rebuilt: await readDerived(trx, shopId) };
      throw new RolledBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RolledBack)) throw err;
    });
  if (!out) throw new Error('the rebuild did not run');
  return out;
}

/** The projection snapshot of the shop's whole log, folded afresh. */
export async function logSnapshot(db: Handle, shopId: string): Promise<ProjectionSnapshot> {
  return snapshotProjection(await foldLog(db, shopId));
}

/**
 * Problems with document numbers (`T01/2526/000001`): numbers used twice, and gaps in any series
 * (per prefix and financial year). Empty when every series is unique and gapless.
 */
export function seriesProblems(numbers: readonly string[]): string[] {
  const series = new Map<string, number[]>();
  const problems: string[] = [];
  for (const n of numbers) {
    const parsed = parseInvoiceNumber(n);
    if (!parsed) {
      problems.push(`${n} is not a document number`);
      continue;
    }
    const key = `${parsed.prefix}/${parsed.fy}`;
    series.set(key, [...(series.get(key) ?? []), parsed.seq]);
  }
  for (const [key, seqs] of series) {
    if (new Set(seqs).size !== seqs.length) problems.push(`${key}: a number is used twice`);
    const gaps = seriesGaps(seqs);
    if (gaps.length > 0) problems.push(`${key}: missing ${gaps.slice(0, 10).join(', ')}`);
  }
  return problems;
}

/** A server's database handle (`Db['db']`). */
type Handle = Db['db'];

type Derived = Awaited<ReturnType<typeof readDerived>>;

class RolledBack extends Error {}

async function foldLog(
  db: Parameters<typeof readEvents>[0],
  shopId: string,
): Promise<ShopProjection> {
  const projection = new ShopProjection();
  for (let after = 0; ;) {
    const page = await readEvents(db, shopId, after, 5000);
    if (page.length === 0) break;
    projection.apply(page.map((r) => r.event));
    after = page.at(-1)?.seq ?? after;
  }
  return projection;
}
