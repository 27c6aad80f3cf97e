import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clockSkewMs,
  compareHlc,
  decodeHlc,
  encodeHlc,
  HLC_ZERO,
  hlcSchema,
  MAX_TOLERATED_SKEW_MS,
  receiveHlc,
  tickHlc,
  type Hlc,
} from './hlc.ts';

const MAX_COUNTER = 999_999;
const NOW = Date.UTC(2025, 10, 22, 0, 0, 0); // 1763769600000
const wall = fc.oneof(
  fc.integer({ min: NOW - 10, max: NOW + 10 }),
  fc.integer({ min: 0, max: 10 ** 15 - 2 }),
); // room for one overflow bump
const counter = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: MAX_COUNTER - 2, max: MAX_COUNTER }),
  fc.nat(MAX_COUNTER),
);
const hlc: fc.Arbitrary<Hlc> = fc.record({ wall, counter });
const after = (a: Hlc, b: Hlc): boolean => compareHlc(a, b) > 0;

describe('encoding', () => {
  it('encodes as 15 wall digits, a dash and 6 counter digits', () => {
    expect(encodeHlc({ wall: NOW, counter: 0 })).toBe('001763769600000-000000');
    expect(encodeHlc({ wall: NOW, counter: 42 })).toBe('001763769600000-000042');
    expect(encodeHlc(HLC_ZERO)).toBe('000000000000000-000000');
    expect(decodeHlc('001763769600000-000042')).toEqual({ wall: NOW, counter: 42 });
  });

  it.each([
    '',
    'abc',
    '1-1',
    '001763769600000000000',
    '001763769600000-00000',
    '1763769600000-000000',
    '001763769600000-0000001',
    ' 001763769600000-000000',
  ])('refuses to decode %j', (s) => {
    expect(() => decodeHlc(s)).toThrow(RangeError);
    expect(hlcSchema.safeParse(s).success).toBe(false);
  });

  it('round-trips every clock value (property)', () => {
    fc.assert(
      fc.property(hlc, (h) => {
        const s = encodeHlc(h);
        expect(hlcSchema.safeParse(s).success).toBe(true);
        expect(decodeHlc(s)).toEqual(h);
      }),
      { numRuns: 300 },
    );
  });

  it('string order is HLC order (property)', () => {
    fc.assert(
      fc.property(hlc, hlc, (a, b) => {
        const ea = encodeHlc(a);
        const eb = encodeHlc(b);
        const byString = ea < eb ? -1 : ea > eb ? 1 : 0;
        expect(byString).toBe(Math.sign(compareHlc(a, b)));
      }),
      { numRuns: 300 },
    );
  });

  it('compareHlc orders by wall time, then counter', () => {
    expect(compareHlc({ wall: 2, counter: 0 }, { wall: 1, counter: 9 })).toBeGreaterThan(0);
    expect(compareHlc({ wall: 1, counter: 1 }, { wall: 1, counter: 2 })).toBeLessThan(0);
    expect(compareHlc({ wall: 1, counter: 2 }, { wall: 1, counter: 2 })).toBe(0);
  });
});

describe('tickHlc', () => {
  it('takes the wall clock when it moved forward, else bumps the counter', () => {
    expect(tickHlc(HLC_ZERO, NOW)).toEqual({ wall: NOW, counter: 0 });
    expect(tickHlc({ wall: NOW, counter: 0 }, NOW)).toEqual({ wall: NOW, counter: 1 });
    expect(tickHlc({ wall: NOW, counter: 5 }, NOW - 60_000)).toEqual({ wall: NOW, counter: 6 });
    expect(tickHlc({ wall: NOW, counter: 5 }, NOW + 1)).toEqual({ wall: NOW + 1, counter: 0 });
  });

  it('borrows the next millisecond when the counter would overflow', () => {
    expect(tickHlc({ wall: NOW, counter: MAX_COUNTER }, NOW)).toEqual({
      wall: NOW + 1,
      counter: 0,
    });
    expect(tickHlc({ wall: NOW, counter: MAX_COUNTER }, NOW - 5)).toEqual({
      wall: NOW + 1,
      counter: 0,
    });
    expect(
      encodeHlc(tickHlc({ wall: NOW, counter: MAX_COUNTER }, NOW)) >
        encodeHlc({ wall: NOW, counter: MAX_COUNTER }),
    ).toBe(true);
  });

  it('strictly increases even when the wall clock jumps backwards (property)', () => {
    const clock = fc.array(fc.integer({ min: NOW - 5, max: NOW + 5 }), {
      minLength: 1,
      maxLength: 50,
    });
    fc.assert(
      fc.property(hlc, clock, (start, readings) => {
        let last = start;
        for (const now of readings) {
          const next = tickHlc(last, now);
          expect(after(next, last)).toBe(true);
          expect(encodeHlc(next) > encodeHlc(last)).toBe(true);
          expect(next.wall).toBeGreaterThanOrEqual(now);
          expect(next.counter).toBeLessThanOrEqual(MAX_COUNTER);
          last = next;
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('receiveHlc', () => {
  it('moves past the remote clock', () => {
    const local = { wall: 10, counter: 3 };
    expect(receiveHlc(local, { wall: 10, counter: 7 }, 5)).toEqual({ wall: 10, counter: 8 });
    expect(receiveHlc(local, { wall: 8, counter: 9 }, 9)).toEqual({ wall: 10, counter: 4 });
    expect(receiveHlc({ wall: 8, counter: 3 }, { wall: 10, counter: 7 }, 9)).toEqual({
      wall: 10,
      counter: 8,
    });
    expect(receiveHlc(local, { wall: 12, counter: 7 }, 20)).toEqual({ wall: 20, counter: 0 });
    expect(receiveHlc({ wall: 20, counter: 3 }, { wall: 12, counter: 7 }, 20)).toEqual({
      wall: 20,
      counter: 4,
    });
  });

  it('borrows the next millisecond when a remote counter is at its maximum', () => {
    expect(receiveHlc({ wall: 1, counter: 0 }, { wall: 10, counter: MAX_COUNTER }, 5)).toEqual({
      wall: 11,
      counter: 0,
    });
    expect(receiveHlc({ wall: 10, counter: MAX_COUNTER }, { wall: 10, counter: 2 }, 10)).toEqual({
      wall: 11,
      counter: 0,
    });
  });

  it('is greater than both local and remote and not behind the wall clock (property)', () => {
    fc.assert(
      fc.property(hlc, hlc, wall, (local, remote, now) => {
        const next = receiveHlc(local, remote, now);
        expect(after(next, local)).toBe(true);
        expect(after(next, remote)).toBe(true);
        expect(next.wall).toBeGreaterThanOrEqual(now);
        expect(next.counter).toBeLessThanOrEqual(MAX_COUNTER);
        expect(decodeHlc(encodeHlc(next))).toEqual(next);
      }),
      { numRuns: 300 },
    );
  });

  it('a device mixing local ticks and received events never goes backwards (property)', () => {
    const step = fc.oneof(
      fc.record({ now: fc.integer({ min: NOW - 5, max: NOW + 5 }) }),
      fc.record({ now: fc.integer({ min: NOW - 5, max: NOW + 5 }), remote: hlc }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let last = HLC_ZERO;
        const seen: Hlc[] = [];
        for (const s of steps) {
          const next = 'remote' in s ? receiveHlc(last, s.remote, s.now) : tickHlc(last, s.now);
          if ('remote' in s) seen.push(s.remote);
          expect(after(next, last)).toBe(true);
          for (const r of seen) expect(after(next, r)).toBe(true);
          last = next;
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('clock skew', () => {
  it('is device minus trusted time, flagged beyond five minutes', () => {
    expect(clockSkewMs(NOW + 1000, NOW)).toBe(1000);
    expect(clockSkewMs(NOW - 1000, NOW)).toBe(-1000);
    expect(MAX_TOLERATED_SKEW_MS).toBe(300_000);
  });
});
