/**
 * The writer numbers from what the database holds, without reading the device's whole history:
 * a till whose replica already holds its own events (restored, or selling for months) continues
 * its device sequence and both of its series, also across gaps, and picks up events another tab
 * wrote in between.
 */
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '@smartkirana/domain/demo-catalog';
import type { DomainEvent, EventOfType } from '@smartkirana/domain/events';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { ShopSim, type DeviceSim } from '@smartkirana/domain/testing';
import { openTillDatabase, type TillDatabase } from './database.ts';
import { LocalWriter } from './local-writer.ts';

type Sale = EventOfType<'v1.SaleCompleted'>;

const owner = { userId: '', role: 'owner' as const };
let db: TillDatabase | undefined;

afterEach(async () => {
  await db?.close();
  db = undefined;
});

/** A shop whose till T01 has rung up `sales` sales and one return; the events in order. */
function history(sales: number): { till: DeviceSim; events: DomainEvent[]; last: Sale } {
  const sim = new ShopSim({ seed: sales });
  owner.userId = sim.ownerId;
  const till = sim.addDevice('T01');
  const spec = DEMO_PRODUCTS[0];
  if (!spec) throw new Error('no demo product');
  const product = till.createProduct(spec);
  const events: DomainEvent[] = [
    product,
    till.receiveStock([{ productId: product.payload.productId, qty: 10_000 }]),
  ];
  let last: Sale | undefined;
  for (let i = 0; i < sales; i++) {
    sim.advance(60_000);
    last = till.sell([{ productId: product.payload.productId, qty: 1000 }], { pay: 'cash' });
    events.push(last);
  }
  if (!last) throw new Error('no sales');
  events.push(till.returnSale(last, [{ line: 0, qty: 1000, restock: true }]));
  return { till, events, last };
}

async function open(events: readonly DomainEvent[], till: DeviceSim) {
  db = await openTillDatabase({ name: `writer-${crypto.randomUUID()}`, indexedDB, IDBKeyRange });
  if (events.length > 0) await db.events.bulkInsert(events.map((e) => ({ ...e })));
  return { db, writer: tab(till, events) };
}

/** A writer on the open database, as a tab of the till that has folded `events` opens one. */
function tab(till: DeviceSim, events: readonly DomainEvent[] = []): LocalWriter {
  if (!db) throw new Error('no database is open');
  const projection = new ShopProjection();
  projection.apply(events);
  return new LocalWriter(
    db,
    { shopId: till.shop.shopId, deviceId: till.deviceId, code: till.code },
    { maxKey: () => projection.maxKey, apply: (e) => void projection.apply(e) },
    () => till.shop.nowMs,
  );
}

/** Ring up `sale`'s bill again through the writer, with a fresh number. */
async function sellAgain(writer: LocalWriter, sale: Sale): Promise<Sale> {
  const [event] = await writer.append(owner, async (ctx) => [
    {
      type: 'v1.SaleCompleted',
      payload: {
        ...sale.payload,
        invoiceNo: await ctx.allocate('invoice', sale.payload.businessDay),
      },
    },
  ]);
  return event as Sale;
}

describe('local writer numbering', () => {
  it('continues the device sequence and the invoice series of a long own history', async () => {
    const { till, events, last } = history(300);
    const { writer } = await open(events, till);
    const lastSeq = events.length;

    const first = await sellAgain(writer, last);
    expect(first.deviceSeq).toBe(lastSeq + 1);
    expect(first.payload.invoiceNo).toBe(last.payload.invoiceNo.replace(/\d{6}$/, '000301'));
    const second = await sellAgain(writer, last);
    expect(second.deviceSeq).toBe(lastSeq + 2);
    expect(second.payload.invoiceNo).toBe(last.payload.invoiceNo.replace(/\d{6}$/, '000302'));

    // Another tab of the same till writes a sale in between (under the device lock, which this
    // writer then no longer holds): its sequence and number count.
    const other = await sellAgain(tab(till), last);
    expect(other.deviceSeq).toBe(lastSeq + 3);
    expect(other.payload.invoiceNo).toBe(last.payload.invoiceNo.replace(/\d{6}$/, '000303'));
    const third = await sellAgain(writer, last);
    expect(third.deviceSeq).toBe(lastSeq + 4);
    expect(third.payload.invoiceNo).toBe(last.payload.invoiceNo.replace(/\d{6}$/, '000304'));

    // The credit-note series is found in the same history.
    const [credit] = await writer.append(owner, async (ctx) => [
      {
        type: 'v1.SaleReturned',
        payload: {
          ...(events.at(-1) as EventOfType<'v1.SaleReturned'>).payload,
          saleId: third.id,
          invoiceNo: third.payload.invoiceNo,
          creditNoteNo: await ctx.allocate('credit-note', last.payload.businessDay),
        },
      },
    ]);
    expect(credit?.deviceSeq).toBe(lastSeq + 5);
    expect((credit as EventOfType<'v1.SaleReturned'>).payload.creditNoteNo).toMatch(
      /^T01C\/\d{4}\/000002$/,
    );
  });

  it('finds the newest of its events across gaps in the stored sequence', async () => {
    const { till, events, last } = history(40);
    // Only some of the till's events are here yet (a restore still pulling, say).
    const kept = events.filter((e) => e.deviceSeq <= 2 || [5, 9, 17, 33].includes(e.deviceSeq));
    const { writer } = await open(kept, till);
    const sale = await sellAgain(writer, last);
    expect(sale.deviceSeq).toBe(34);
    const newest = kept.at(-1) as Sale;
    expect(sale.payload.invoiceNo).toBe(
      newest.payload.invoiceNo.replace(/\d{6}$/, (n) => String(Number(n) + 1).padStart(6, '0')),
    );
  });

  it('starts both series at 1 on a till with no events of its own', async () => {
    const { till, last } = history(1);
    const { writer } = await open([], till);
    const sale = await sellAgain(writer, last);
    expect(sale.deviceSeq).toBe(1);
    expect(sale.payload.invoiceNo).toMatch(/^T01\/\d{4}\/000001$/);
  });
});
