/**
 * Folding the events that reach the till from the server into its projection. A backlog arrives
 * as many bulks (a page per pull, a page per push of every other till), and a stock timeline
 * re-folds from its earliest newly inserted movement on every fold: folded bulk by bulk, a
 * backlog that interleaves with the history (other tills' offline sales) costs time in proportion
 * to bulks × history. So bulks that arrive soon after the last fold wait and fold together: up to
 * `windowMs`, or three times as long as the last fold took, whichever is longer, so folding a
 * backlog takes at most about a quarter of the till's time and the folds grow with it. A bulk
 * after a quiet spell folds at once, so a live sale shows without delay.
 */
import type { DomainEvent } from '@smartkirana/domain/events';

export class IncomingFolds {
  readonly #fold: (events: DomainEvent[]) => void;
  readonly #windowMs: number;
  #pending: DomainEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFold = Number.NEGATIVE_INFINITY;
  /** How long the last fold took. */
  #lastCost = 0;

  /** `fold` receives every waiting event at once; duplicates are its to skip. */
  constructor(fold: (events: DomainEvent[]) => void, windowMs = 50) {
    this.#fold = fold;
    this.#windowMs = windowMs;
  }

  /** Events written into the replica by replication. */
  add(events: readonly DomainEvent[]): void {
    for (const e of events) this.#pending.push(e);
    if (this.#timer) return;
    const wait = this.#lastFold + Math.max(this.#windowMs, 3 * this.#lastCost) - performance.now();
    if (wait <= 0) this.flush();
    else this.#timer = setTimeout(() => this.flush(), wait);
  }

  /** Fold whatever waits now (before reading the projection after a sync). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const events = this.#pending;
    this.#pending = [];
    const started = performance.now();
    if (events.length > 0) this.#fold(events);
    this.#lastFold = performance.now();
    this.#lastCost = events.length > 0 ? this.#lastFold - started : 0;
  }

  /** Drop what waits (the till is closing; the replica keeps the events for the next open). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
  }
}
