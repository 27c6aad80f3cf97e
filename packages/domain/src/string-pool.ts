/**
 * One copy of the strings events repeat. A projection keeps every sale, return and receipt it
 * folds, and an event parsed from JSON holds its own copy of every string in it: the shop, device
 * and cashier ids on each event, the product id and name on each line. Swapping those for one
 * shared copy saves about a third of what a stored sale costs in memory (`docs/benchmarks.md`).
 *
 * Only the values of the fields below are pooled (ids, names and codes that recur); unique values
 * (event ids, clocks, invoice numbers) never are, and the pool stops growing at `MAX_POOLED` so no
 * sender can make it grow without bound. The swap is in place and changes no value: only events
 * the caller has just parsed itself are passed here, never objects someone else may have frozen.
 */
import type { DomainEvent } from './events.ts';

const ENVELOPE_FIELDS = ['shopId', 'deviceId', 'actorId', 'type'] as const;
const PAYLOAD_FIELDS = [
  'documentType',
  'supply',
  'placeOfSupply',
  'businessDay',
  'customerId',
  'supplierId',
  'productId',
] as const;
const LINE_FIELDS = ['productId', 'name', 'hsn', 'unit'] as const;

/** Longest string pooled: the ids are 36 characters, names rarely longer. */
const MAX_LENGTH = 80;
/** Distinct strings held at most (a few MiB). */
export const MAX_POOLED = 100_000;

export class StringPool {
  readonly #strings = new Map<string, string>();

  /** The pooled copy of `s`, pooling it if there is room. */
  intern(s: string): string {
    if (s.length > MAX_LENGTH) return s;
    const pooled = this.#strings.get(s);
    if (pooled !== undefined) return pooled;
    if (this.#strings.size < MAX_POOLED) this.#strings.set(s, s);
    return s;
  }

  get size(): number {
    return this.#strings.size;
  }

  /**
   * Swap the recurring strings of an event for their pooled copies: the envelope's shop, device,
   * actor and type, the payload's codes, and on each line (sales, returns, receipts) the product's
   * id, name, HSN and unit.
   */
  internEvent<E extends DomainEvent>(e: E): E {
    // Shapes are checked as they are read: events parsed from a server's page are not validated
    // again, and a malformed one passes through unchanged.
    if ((e as unknown) === null || typeof e !== 'object') return e;
    const w = e as unknown as Record<string, unknown>;
    for (const key of ENVELOPE_FIELDS) {
      const v = w[key];
      if (typeof v === 'string') w[key] = this.intern(v);
    }
    const payload = w.payload;
    if (payload === null || typeof payload !== 'object') return e;
    const p = payload as Record<string, unknown>;
    for (const key of PAYLOAD_FIELDS) {
      const v = p[key];
      if (typeof v === 'string') p[key] = this.intern(v);
    }
    const lines = p.lines;
    if (Array.isArray(lines))
      for (const line of lines as unknown[]) {
        if (line === null || typeof line !== 'object') continue;
        const l = line as Record<string, unknown>;
        for (const key of LINE_FIELDS) {
          const v = l[key];
          if (typeof v === 'string') l[key] = this.intern(v);
        }
      }
    return e;
  }
}
