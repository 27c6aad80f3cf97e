import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSchema, INVALID } from './compiled-schema.ts';
import { EVENT_TYPES, eventSchema, type DomainEvent } from './events.ts';
import { generateShop, type GeneratedShop } from './testing/generator.ts';

const compiled = compileSchema(eventSchema);
const shop = generateShop({ seed: 11, tills: 3, days: 3 });
const events: DomainEvent[] = [...shop.events, ...theRest(shop)];
const types = new Set(events.map((e) => e.type));

/** Events of the types a generated history does not happen to contain. */
function theRest({ owner, tills, sim }: GeneratedShop): DomainEvent[] {
  const till = tills[0];
  const productId = [...sim.products.keys()][0];
  const customerId = sim.customers[0];
  const supplierId = sim.suppliers[0];
  if (!till || !productId || !customerId || !supplierId) throw new Error('no catalogue');
  const orderId = sim.rng.uuid();
  return [
    owner.emit('v1.DeviceRevoked', { deviceId: till.deviceId, reason: 'stolen' }),
    owner.emit('v1.StaffRemoved', { userId: till.actorId }),
    till.emit('v1.StaffClockedIn', { userId: till.actorId }),
    till.emit('v1.StaffClockedOut', { userId: till.actorId }),
    owner.emit('v1.ProductUpdated', { productId, changes: { name: 'Basmati', minStock: 5 } }),
    owner.emit('v1.TaxRateScheduled', { productId, step: { from: '2026-09-22', rateBps: 500 } }),
    owner.emit('v1.ProductDiscontinued', { productId }),
    owner.emit('v1.CustomerUpdated', { customerId, changes: { creditLimit: 10_000 } }),
    owner.emit('v1.SupplierUpdated', { supplierId, changes: { phone: '9876543219' } }),
    owner.emit('v1.OrderPlaced', { orderId, channel: 'phone', lines: [{ productId, qty: 2 }] }),
    owner.emit('v1.OrderStatusChanged', { orderId, status: 'packed' }),
    owner.emit('v1.CashMoved', { from: 'cash', to: 'bank', amount: 50_000 }),
    owner.emit('v1.OwnerFundsMoved', { kind: 'drawings', amount: 20_000, mode: 'cash' }),
    owner.acknowledge(`oversell:${productId}:x`),
  ];
}

/** The compiled validator never accepts what zod refuses, and when it accepts, it agrees on the value. */
function agrees(input: unknown): void {
  const fast = compiled(input);
  const slow = eventSchema.safeParse(input);
  if (fast === INVALID) return;
  expect(slow.success).toBe(true);
  if (slow.success) {
    expect(fast).toStrictEqual(slow.data);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
  }
}

/** Every path to a value inside a JSON-like value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** A deep copy of `value` with the thing at `path` replaced (`undefined`: the key removed). */
function replaced(value: unknown, path: (string | number)[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...(value as unknown[])];
    copy[head as number] = replaced(copy[head as number], rest, next);
    return copy;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (rest.length === 0 && next === undefined)
    return Object.fromEntries(entries.filter(([k]) => k !== head));
  const present = entries.some(([k]) => k === head);
  return Object.fromEntries([
    ...entries.map(([k, v]) => [k, k === head ? replaced(v, rest, next) : v] as const),
    ...(present ? [] : [[String(head), replaced(undefined, rest, next)] as const]),
  ]);
}

function grow(items: unknown[], pick: number): unknown[] | undefined {
  const sizes = [0, 9, 21, 501];
  const size = sizes[pick % 8];
  return size === undefined ? undefined : Array.from({ length: size }, () => items[0]);
}

describe('compiled event schema', () => {
  it(`vouches for every generated event, with zod's exact output (${types.size} types)`, () => {
    expect(types.size).toBe(EVENT_TYPES.length);
    for (const e of events) {
      const input = JSON.parse(JSON.stringify(e)) as unknown;
      const fast = compiled(input);
      expect(fast).not.toBe(INVALID);
      agrees(input);
    }
  });

  it('is never laxer than zod on mutated events (property)', () => {
    const replacement = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(
        undefined,
        null,
        '',
        ' padded ',
        -1,
        0,
        1.5,
        2 ** 53,
        Number.NaN,
        Infinity,
        [],
        {},
        '2026-02-30',
        'T01/2526/000001',
        'T01/2526/0000001',
        'x'.repeat(65),
        'N'.repeat(121),
        'n'.repeat(501),
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: events.length - 1 }),
        fc.nat(),
        replacement,
        fc.boolean(),
        (index, pick, next, extraKey) => {
          const base = JSON.parse(JSON.stringify(events[index])) as unknown;
          const all = paths(base);
          const path = all[pick % all.length] ?? [];
          const at = path.reduce<unknown>(
            (v, k) => (v as Record<string | number, unknown>)[k],
            base,
          );
          // Arrays also grow past their bounds (8 payments, 20 tax steps, 500 lines…).
          const grown = Array.isArray(at) && at.length > 0 ? grow(at, pick) : undefined;
          let input = replaced(base, path, grown ?? next);
          if (extraKey && input && typeof input === 'object' && !Array.isArray(input))
            input = replaced(input, [...path.slice(0, -1), 'unexpected'], 1);
          agrees(input);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('defers to zod for transforms, plain objects and ambiguous unions', () => {
    const trimmed = compileSchema(z.strictObject({ name: z.string().trim().min(1) }));
    expect(trimmed({ name: 'Ravi' })).toEqual({ name: 'Ravi' });
    // The trimmed value differs from the input: zod, not the fast path, produces it.
    expect(trimmed({ name: ' Ravi ' })).toBe(INVALID);
    const stripping = compileSchema(z.object({ a: z.number() }));
    expect(stripping({ a: 1, b: 2 })).toEqual({ a: 1 });
    const union = compileSchema(z.union([z.number(), z.number().int()]));
    expect(union(1)).toBe(INVALID);
    expect(union(1.5)).toBe(1.5);
    const piped = compileSchema(z.string().transform((s) => s.length));
    expect(piped('abc')).toBe(3);
    const optional = compileSchema(z.strictObject({ a: z.number().optional() }));
    expect(optional({})).toStrictEqual({});
    expect(optional({ a: undefined })).toStrictEqual({ a: undefined });
    expect(optional({ b: 1 })).toBe(INVALID);
  });
});
