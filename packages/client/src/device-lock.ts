/**
 * One writer per till at a time. In the browser the Web Locks API serialises across every tab of
 * the origin, so two tabs of one till never allocate the same device sequence or invoice number;
 * elsewhere (Node tests, old browsers) an in-process queue does the same within the process.
 *
 * A writer keeps the lock between its appends rather than asking the browser for it on every
 * sale, and lets go as soon as another tab is waiting for it, when its page is hidden (a hidden
 * page's timers are throttled, so it could not notice a waiting tab quickly; it is not selling
 * either) and when it closes; a page that goes away loses its locks with it. While it has held the
 * lock throughout, nothing else can have written for the device, so the writer can trust what it
 * knows instead of reading the database again: `run` tells it so.
 */

/** How often a writer holding the lock between appends looks whether another tab waits for it. */
export const HANDOFF_POLL_MS = 200;

const queues = new Map<string, Promise<unknown>>();
/** In-process: the lock's last holder, while its last run ended well. */
const lastHolder = new Map<string, DeviceLock>();

export class DeviceLock {
  readonly #name: string;
  readonly #locks: LockManager | undefined;
  /** Runs of this writer, one after another. */
  #tail: Promise<unknown> = Promise.resolve();
  #busy = false;
  /** Set while this writer holds the Web Lock; calling it lets go. */
  #release: (() => void) | undefined;
  /** Whether every run since the lock was taken ended well (so what the writer knows holds). */
  #intact = false;
  #poll: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Let go once the run under way ends: the writer closed, or its page was hidden meanwhile. */
  #leaving = false;
  readonly #onVisibility = (): void => {
    if (!hidden()) return;
    if (this.#busy) this.#leaving = true;
    else this.#letGo();
  };

  constructor(name: string) {
    this.#name = name;
    this.#locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  }

  /**
   * Run `fn` holding the lock. `continued` is true when this writer has held the lock since its
   * previous run, which ended well: no other writer can have written in between.
   */
  run<T>(fn: (continued: boolean) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the device lock is closed'));
    const turn = this.#tail.then(() => (this.#locks ? this.#runHeld(fn) : this.#runQueued(fn)));
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  /** Let go of the lock (after the run under way, if any) and take no more runs. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
    this.#letGo();
    if (lastHolder.get(this.#name) === this) lastHolder.delete(this.#name);
  }

  async #runHeld<T>(fn: (continued: boolean) => Promise<T>): Promise<T> {
    this.#busy = true;
    try {
      const continued = this.#release !== undefined && this.#intact;
      if (!this.#release) await this.#take();
      this.#intact = false;
      const result = await fn(continued);
      this.#intact = true;
      return result;
    } finally {
      this.#busy = false;
      if (this.#closed || this.#leaving) this.#letGo();
    }
  }

  /** Ask the browser for the lock and keep it until `#letGo`. */
  async #take(): Promise<void> {
    const locks = this.#locks as LockManager;
    await new Promise<void>((taken, failed) => {
      locks
        .request(this.#name, { mode: 'exclusive' }, () => {
          taken();
          return new Promise<void>((release) => (this.#release = release));
        })
        .catch(failed);
    });
    this.#intact = true;
    this.#leaving = hidden();
    pageDocument()?.addEventListener('visibilitychange', this.#onVisibility);
    this.#poll = setInterval(() => void this.#handOffIfWanted(), HANDOFF_POLL_MS);
  }

  /** Between runs, give the lock up if another tab (or another writer in this one) waits for it. */
  async #handOffIfWanted(): Promise<void> {
    if (this.#busy || !this.#release || !this.#locks) return;
    const state = await this.#locks.query().catch(() => undefined);
    const wanted = state?.pending?.some((l) => l.name === this.#name) ?? false;
    // A run may have started while the query was answered; it keeps the lock.
    if (wanted && !this.#isBusy()) this.#letGo();
  }

  /** Read through a function: the flag changes across awaits, which the compiler cannot see. */
  #isBusy(): boolean {
    return this.#busy;
  }

  #letGo(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
    pageDocument()?.removeEventListener('visibilitychange', this.#onVisibility);
    this.#leaving = false;
    const release = this.#release;
    this.#release = undefined;
    this.#intact = false;
    release?.();
  }

  async #runQueued<T>(fn: (continued: boolean) => Promise<T>): Promise<T> {
    const name = this.#name;
    const previous = queues.get(name) ?? Promise.resolve();
    const run = previous.then(async () => {
      const continued = lastHolder.get(name) === this;
      lastHolder.delete(name);
      const result = await fn(continued);
      lastHolder.set(name, this);
      return result;
    });
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(name, tail);
    try {
      return await run;
    } finally {
      if (queues.get(name) === tail) queues.delete(name);
    }
  }
}

function pageDocument(): Document | undefined {
  return (globalThis as { document?: Document }).document;
}

function hidden(): boolean {
  return pageDocument()?.visibilityState === 'hidden';
}
