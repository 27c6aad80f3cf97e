/**
 * Hostile pushes as fast-check plans: batches of real events (built by the world's simulated till,
 * never by hand) that are then mutated field by field, claimed for another shop or another device,
 * recorded in the name of a cashier, a stranger or another shop's owner, sent twice with different
 * content under one id (in the batch, or after an earlier push), wrapped in RxDB's bookkeeping
 * fields, sent by the wrong kind of credential, or sent as too many rows, bad bytes or bad types.
 */
import fc from 'fast-check';
import type { DomainEvent } from '@smartkirana/domain/events';
import type { DeviceSim } from '@smartkirana/domain/testing';
import { applyMutations, junkValue, mutation, type Mutation } from './json-arbitrary.ts';
import type { TokenName, World } from './world.ts';

export const MAKES = [
  'product',
  'customer',
  'supplier',
  'receipt',
  'sale',
  'khata-sale',
  'adjust',
  'count',
  'price',
  'expense',
  'clock-in',
  'void',
  'khata-payment',
  'open-till',
] as const;
export type Make = (typeof MAKES)[number];

export interface EventPlan {
  make: Make;
  actor: 'owner' | 'cashier' | 'stranger' | 'ownerB';
  claim: 'own' | 'other-shop' | 'other-device';
  mutations: Mutation[];
  /** Also send this event again: unchanged, or with other content under the same id. */
  twin: 'none' | 'same' | 'altered';
  rxdb: boolean;
}

export interface PushPlan {
  sender: TokenName;
  events: EventPlan[];
  /** Resend earlier events of this run: `altered` changes their content, keeping the id. */
  replay: 'none' | 'same' | 'altered';
  shape: 'rows' | 'array' | 'junk-rows' | 'overflow' | 'deleted';
  /** Rows no schema takes, for the `junk-rows` shape. */
  junk: unknown[];
  encoding: 'json' | 'bad-bytes' | 'truncated' | 'oversize';
  contentType: string | undefined;
}

/** Random push plans. */
export function pushPlan(): fc.Arbitrary<PushPlan> {
  const eventPlan = fc.record({
    make: fc.constantFrom(...MAKES),
    actor: fc.oneof(
      { arbitrary: fc.constant('owner' as const), weight: 6 },
      fc.constantFrom('cashier' as const, 'stranger' as const, 'ownerB' as const),
    ),
    claim: fc.oneof(
      { arbitrary: fc.constant('own' as const), weight: 16 },
      fc.constantFrom('other-shop' as const, 'other-device' as const),
    ),
    mutations: fc.oneof(
      { arbitrary: fc.constant<Mutation[]>([]), weight: 8 },
      { arbitrary: fc.array(mutation(), { minLength: 1, maxLength: 3 }), weight: 1 },
    ),
    twin: fc.oneof(
      { arbitrary: fc.constant('none' as const), weight: 8 },
      fc.constantFrom('same' as const, 'altered' as const),
    ),
    rxdb: fc.boolean(),
  });
  return fc.record({
    sender: fc.oneof(
      { arbitrary: fc.constant<TokenName>('tillA'), weight: 12 },
      fc.constantFrom<TokenName>('serverA', 'revokedTillA', 'phoneA', 'tillB', 'ownerA'),
    ),
    events: fc.array(eventPlan, { minLength: 1, maxLength: 4 }),
    replay: fc.oneof(
      { arbitrary: fc.constant('none' as const), weight: 6 },
      fc.constantFrom('same' as const, 'altered' as const),
    ),
    shape: fc.oneof(
      { arbitrary: fc.constant('rows' as const), weight: 12 },
      fc.constantFrom(
        'array' as const,
        'junk-rows' as const,
        'overflow' as const,
        'deleted' as const,
      ),
    ),
    junk: fc.array(junkRow(), { minLength: 1, maxLength: 2 }),
    encoding: fc.oneof(
      { arbitrary: fc.constant('json' as const), weight: 20 },
      fc.constantFrom('bad-bytes' as const, 'truncated' as const, 'oversize' as const),
    ),
    contentType: fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 20 },
      fc.constantFrom(undefined, 'text/plain'),
    ),
  });
}

/** Which of the world's shops a device belongs to. */
export type Side = 'a' | 'b';

/**
 * Emit the event a plan names on `device` (of shop `side`) as the plan's actor; the shop's own
 * records are its inputs. `ownerB` is always the other shop's owner.
 */
export function emitEvent(
  world: World,
  device: DeviceSim,
  plan: EventPlan,
  side: Side,
): DomainEvent {
  const [own, other] = side === 'a' ? [world.a, world.b] : [world.b, world.a];
  const ids = world.ids[side];
  const productId = ids.productId ?? '';
  const customerId = ids.customerId ?? '';
  const actor = {
    owner: own.ownerId,
    cashier: own.cashierId,
    stranger: crypto.randomUUID(),
    ownerB: other.ownerId,
  }[plan.actor];
  const previous = device.actorId;
  device.actorId = actor;
  try {
    switch (plan.make) {
      case 'product':
        return device.createProduct();
      case 'customer':
        return device.createCustomer('Fuzzed Customer');
      case 'supplier':
        return device.createSupplier('Fuzzed Supplier');
      case 'receipt':
        return device.receiveStock([{ productId, qty: 10 }], { paidBy: 'cash' });
      case 'sale':
        return device.sell([{ productId, qty: 1 }], { pay: 'upi' });
      case 'khata-sale':
        return device.sell([{ productId, qty: 1 }], { pay: 'khata', customerId });
      case 'adjust':
        return device.adjust(productId, -1, 'damage');
      case 'count':
        return device.count(productId, 100);
      case 'price':
        return device.changePrice(productId, 15_000);
      case 'expense':
        return device.expense('tea for staff', 2_000);
      case 'clock-in':
        return device.emit('v1.StaffClockedIn', { userId: actor });
      case 'void': {
        const sale = [...device.knownSales.values()].at(-1) ?? device.sell([{ productId, qty: 1 }]);
        return device.voidSale(sale);
      }
      case 'khata-payment':
        return device.khataPayment(customerId, 500);
      case 'open-till':
        return device.openTill(1_000);
    }
  } finally {
    device.actorId = previous;
  }
}

/** The document a plan sends for `event`: claimed, mutated and dressed as the plan says. */
export function dress(
  world: World,
  event: DomainEvent,
  plan: EventPlan,
  side: Side,
): Record<string, unknown> {
  let doc: Record<string, unknown> = { ...event };
  if (plan.claim === 'other-shop') doc.shopId = (side === 'a' ? world.b : world.a).shopId;
  if (plan.claim === 'other-device') doc.deviceId = world.devices.phoneA;
  if (plan.mutations.length > 0) {
    const mutated = applyMutations(doc, plan.mutations);
    doc =
      mutated !== null && typeof mutated === 'object' && !Array.isArray(mutated)
        ? (mutated as Record<string, unknown>)
        : { id: event.id, broken: mutated };
  }
  if (plan.rxdb) return { ...doc, _deleted: false, _rev: '1-abc', _meta: { lwt: 1 } };
  return doc;
}

/** The same id with other, still valid content: the device's clock reading moved by a second. */
export function altered(doc: Record<string, unknown>): Record<string, unknown> {
  return { ...doc, at: typeof doc.at === 'number' ? doc.at + 1_000 : 1 };
}

/** A row junk enough that no schema takes it. */
export function junkRow(): fc.Arbitrary<unknown> {
  return fc.oneof(junkValue(), fc.record({ newDocumentState: junkValue() }));
}
