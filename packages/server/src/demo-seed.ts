/**
 * The demo shop from the seeds: "Demo Kirana Store", owner 9876543210 / demo123, staff 9876543211,
 * customers 9876543212 and 9876543213, the six products (rice, tea, milk, oil, salt, sugar), two
 * enrolled tills, and a few days of trading from both tills so every report shows something.
 * Everything goes through the same ingest path as a real till's sync.
 */
import { DEMO_PRODUCTS, DEMO_SHOP } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent } from '@smartkirana/domain/events';
import { withGstinChecksum } from '@smartkirana/domain/gst';
import { Rng, ShopSim, type DeviceSim } from '@smartkirana/domain/testing';
import type { Services } from './context.ts';
import { ingest } from './ingest.ts';
import { addStaff, createShop, enrollDevice } from './shops.ts';

export interface DemoShop {
  shopId: string;
  ownerId: string;
  tills: { deviceId: string; code: string; secret: string }[];
  events: number;
}

const DAY = 86_400_000;

/** Load the demo shop. Throws `phone_taken` if it is already there. */
export async function seedDemo(
  s: Services,
  opts: { days?: number; now?: number } = {},
): Promise<DemoShop> {
  const now = opts.now ?? Date.now();
  const days = opts.days ?? 4;
  const { shopId, ownerId } = await createShop(s, {
    name: DEMO_SHOP.name,
    stateCode: DEMO_SHOP.stateCode,
    gstin: withGstinChecksum('27AAPFD4321K1Z'),
    registration: 'regular',
    upiVpa: 'demokirana@upi',
    owner: { name: 'Ramesh Gupta', phone: DEMO_SHOP.ownerPhone, password: DEMO_SHOP.ownerPassword },
  });
  const { userId: staffId } = await addStaff(s, shopId, ownerId, {
    name: 'Suresh Kumar',
    phone: DEMO_SHOP.staffPhone,
    role: 'cashier',
    pin: '1234',
    password: DEMO_SHOP.ownerPassword,
  });
  for (const [i, phone] of DEMO_SHOP.customerPhones.entries()) {
    await addStaff(s, shopId, ownerId, {
      name: i === 0 ? 'Anita Sharma' : 'Vijay Patil',
      phone,
      role: 'customer',
      password: DEMO_SHOP.ownerPassword,
    });
  }
  const tills = [
    await enrollDevice(s, shopId, ownerId, { name: 'Counter 1', kind: 'till' }),
    await enrollDevice(s, shopId, ownerId, { name: 'Counter 2', kind: 'till' }),
  ];

  // Trading starts `days` ago at 09:00 IST.
  const start = Math.floor((now - days * DAY) / DAY) * DAY + 3.5 * 3_600_000;
  const sim = new ShopSim({ seed: 2026, shopId, ownerId, startMs: start });
  const rng = new Rng(2026);
  const [t1, t2] = tills.map((t) =>
    sim.addDevice(t.code, { deviceId: t.deviceId, actorId: ownerId }),
  ) as [DeviceSim, DeviceSim];
  const setup: DomainEvent[] = [];
  const products = DEMO_PRODUCTS.map((spec) => {
    const e = t1.createProduct(spec);
    setup.push(e);
    return e.payload.productId;
  });
  const [rice, tea, milk, oil, salt, sugar] = products as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const anita = t1.createCustomer('Anita Sharma', 500_000);
  const vijay = t1.createCustomer('Vijay Patil', 200_000);
  const supplier = t1.createSupplier('Metro Wholesale');
  setup.push(anita, vijay, supplier);
  setup.push(
    t1.receiveStock(
      [
        { productId: rice, qty: 60_000 },
        { productId: tea, qty: 90 },
        { productId: milk, qty: 80, expiry: isoDay(now + 2 * DAY) },
        { productId: oil, qty: 24 },
        { productId: salt, qty: 50 },
        { productId: sugar, qty: 40_000 },
      ],
      { supplierId: supplier.payload.supplierId },
    ),
  );
  t2.receive(setup);
  const byTill = new Map<DeviceSim, DomainEvent[]>([
    [t1, [...setup]],
    [t2, []],
  ]);
  const customers = [anita.payload.customerId, vijay.payload.customerId];

  for (let d = 0; d < days; d++) {
    for (const till of [t1, t2]) {
      till.actorId = till === t1 ? staffId : ownerId;
      byTill.get(till)?.push(till.openTill(200_000));
    }
    for (let i = 0; i < 14; i++) {
      sim.advance(rng.int(10, 50) * 60_000);
      const till = rng.chance(0.6) ? t1 : t2;
      const lines = Array.from({ length: rng.int(1, 3) }, () => {
        const productId = rng.pick(products);
        const loose = productId === rice || productId === sugar;
        return { productId, qty: loose ? rng.pick([500, 1000, 2000]) : rng.int(1, 3) };
      });
      const mode = rng.pick(['cash', 'cash', 'upi', 'upi', 'card', 'khata'] as const);
      const customerId = mode === 'khata' ? rng.pick(customers) : undefined;
      const sale = till.sell(lines, { pay: mode, ...(customerId ? { customerId } : {}) });
      byTill.get(till)?.push(sale);
      if (i === 6 && d === days - 1)
        byTill.get(till)?.push(till.returnSale(sale, [{ line: 0, qty: 1, restock: true }]));
    }
    byTill.get(t2)?.push(t2.khataPayment(customers[0] ?? '', 20_000, 'upi'));
    byTill.get(t2)?.push(t2.expense('electricity', 45_000, 'cash'));
    for (const till of [t1, t2])
      byTill
        .get(till)
        ?.push(till.closeTill(250_000, 250_000 - (d === 1 && till === t1 ? 1_000 : 0)));
    sim.advance(24 * 3_600_000 - 14 * 30 * 60_000);
  }
  // The last packets of oil, sold on both counters while they were offline: an oversell to resolve.
  t1.actorId = ownerId;
  byTill.get(t1)?.push(t1.count(oil, 1));
  t2.receive(byTill.get(t1) ?? []);
  byTill.get(t1)?.push(t1.sell([{ productId: oil, qty: 1 }]));
  byTill.get(t2)?.push(t2.sell([{ productId: oil, qty: 1 }], { pay: 'upi' }));

  let events = 0;
  for (const [till, list] of byTill) {
    const sender = { shopId, deviceId: till.deviceId, kind: 'till' as const, revoked: false };
    for (let i = 0; i < list.length; i += 200) {
      const outcome = await ingest(s.db, s.cache, sender, list.slice(i, i + 200));
      events += outcome.accepted.length;
      if (outcome.accepted.length > 0) s.feed.publish(shopId, outcome.seq);
    }
  }
  return { shopId, ownerId, tills, events };
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
