/**
 * Throttling the routes that check a secret (password, OTP, device secret): a caller over the
 * limit gets 429 with `retry-after`, before any hashing work is done.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { RateLimiter } from '../rate-limit.ts';

/** Take a token for `key` from `limiter`, or throw 429 `rate_limited` with `retry-after`. */
export function throttle(c: Context<AppEnv>, limiter: RateLimiter, key: string): void {
  const wait = limiter.take(key);
  if (wait > 0) {
    c.header('retry-after', String(wait));
    throw new ApiError('rate_limited', 'too many attempts; try again later', {
      retryAfterSeconds: wait,
    });
  }
}

/** A phone number as it may appear in logs: the last four digits only. */
export function maskPhone(phone: string): string {
  return `******${phone.slice(-4)}`;
}
