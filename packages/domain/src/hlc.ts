/**
 * Hybrid logical clock. Device clocks lie, so ordering never trusts wall time alone: an HLC is
 * (wall ms, counter), never goes backwards on a device, and moves past every timestamp the device
 * has seen. Encoded as a fixed-width string so plain string comparison is HLC order.
 */
import { z } from 'zod';

export interface Hlc {
  /** Milliseconds since the epoch (the larger of device wall time and anything seen). */
  wall: number;
  /** Tie-breaker for events within the same millisecond. */
  counter: number;
}

const WALL_DIGITS = 15;
const COUNTER_DIGITS = 6;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;

/** Encoded HLC: 15 digits of wall milliseconds, a dash, 6 digits of counter (`001763769600000-000000`). */
export const hlcSchema = z.string().regex(/^\d{15}-\d{6}$/, 'an encoded hybrid logical clock');

/** Encode as a fixed-width, lexicographically ordered string. */
export function encodeHlc(h: Hlc): string {
  return `${h.wall.toString().padStart(WALL_DIGITS, '0')}-${h.counter.toString().padStart(COUNTER_DIGITS, '0')}`;
}

/** Decode an encoded HLC. */
export function decodeHlc(s: string): Hlc {
  const parsed = hlcSchema.safeParse(s);
  if (!parsed.success) throw new RangeError(`not an HLC: ${JSON.stringify(s)}`);
  return { wall: Number(s.slice(0, WALL_DIGITS)), counter: Number(s.slice(WALL_DIGITS + 1)) };
}

/** The zero clock, before every event. */
export const HLC_ZERO: Hlc = { wall: 0, counter: 0 };

/** Next timestamp for a local event, given the last one issued and the device's wall clock. */
export function tickHlc(last: Hlc, nowMs: number): Hlc {
  if (nowMs > last.wall) return { wall: nowMs, counter: 0 };
  return bump(last.wall, last.counter + 1);
}

/** Merge a timestamp seen on a remote event so the next local event orders after it. */
export function receiveHlc(last: Hlc, remote: Hlc, nowMs: number): Hlc {
  const wall = Math.max(last.wall, remote.wall, nowMs);
  if (wall === nowMs && wall > last.wall && wall > remote.wall) return { wall, counter: 0 };
  const counter =
    wall === last.wall && wall === remote.wall
      ? Math.max(last.counter, remote.counter) + 1
      : wall === last.wall
        ? last.counter + 1
        : wall === remote.wall
          ? remote.counter + 1
          : 0;
  return bump(wall, counter);
}

/** Compare two HLCs: negative, zero or positive. */
export function compareHlc(a: Hlc, b: Hlc): number {
  return a.wall === b.wall ? a.counter - b.counter : a.wall - b.wall;
}

/** How far a device's clock is ahead of (positive) or behind (negative) a trusted clock. */
export function clockSkewMs(deviceWallMs: number, trustedMs: number): number {
  return deviceWallMs - trustedMs;
}

/** Skew beyond this is flagged to the owner (the till's clock needs fixing). */
export const MAX_TOLERATED_SKEW_MS = 5 * 60_000;

function bump(wall: number, counter: number): Hlc {
  // A counter overflow borrows the next millisecond instead of wrapping, so order is kept.
  return counter > MAX_COUNTER ? { wall: wall + 1, counter: 0 } : { wall, counter };
}
