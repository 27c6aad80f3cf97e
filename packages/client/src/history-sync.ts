/**
 * Pulling the shop's log into the till's history (`history.ts`), by checkpoint as the protocol
 * says (docs/protocol.md): pages strictly after the newest position held, a short page means caught
 * up, the live stream wakes the pull and carries new events while connected, `RESYNC` on every
 * reconnection pulls whatever was missed.
 *
 * A fresh till (nothing stored at all) first asks for the server's snapshot: the projection seed
 * and the position it summarises. It sells from the seed at once, pulls forward from that position,
 * and fills in the history before it in the background. Once every position from the first is
 * held, the till folds the whole history and leaves the seed behind.
 *
 * One loop per till (the leader tab); every write goes through one queue, so what is held is never
 * stale when a page is stored.
 */
import { projectionSeedSchema, type ProjectionSeed } from '@smartkirana/domain/projection-seed';
import {
  forwardTo,
  missing,
  PAGE_EVENTS,
  type Coverage,
  type History,
  type LogPage,
} from './history.ts';
import type { Checkpoint, PullResponse, Transport } from './transport.ts';

export interface HistorySyncOptions {
  history: History;
  transport: Transport;
  /** What the history holds at start, for the log the till last pulled from (if any). */
  held: Coverage | undefined;
  /** Nothing at all is stored: start from the server's snapshot. */
  fresh: boolean;
  /** A seed to sell from, with the position it summarises (a fresh till's first answer). */
  onSeed(seed: ProjectionSeed, at: number, log: string): Promise<void> | void;
  /** Events newly stored; `backfill` when they lie before the seed's position. */
  onPage(page: LogPage, backfill: boolean): Promise<void> | void;
  /** Every position of `log` from the first up to the newest pulled is held. */
  onComplete(log: string): void;
  /** The server's log is not the one pulled from before (a restore, another server). */
  onLogChanged(log: string): void;
  /** Progress: positions held and the shop's newest. */
  onProgress(held: number, head: number): void;
  /** A request succeeded or failed (for the sync indicator). */
  onOk(): void;
  onError(err: unknown): void;
}

/** Live events are stored once this many wait, or this long after the first of them came. */
const LIVE_BATCH = 256;
const LIVE_DELAY_MS = 400;

export class HistorySync {
  readonly #o: HistorySyncOptions;
  #held: Coverage | undefined;
  #head = 0;
  #queue: Promise<void> = Promise.resolve();
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #complete = false;
  /**
   * Live pages folded but not stored yet. The stream's pages are stored a few at a time, not one
   * write each: fewer writes for IndexedDB to queue in front of the counter's own. Lost in a crash,
   * they are simply pulled again (what is held is read from the stored chunks).
   */
  #live: LogPage[] = [];
  #liveEvents = 0;
  /** Live events handed to the store and not written yet, and the newest position among them. */
  #storing = 0;
  #storingTo = 0;
  #stored: Promise<void> = Promise.resolve();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: HistorySyncOptions) {
    this.#o = opts;
    this.#held = opts.held;
  }

  /** Where the live stream should start: the newest position held without a gap. */
  get checkpoint(): Checkpoint {
    const held = this.#held;
    if (!held) return { seq: 0 };
    const folded = Math.max(this.#live.at(-1)?.to ?? 0, this.#storingTo);
    return { seq: Math.max(forwardTo(held), folded), log: held.log };
  }

  /** Pull until caught up, then fill in what is missing. Coalesces overlapping calls. */
  sync(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = async (): Promise<void> => {
      try {
        // A gap or reconnection noticed meanwhile (even during the backfill) means another round.
        do {
          this.#again = false;
          await this.#forward();
          if (!this.#wantsAgain()) await this.#backfill();
        } while (this.#wantsAgain());
      } finally {
        this.#running = undefined;
      }
    };
    this.#running = run();
    return this.#running;
  }

  /** A page from the live stream: stored if it continues what is held, else the gap is pulled. */
  async live(page: PullResponse, json: string): Promise<void> {
    const held = this.#held;
    const log = page.checkpoint.log;
    const to = page.checkpoint.seq;
    const from = to - page.documents.length + 1;
    const next = this.checkpoint.seq + 1;
    if (!held || log === undefined || log !== held.log || from > next) {
      void this.sync().catch((err: unknown) => this.#o.onError(err));
      return;
    }
    this.#head = Math.max(this.#head, to);
    if (to < next) return;
    const events = from < next ? page.documents.slice(next - from) : page.documents;
    const fresh: LogPage = {
      log,
      from: next,
      to,
      events,
      json: from < next ? JSON.stringify(events) : json,
    };
    this.#live.push(fresh);
    this.#liveEvents += events.length;
    await this.#o.onPage(fresh, false);
    this.#progress();
    if (this.#liveEvents >= LIVE_BATCH) this.#flushSoon(0);
    else this.#flushSoon(LIVE_DELAY_MS);
  }

  /** Store the live pages folded so far; resolves once every live page handed over is written. */
  async flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const pages = this.#live;
    const first = pages[0];
    const last = pages.at(-1);
    if (first && last) {
      const count = this.#liveEvents;
      this.#live = [];
      this.#liveEvents = 0;
      this.#storing += count;
      this.#storingTo = Math.max(this.#storingTo, last.to);
      const page: LogPage = {
        log: first.log,
        from: first.from,
        to: last.to,
        events: pages.flatMap((p) => p.events),
        json: `[${pages.map((p) => p.json.slice(1, -1)).join(',')}]`,
      };
      let settled = false;
      const settle = (): void => {
        // Written, or given up (the till closing): either way the stored chunks say what is held.
        if (settled) return;
        settled = true;
        this.#storing -= count;
        if (this.#storing === 0) this.#storingTo = 0;
      };
      const stored = this.#store(page, false, settle).finally(settle);
      this.#stored = stored.catch(() => undefined);
      await stored;
    } else await this.#stored;
  }

  #flushSoon(ms: number): void {
    if (ms > 0 && this.#flushTimer !== undefined) return;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.flush().catch((err: unknown) => {
        if (!this.#stopped) this.#o.onError(err);
      });
    }, ms);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#flushTimer);
  }

  /** Another sync was asked for while one ran (read through a method: it changes across awaits). */
  #wantsAgain(): boolean {
    return this.#again && !this.#stopped;
  }

  async #forward(): Promise<void> {
    if (!this.#held && this.#o.fresh && (await this.#startFromSnapshot())) return this.#forward();
    for (;;) {
      if (this.#stopped) return;
      const after = this.checkpoint;
      const { page, json } = await this.#pull(after, PAGE_EVENTS);
      const log = page.checkpoint.log ?? '';
      // The server numbers another log: start over from its first position.
      const restarted = after.log !== undefined && log !== after.log;
      if (!this.#held || restarted) {
        this.#held = { log, runs: [], seedAt: undefined };
        if (restarted) this.#o.onLogChanged(log);
      }
      const from = restarted || after.log === undefined ? 1 : after.seq + 1;
      const to = page.checkpoint.seq;
      if (page.documents.length > 0)
        await this.#store({ log, from, to, events: page.documents, json }, false);
      else this.#progress();
      if (!page.hasMore) return;
    }
  }

  async #backfill(): Promise<void> {
    for (;;) {
      const held = this.#held;
      if (!held || this.#stopped) return;
      const gap = missing(held, forwardTo(held))[0];
      if (!gap) {
        if (!this.#complete) {
          this.#complete = true;
          this.#o.onComplete(held.log);
        }
        return;
      }
      const [from, to] = gap;
      const { page, json } = await this.#pull(
        { seq: from - 1, log: held.log },
        Math.min(PAGE_EVENTS, to - from + 1),
      );
      // The log changed under the backfill: the next forward pull starts over.
      if (page.checkpoint.log !== held.log) {
        this.#again = true;
        return;
      }
      if (page.documents.length === 0) return;
      const pageTo = from + page.documents.length - 1;
      await this.#store(
        { log: held.log, from, to: pageTo, events: page.documents, json },
        held.seedAt !== undefined && pageTo <= held.seedAt,
      );
    }
  }

  /** A fresh till's start: the seed and its position. False if the server has none to give. */
  async #startFromSnapshot(): Promise<boolean> {
    let answer: { checkpoint: Checkpoint; head: number; seed: unknown } | undefined;
    try {
      answer = await this.#o.transport.snapshot();
    } catch (err) {
      // An older server without snapshots (404): pull the whole history instead.
      if ((err as { status?: number }).status === 404) return false;
      throw err;
    }
    this.#o.onOk();
    const log = answer.checkpoint.log;
    const parsed = projectionSeedSchema.safeParse(answer.seed);
    if (log === undefined || !parsed.success) return false;
    const at = answer.checkpoint.seq;
    await this.#enqueue(async () => {
      await this.#o.history.putSeed(log, at, JSON.stringify(answer.seed));
      this.#held = { log, runs: [], seedAt: at };
    });
    this.#head = Math.max(this.#head, answer.head);
    await this.#o.onSeed(parsed.data, at, log);
    this.#progress();
    return true;
  }

  async #pull(after: Checkpoint, limit: number): Promise<{ page: PullResponse; json: string }> {
    try {
      const answer = await this.#o.transport.pullText(after, limit);
      this.#o.onOk();
      this.#head = Math.max(this.#head, answer.page.head ?? 0, answer.page.checkpoint.seq);
      return answer;
    } catch (err) {
      this.#o.onError(err);
      throw err;
    }
  }

  /**
   * Store a page; then hand it on, unless it was folded already (live pages: `written` is called
   * instead, once what is held includes them).
   */
  async #store(page: LogPage, backfill: boolean, written?: () => void): Promise<void> {
    await this.#enqueue(async () => {
      const held = this.#held;
      if (!held || held.log !== page.log) return;
      const fresh = await this.#o.history.add(page, held);
      if (!fresh) return;
      this.#held = {
        ...held,
        runs: mergeRun(held.runs, [fresh.from, fresh.to]),
      };
      if (written) written();
      else await this.#o.onPage(fresh, backfill);
      this.#progress();
    });
  }

  #enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #progress(): void {
    const held = this.#held;
    const stored = held ? held.runs.reduce((n, [a, b]) => n + b - a + 1, 0) : 0;
    const count = stored + this.#liveEvents + this.#storing;
    this.#o.onProgress(count, Math.max(this.#head, count));
  }
}

function mergeRun(runs: readonly [number, number][], run: [number, number]): [number, number][] {
  const all = [...runs, run].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of all) {
    const last = out.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}
