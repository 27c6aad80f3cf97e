/**
 * Tells live streams that a shop's log grew. Subscribers then read the new events from the database
 * themselves, so a feed only carries "shop X is now at sequence N". This in-process feed serves one
 * server process; a database-backed feed (Postgres LISTEN/NOTIFY) serves several.
 */

export type FeedListener = (seq: number) => void;

export interface ChangeFeed {
  publish(shopId: string, seq: number): void;
  subscribe(shopId: string, listener: FeedListener): () => void;
  close(): Promise<void>;
}

/** A change feed within one process. */
export class LocalChangeFeed implements ChangeFeed {
  readonly #listeners = new Map<string, Set<FeedListener>>();

  publish(shopId: string, seq: number): void {
    for (const listener of this.#listeners.get(shopId) ?? []) listener(seq);
  }

  subscribe(shopId: string, listener: FeedListener): () => void {
    let set = this.#listeners.get(shopId);
    if (!set) {
      set = new Set();
      this.#listeners.set(shopId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(shopId);
    };
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
