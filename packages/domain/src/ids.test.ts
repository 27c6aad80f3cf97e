import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId, uuidSchema, uuidV7Schema, uuidV7Time } from './ids.ts';

/** RFC 9562 appendix A.6 example UUIDv7: Tuesday 22 Feb 2022 14:22:22 −05:00. */
const RFC_EXAMPLE = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
const RFC_MSECS = 0x017f22e279b0;

const MAX_MSECS = 2 ** 48 - 1;
const msecs = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2100, 0, 1) }),
  fc.integer({ min: 0, max: MAX_MSECS }),
);
const random16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const bytes = (fill: number): Uint8Array => new Uint8Array(16).fill(fill);

describe('uuid schemas', () => {
  it('accept the RFC example and reject other versions, variants and upper case', () => {
    expect(uuidV7Schema.safeParse(RFC_EXAMPLE).success).toBe(true);
    expect(uuidSchema.safeParse(RFC_EXAMPLE).success).toBe(true);
    expect(uuidV7Schema.safeParse(RFC_EXAMPLE.toUpperCase()).success).toBe(false);
    const v4 = '9b2e8d6a-3f1c-4a2b-8c3d-1e2f3a4b5c6d';
    expect(uuidV7Schema.safeParse(v4).success).toBe(false);
    expect(uuidSchema.safeParse(v4).success).toBe(true);
    expect(uuidV7Schema.safeParse('017f22e2-79b0-7cc3-c8c4-dc0c0c07398f').success).toBe(false); // variant 110
    expect(uuidV7Schema.safeParse('017f22e279b07cc398c4dc0c0c07398f').success).toBe(false);
  });

  it('uuidV7Time reads the RFC example timestamp', () => {
    expect(uuidV7Time(RFC_EXAMPLE)).toBe(RFC_MSECS);
    expect(new Date(uuidV7Time(RFC_EXAMPLE)).toISOString()).toBe('2022-02-22T19:22:22.000Z');
  });
});

describe('newId', () => {
  it('mints distinct lowercase UUID v7s stamped with the current time', () => {
    const before = Date.now();
    const ids = Array.from({ length: 50 }, () => newId());
    const after = Date.now();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(uuidV7Schema.safeParse(id).success).toBe(true);
      expect(uuidV7Time(id)).toBeGreaterThanOrEqual(before);
      expect(uuidV7Time(id)).toBeLessThanOrEqual(after + 1);
    }
  });

  it('is deterministic given msecs and random bytes', () => {
    const a = newId({ msecs: RFC_MSECS, random: bytes(7) });
    expect(newId({ msecs: RFC_MSECS, random: bytes(7) })).toBe(a);
    expect(newId({ msecs: RFC_MSECS, random: bytes(8) })).not.toBe(a);
    expect(newId({ msecs: RFC_MSECS + 1, random: bytes(7) })).not.toBe(a);
    expect(a.startsWith('017f22e2-79b0-7')).toBe(true);
    expect(uuidV7Schema.safeParse(a).success).toBe(true);
  });

  it('stamps time 0 when only random bytes are given', () => {
    expect(uuidV7Time(newId({ random: bytes(1) }))).toBe(0);
    expect(newId({ random: bytes(1) }).startsWith('00000000-0000-7')).toBe(true);
  });

  it('encodes msecs as the first 48 bits, and uuidV7Time recovers them (property)', () => {
    fc.assert(
      fc.property(msecs, fc.option(random16, { nil: undefined }), (ms, random) => {
        const id = random ? newId({ msecs: ms, random }) : newId({ msecs: ms });
        expect(uuidV7Schema.safeParse(id).success).toBe(true);
        expect(id.replace('-', '').slice(0, 12)).toBe(ms.toString(16).padStart(12, '0'));
        expect(uuidV7Time(id)).toBe(ms);
        if (random) expect(newId({ msecs: ms, random })).toBe(id);
      }),
      { numRuns: 300 },
    );
  });

  it('ids minted at increasing times sort in that order (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(msecs, { minLength: 2, maxLength: 30 }),
        fc.array(random16, { minLength: 30, maxLength: 30 }),
        (times, randoms) => {
          const ascending = [...times].sort((a, b) => a - b);
          const ids = ascending.map((ms, i) => newId({ msecs: ms, random: randoms[i]! }));
          const shuffledThenSorted = [...ids].reverse().sort();
          expect(shuffledThenSorted).toEqual(ids);
          expect(shuffledThenSorted.map(uuidV7Time)).toEqual(ascending);
        },
      ),
      { numRuns: 100 },
    );
  });
});
