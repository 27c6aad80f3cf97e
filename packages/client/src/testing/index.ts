/**
 * Test support for tills: open a till in Node on `fake-indexeddb` against a real test server, with a
 * network that can be cut, slowed, or made to lose responses after the server committed.
 */
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { FetchLike } from '../transport.ts';
import { Till, type TillCredential, type TillOptions } from '../till.ts';

/** A network between one till and the server that tests can break. */
export class FlakyNetwork {
  online = true;
  /** Probability that a response is lost after the server handled the request. */
  loseResponses = 0;
  requests = 0;
  #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  readonly fetch: FetchLike = async (input, init) => {
    this.requests += 1;
    if (!this.online) throw new TypeError('network offline');
    const res = await fetch(input, init);
    // Losing a streamed response would hang nothing useful; only plain requests are lost.
    if (
      this.loseResponses > 0 &&
      !input.includes('/stream') &&
      this.#random() < this.loseResponses
    ) {
      await res.arrayBuffer().catch(() => undefined);
      throw new TypeError('response lost');
    }
    return res;
  };
}

/** Open a till in Node (fake IndexedDB shared by every till of the process). */
export function openTestTill(
  credential: TillCredential,
  opts: Partial<TillOptions> & { network?: FlakyNetwork } = {},
): Promise<Till> {
  const network = opts.network ?? new FlakyNetwork();
  return Till.open({
    credential,
    indexedDB,
    IDBKeyRange,
    fetch: network.fetch,
    retryMs: 50,
    ...opts,
  });
}
