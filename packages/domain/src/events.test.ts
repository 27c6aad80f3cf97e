import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES } from './event-envelope.ts';
import {
  decodeEvent,
  decodeEventJson,
  EVENT_TYPES,
  utf8Length,
  type DomainEvent,
} from './events.ts';
import { generateShop } from './testing/generator.ts';
import { parseInvoiceNumber, INVOICE_NUMBER_PATTERN, seriesGaps } from './invoice-series.ts';

const { events } = generateShop({ seed: 5, tills: 3, days: 2 });
const sale = events.find((e) => e.type === 'v1.SaleCompleted')!;

/** A deep copy with one field replaced by path. */
function withField(e: DomainEvent, path: (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(e)) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

describe('decoding', () => {
  it('round-trips every generated event through JSON', () => {
    for (const e of events) {
      const decoded = decodeEventJson(JSON.stringify(e));
      expect(decoded.ok && decoded.event).toEqual(e);
    }
  });

  it('covers the whole catalogue with schemas', () => {
    expect(EVENT_TYPES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(events.map((e) => e.type)).size).toBeGreaterThan(12);
  });

  it('names the exact path of a wrong field', () => {
    const bad = decodeEvent(withField(sale, ['payload', 'lines', 0, 'qty'], 1.5));
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues[0]).toMatchObject({
        code: 'malformed',
        path: ['payload', 'lines', 0, 'qty'],
      });
  });

  it('refuses unknown event types with their own code', () => {
    const bad = decodeEvent(withField(sale, ['type'], 'v9.Teleported'));
    expect(bad).toMatchObject({ ok: false, issues: [{ code: 'unknown_type', path: ['type'] }] });
  });

  it('refuses unknown fields (strict payloads)', () => {
    const bad = decodeEvent(withField(sale, ['payload', 'sneaky'], 1));
    expect(bad.ok).toBe(false);
  });

  it('refuses tampered arithmetic: a total that does not add up, a tax that was not charged', () => {
    const total = decodeEvent(
      withField(sale, ['payload', 'total'], (sale.payload as { total: number }).total + 100),
    );
    expect(total.ok).toBe(false);
    if (!total.ok) expect(total.issues.map((i) => i.path.join('.'))).toContain('payload.total');
    const line = (sale.payload as { lines: { cgst: number }[] }).lines[0]!;
    const tax = decodeEvent(withField(sale, ['payload', 'lines', 0, 'cgst'], line.cgst + 1));
    expect(tax.ok).toBe(false);
  });

  it('refuses dates that do not exist and bill discounts the lines do not carry', () => {
    expect(decodeEvent(withField(sale, ['payload', 'businessDay'], '2026-02-31')).ok).toBe(false);
    expect(decodeEvent(withField(sale, ['payload', 'billDiscount'], 10_000_000)).ok).toBe(false);
  });

  it('measures the size limit in UTF-8 bytes, not characters', () => {
    const hindi = '\u0915'.repeat(Math.ceil(MAX_EVENT_BYTES / 3) + 10); // 3 bytes each
    expect(hindi.length).toBeLessThan(MAX_EVENT_BYTES);
    expect(utf8Length(hindi)).toBeGreaterThan(MAX_EVENT_BYTES);
    expect(decodeEventJson(JSON.stringify({ note: hindi }))).toMatchObject({
      ok: false,
      issues: [{ code: 'too_large' }],
    });
    expect(utf8Length('₹1,23,456 😀')).toBe(3 + 9 + 4);
  });

  it('refuses oversized and non-JSON input', () => {
    expect(decodeEventJson('x'.repeat(MAX_EVENT_BYTES + 1))).toMatchObject({
      ok: false,
      issues: [{ code: 'too_large' }],
    });
    expect(decodeEventJson('{"id":')).toMatchObject({ ok: false, issues: [{ code: 'malformed' }] });
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        const result = decodeEvent(value);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random mutations of a valid event', () => {
    const paths: (string | number)[][] = [
      ['id'],
      ['hlc'],
      ['deviceSeq'],
      ['payload', 'lines'],
      ['payload', 'payments', 0, 'amount'],
      ['payload', 'invoiceNo'],
      ['__proto__'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything(), (path, value) => {
        expect(() => decodeEvent(withField(sale, path, value))).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('invoice numbers across a generated history (BRIEF invariant 5)', () => {
  it('are legal, unique per shop and gapless per device series', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const shop = generateShop({ seed, tills: 3, days: 2, salesPerDay: 6 });
        const numbers: string[] = [];
        for (const e of shop.events) {
          if (e.type === 'v1.SaleCompleted') numbers.push(e.payload.invoiceNo);
          if (e.type === 'v1.SaleReturned') numbers.push(e.payload.creditNoteNo);
        }
        expect(new Set(numbers).size).toBe(numbers.length);
        const bySeries = new Map<string, number[]>();
        for (const n of numbers) {
          expect(n).toMatch(INVOICE_NUMBER_PATTERN);
          expect(n.length).toBeLessThanOrEqual(16);
          const parsed = parseInvoiceNumber(n)!;
          bySeries.set(`${parsed.prefix}/${parsed.fy}`, [
            ...(bySeries.get(`${parsed.prefix}/${parsed.fy}`) ?? []),
            parsed.seq,
          ]);
        }
        for (const seqs of bySeries.values()) expect(seriesGaps(seqs)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('device sequences are gapless per device', () => {
    const perDevice = new Map<string, number[]>();
    for (const e of events)
      perDevice.set(e.deviceId, [...(perDevice.get(e.deviceId) ?? []), e.deviceSeq]);
    for (const seqs of perDevice.values()) expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
