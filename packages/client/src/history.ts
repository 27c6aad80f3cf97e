/**
 * The till's copy of the shop's log, in chunks: each document of the `history` collection holds a
 * run of consecutive log positions as the server's own JSON text, not one record per event. A pull
 * page is stored as it came, in one write; live events are appended to the newest chunk while it
 * is small. A fresh till may also hold the server's projection seed (`projection-seed.ts`): it sells
 * from that while the history before the seed's position is filled in behind it.
 *
 * Why chunks: per-event records cost a till most of its first sync (every record cloned, indexed
 * and wrapped in RxDB's bookkeeping); the history is append-only and immutable, so a till never
 * needs to find or change one event of it in storage. (docs/decisions/0004-history-in-chunks.md)
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import type { RxCollection } from 'rxdb';
import type { HistoryDoc } from './schema.ts';
import { pooled } from './parsed-events.ts';

/** Events per chunk from a pull page (the server's largest page). */
export const PAGE_EVENTS = 5000;
/**
 * Live events are appended to the newest chunk until it holds this many (each append rewrites the
 * chunk, so it stays small; a page of more becomes a chunk of its own).
 */
export const TAIL_EVENTS = 64;

/** A run of consecutive log positions and their events, with the JSON text they came as. */
export interface LogPage {
  log: string;
  /** Positions `from` … `to` of the log (gapless: `to - from + 1` events). */
  from: number;
  to: number;
  events: DomainEvent[];
  /** `events` as a JSON array, exactly as the server sent it. */
  json: string;
}

/** What the history of one log covers. */
export interface Coverage {
  log: string;
  /** Sorted, disjoint, merged runs of positions held. */
  runs: [from: number, to: number][];
  /** The seed's position, if the till started from one. */
  seedAt: number | undefined;
}

export class History {
  readonly #docs: RxCollection<HistoryDoc>;
  /**
   * The chunk this till wrote last: the one live events are appended to. Kept here rather than
   * queried for, since a query per live event would also keep each result in RxDB's query cache.
   */
  #tail: HistoryDoc | undefined;

  constructor(docs: RxCollection<HistoryDoc>) {
    this.#docs = docs;
  }

  /** Every chunk and the seed, in log order (the seed, if any, first). */
  async all(): Promise<HistoryDoc[]> {
    const docs = await this.#docs.find().exec();
    return docs.map((d) => d.toMutableJSON()).sort(byPosition);
  }

  /** What the stored chunks of `log` cover. */
  async coverage(log: string): Promise<Coverage> {
    return coverageOf(log, await this.all());
  }

  /** Keep the seed a fresh till starts from (one per log). */
  async putSeed(log: string, at: number, json: string): Promise<void> {
    await this.#docs.upsert({
      id: seedId(log),
      log,
      kind: 'seed',
      from: 0,
      to: at,
      count: 0,
      body: json,
    });
  }

  /**
   * Store a page. The part of it already held is dropped; a short page continuing the newest chunk
   * is appended to it, anything else becomes a chunk of its own. Returns the events newly stored.
   */
  async add(page: LogPage, held: Coverage): Promise<LogPage | undefined> {
    const fresh = uncovered(page, held);
    if (!fresh) return undefined;
    const tail =
      held.runs.length > 0 ? await this.#tailEnding(fresh.log, fresh.from - 1) : undefined;
    let doc: HistoryDoc;
    if (tail && tail.count + (fresh.to - fresh.from + 1) <= TAIL_EVENTS) {
      doc = {
        ...tail,
        to: fresh.to,
        count: tail.count + fresh.events.length,
        body: joinArrays(tail.body, fresh.json),
      };
      await this.#docs.upsert(doc);
    } else {
      doc = {
        id: chunkId(fresh.log, fresh.from),
        log: fresh.log,
        kind: 'events',
        from: fresh.from,
        to: fresh.to,
        count: fresh.events.length,
        body: fresh.json,
      };
      await this.#docs.insert(doc);
    }
    this.#tail = doc;
    return fresh;
  }

  /** Drop every chunk and seed of logs other than `log` (after a restore or a move, once caught up). */
  async dropOtherLogs(log: string): Promise<void> {
    const others = await this.#docs.find({ selector: { log: { $ne: log } } }).exec();
    if (others.length > 0) await this.#docs.bulkRemove(others.map((d) => d.id));
  }

  async #tailEnding(log: string, to: number): Promise<HistoryDoc | undefined> {
    const tail = this.#tail;
    if (tail && tail.log === log && tail.to === to) return tail;
    const doc = await this.#docs.findOne({ selector: { log, kind: 'events', to } }).exec();
    return doc ? doc.toMutableJSON() : undefined;
  }
}

/** The events of a stored chunk. */
export function chunkEvents(doc: HistoryDoc): DomainEvent[] {
  return doc.kind === 'events' ? pooled(JSON.parse(doc.body) as DomainEvent[]) : [];
}

/** What the chunks of `log` among `docs` cover. */
export function coverageOf(log: string, docs: readonly HistoryDoc[]): Coverage {
  const ranges = docs
    .filter((d) => d.log === log && d.kind === 'events')
    .map((d): [number, number] => [d.from, d.to])
    .sort((a, b) => a[0] - b[0]);
  const runs: [number, number][] = [];
  for (const [from, to] of ranges) {
    const last = runs.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else runs.push([from, to]);
  }
  const seed = docs.find((d) => d.log === log && d.kind === 'seed');
  return { log, runs, seedAt: seed?.to };
}

/** The highest position held without a gap from the start (or from the seed's position). */
export function contiguousTo(c: Coverage): number {
  let to = 0;
  for (const [from, end] of c.runs) {
    if (from > to + 1) break;
    to = Math.max(to, end);
  }
  return to;
}

/** The newest position held after the seed (or from the start), with no gap: where to pull on. */
export function forwardTo(c: Coverage): number {
  const start = c.seedAt ?? 0;
  let to = start;
  for (const [from, end] of c.runs) {
    if (end <= to) continue;
    if (from > to + 1) break;
    to = end;
  }
  return to;
}

/** Runs of positions up to `upTo` not held: what a backfill still has to fetch. */
export function missing(c: Coverage, upTo: number): [from: number, to: number][] {
  const out: [number, number][] = [];
  let next = 1;
  for (const [from, to] of c.runs) {
    if (from > upTo) break;
    if (from > next) out.push([next, Math.min(from - 1, upTo)]);
    next = Math.max(next, to + 1);
  }
  if (next <= upTo) out.push([next, upTo]);
  return out;
}

/** The part of a page not yet held (pages only ever overlap what is held at their start or end). */
function uncovered(page: LogPage, held: Coverage): LogPage | undefined {
  if (page.log !== held.log || page.events.length === 0)
    return page.events.length ? page : undefined;
  let from = page.from;
  let to = page.to;
  for (const [a, b] of held.runs) {
    if (a <= from && from <= b) from = b + 1;
    if (a <= to && to <= b) to = a - 1;
  }
  if (from > to) return undefined;
  if (from === page.from && to === page.to) return page;
  const events = page.events.slice(from - page.from, to - page.from + 1);
  return { log: page.log, from, to, events, json: JSON.stringify(events) };
}

/** Two JSON arrays as one, without parsing either. */
function joinArrays(a: string, b: string): string {
  if (a === '[]') return b;
  if (b === '[]') return a;
  return `${a.slice(0, -1)},${b.slice(1)}`;
}

function chunkId(log: string, from: number): string {
  return `${log}/${String(from).padStart(15, '0')}`;
}

function seedId(log: string): string {
  return `${log}/seed`;
}

function byPosition(a: HistoryDoc, b: HistoryDoc): number {
  if (a.log !== b.log) return a.log < b.log ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'seed' ? -1 : 1;
  return a.from - b.from;
}
