/**
 * One-time passwords for signing in by phone. A code is 6 random digits, stored only as an HMAC,
 * valid 5 minutes and for 5 attempts, after which it is dead. Sending answers the same whether or
 * not the phone has an account: an unknown phone gets a row that no code can match and nothing is
 * sent, so limits, attempts and answers behave identically for both.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { newId } from '@smartkirana/domain/ids';
import type { Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { maskPhone } from './throttle.ts';

/** How long a code is valid. */
export const OTP_TTL_MS = 5 * 60_000;
/** Wrong guesses a code survives; the last one kills it. */
export const OTP_MAX_ATTEMPTS = 5;
/**
 * Codes one phone may request per hour, on top of the per-minute limiter: with 5 guesses each, at
 * most 50 guesses an hour reach a phone's codes (a 1-in-20,000 chance of a hit).
 */
export const OTP_MAX_PER_HOUR = 10;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Stored for unknown phones: not a hex digest, so no code ever matches it. */
const NEVER_MATCHES = 'none';

let lastSweep = 0;

/** Issue a code for `phone` and send it if the phone has an account. */
export async function sendOtp(s: Services, phone: string): Promise<void> {
  const { db } = s.db;
  const now = Date.now();
  await sweep(s, now);
  const recent = await db
    .selectFrom('otps')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('phone', '=', phone)
    .where('created_at', '>', now - HOUR_MS)
    .executeTakeFirstOrThrow();
  if (recent.n >= OTP_MAX_PER_HOUR)
    throw new ApiError('otp_locked', 'too many codes requested for this number; try again later');
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('phone', '=', phone)
    .executeTakeFirst();
  const id = newId();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await db.transaction().execute(async (trx) => {
    // Only the newest code is live: an older one stops working when a new one is requested.
    await trx
      .updateTable('otps')
      .set({ consumed_at: now })
      .where('phone', '=', phone)
      .where('consumed_at', 'is', null)
      .execute();
    await trx
      .insertInto('otps')
      .values({
        id,
        phone,
        code_hash: user ? codeMac(s, id, phone, code) : NEVER_MATCHES,
        created_at: now,
        expires_at: now + OTP_TTL_MS,
        attempts: 0,
        consumed_at: null,
      })
      .execute();
  });
  if (!user) return;
  // Not awaited: a slow SMS gateway must not make known phones answer slower than unknown ones.
  s.otp.send(phone, code).catch((err: unknown) => {
    s.log.error('sending a sign-in code failed', { phone: maskPhone(phone), error: err });
  });
}

/**
 * Check a code; returns the user id of the phone. A wrong, expired or absent code is 401
 * `otp_invalid`; the attempt that exhausts a code, and any after it, is 429 `otp_locked`.
 */
export async function verifyOtp(s: Services, phone: string, code: string): Promise<string> {
  const { db } = s.db;
  const now = Date.now();
  const otp = await db
    .selectFrom('otps')
    .selectAll()
    .where('phone', '=', phone)
    .where('consumed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!otp || otp.expires_at <= now) throw invalid();
  // Count the attempt before comparing, conditionally, so parallel guesses cannot exceed the cap.
  const counted = await db
    .updateTable('otps')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', otp.id)
    .where('attempts', '<', OTP_MAX_ATTEMPTS)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) === 0) throw locked();
  if (!sameMac(otp.code_hash, codeMac(s, otp.id, phone, code))) {
    if (otp.attempts + 1 >= OTP_MAX_ATTEMPTS) throw locked();
    throw invalid();
  }
  const consumed = await db
    .updateTable('otps')
    .set({ consumed_at: now })
    .where('id', '=', otp.id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  if (Number(consumed.numUpdatedRows) === 0) throw invalid();
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('phone', '=', phone)
    .executeTakeFirst();
  if (!user) throw invalid();
  return user.id;
}

function codeMac(s: Services, id: string, phone: string, code: string): string {
  // Keyed (unlike a bare digest) so a copy of the table cannot be brute-forced over 10^6 codes.
  return createHmac('sha256', s.jwtKey).update(`${id}|${phone}|${code}`).digest('hex');
}

function sameMac(stored: string, computed: string): boolean {
  const a = Buffer.from(stored);
  const b = Buffer.from(computed);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Delete codes older than a day, at most every ten minutes (the hourly cap needs the last hour). */
async function sweep(s: Services, now: number): Promise<void> {
  if (now - lastSweep < 10 * 60_000) return;
  lastSweep = now;
  await s.db.db
    .deleteFrom('otps')
    .where('created_at', '<', now - DAY_MS)
    .execute();
}

function invalid(): ApiError {
  return new ApiError('otp_invalid', 'the code is wrong or has expired');
}

function locked(): ApiError {
  return new ApiError('otp_locked', 'too many wrong codes; request a new one');
}
