/**
 * Pages of a shop's log as JSON text, shared by every pull and live stream of the server.
 *
 * The log is append-only and gapless, so the events after position `after` up to position `to`
 * never change once committed: a page is named by `(shop, after, to)` and its text can be kept and
 * served again. When twenty tills reconnect together they ask for the same pages, and every live
 * stream of a shop reads the same new events after each commit; each page is now read from the
 * database and joined once. The newest committed position is read first (one indexed row), so a
 * page never runs past what is committed, on any instance.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface LogPage {
  /** The page's events as a JSON array, from their stored bodies. */
  documents: string;
  /** The last position in the page (`after` when it is empty). */
  to: number;
  count: number;
  /** The shop's newest position when the page was read. */
  head: number;
}

/** Text kept at most, in UTF-16 code units (about twice as many bytes). */
const MAX_UNITS = 16 * 2 ** 20;

export class LogPages {
  readonly #pages = new Map<string, string>();
  #units = 0;

  /** Up to `limit` events of the shop's log after `after`. */
  async read(db: Kysely<Database>, shopId: string, after: number, limit: number): Promise<LogPage> {
    const shop = await db
      .selectFrom('shops')
      .select('seq')
      .where('id', '=', shopId)
      .executeTakeFirst();
    const head = shop?.seq ?? 0;
    const to = Math.min(head, after + limit);
    if (to <= after) return { documents: '[]', to: after, count: 0, head };
    const key = `${shopId}:${after}:${to}`;
    const kept = this.#pages.get(key);
    if (kept !== undefined) {
      // Most recently used last.
      this.#pages.delete(key);
      this.#pages.set(key, kept);
      return { documents: kept, to, count: to - after, head };
    }
    const rows = await db
      .selectFrom('events')
      .select('body')
      .where('shop_id', '=', shopId)
      .where('seq', '>', after)
      .where('seq', '<=', to)
      .orderBy('seq')
      .execute();
    const documents = `[${rows.map((r) => r.body).join(',')}]`;
    // Gapless: anything else is a log this page must not be remembered for.
    if (rows.length === to - after) this.#keep(key, documents);
    return { documents, to: after + rows.length, count: rows.length, head };
  }

  #keep(key: string, text: string): void {
    if (text.length > MAX_UNITS / 4) return;
    this.#pages.set(key, text);
    this.#units += text.length;
    for (const [old, value] of this.#pages) {
      if (this.#units <= MAX_UNITS) break;
      this.#pages.delete(old);
      this.#units -= value.length;
    }
  }
}

const shared = new WeakMap<object, LogPages>();

/** The page store of a database handle (one per server process and database). */
export function logPages(db: object): LogPages {
  let pages = shared.get(db);
  if (!pages) {
    pages = new LogPages();
    shared.set(db, pages);
  }
  return pages;
}
