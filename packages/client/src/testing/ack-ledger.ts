/**
 * What a server told a till, recorded at the till's edge: the ids the server acknowledged in push
 * answers the till actually received (accepted or duplicate), and the ids it served in pull pages.
 * Fault tests check both against the server's log: anything acknowledged or served must survive.
 */
import type { FetchLike, PullResponse, PushResponse } from '../transport.ts';

export class AckLedger {
  /** Ids the server answered `accepted` or `duplicate` to a push this till received. */
  readonly acked = new Set<string>();
  /** Ids in pull pages this till received. */
  readonly served = new Set<string>();
  pushes = 0;
  /** Requests still waiting for an answer, with when they were sent (to say where sync stalled). */
  readonly waiting = new Map<number, { url: string; since: number }>();
  #requests = 0;
  /** Pushes that got no answer (network error) or an error status. */
  failedPushes = 0;
  readonly #inner: FetchLike;

  constructor(inner: FetchLike = (input, init) => fetch(input, init)) {
    this.#inner = inner;
  }

  readonly fetch: FetchLike = async (input, init) => {
    const push = input.includes('/sync/v1/push');
    const pull = input.includes('/sync/v1/pull');
    if (push) this.pushes += 1;
    const n = ++this.#requests;
    this.waiting.set(n, { url: input.replace(/^https?:\/\/[^/]+/, ''), since: Date.now() });
    let res: Response;
    try {
      res = await this.#inner(input, init);
    } catch (err) {
      if (push) this.failedPushes += 1;
      throw err;
    } finally {
      this.waiting.delete(n);
    }
    if (!res.ok) {
      if (push) this.failedPushes += 1;
      return res;
    }
    if (push || pull) {
      // Read a copy; the till reads the original. A body cut off midway is the till's problem.
      const body = (await res
        .clone()
        .json()
        .catch(() => undefined)) as Partial<PushResponse & PullResponse> | undefined;
      for (const r of body?.results ?? [])
        if (r.status === 'accepted' || r.status === 'duplicate') this.acked.add(r.id);
      for (const d of body?.documents ?? []) this.served.add(d.id);
    }
    return res;
  };

  /** Requests without an answer yet, oldest first, for a stall message. */
  describeWaiting(): string {
    const now = Date.now();
    return [...this.waiting.values()].map((w) => `${w.url} for ${now - w.since} ms`).join('; ');
  }
}
