/**
 * Token-bucket rate limits per key (device, phone, IP). In memory: limits are per process, which
 * is what they are for — keeping one misbehaving client from starving the others.
 */

export class RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** `perMinute` requests per key per minute, with bursts up to `burst` (default `perMinute`). */
  constructor(perMinute: number, burst = perMinute) {
    this.#capacity = burst;
    this.#refillPerMs = perMinute / 60_000;
  }

  /** Take one token for `key`; returns 0 if allowed, else the seconds to wait. */
  take(key: string, now = Date.now()): number {
    const b = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    b.tokens = Math.min(this.#capacity, b.tokens + (now - b.at) * this.#refillPerMs);
    b.at = now;
    if (this.#buckets.size > 100_000) this.#buckets.clear();
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.#refillPerMs / 1000);
  }
}
