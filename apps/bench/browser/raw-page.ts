/**
 * The raw baseline page: the shop's log pulled with the till's own transport (not timed), then
 * written with plain Dexie `bulkPut` into a fresh IndexedDB database with the same primary key and
 * indexes as the till's `events` collection; then, if asked, sales written one at a time into
 * that database as a till commits them (one `put` per transaction). A page of its own: RxDB brings its own Dexie, and
 * Dexie refuses two versions in one page.
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import Dexie, { type Table } from 'dexie';
import type { BulkPutInput, RawPageApi } from './api.ts';
import { pullAll } from './pull-all.ts';

const api: RawPageApi = {
  async rawBulkPut(input: BulkPutInput) {
    const events = await pullAll(input.credential, input.expected);
    const db = new Dexie(`raw-bulkput-${crypto.randomUUID()}`);
    db.version(1).stores({ events: 'id, [deviceId+deviceSeq], [deviceId+type+deviceSeq]' });
    await db.open();
    try {
      const table = db.table<DomainEvent, string>('events');
      const started = performance.now();
      for (let i = 0; i < events.length; i += input.batch)
        await table.bulkPut(events.slice(i, i + input.batch));
      const ms = performance.now() - started;
      const stored = await table.count();
      if (stored !== events.length)
        throw new Error(`raw Dexie stored ${stored} of ${events.length}`);
      if (!input.puts) return { events: stored, ms };
      return { events: stored, ms, putSamples: await singlePuts(table, events, input.puts) };
    } finally {
      db.close();
      await Dexie.delete(db.name);
    }
  },
};

/**
 * Sales of the log written again under new ids and the next sequence numbers of a device of
 * their own, each in its own `put`, timed from the call until its transaction has committed.
 */
async function singlePuts(
  table: Table<DomainEvent, string>,
  events: readonly DomainEvent[],
  { count, gapMs }: { count: number; gapMs: number },
): Promise<number[]> {
  const sales = events.filter((e) => e.type === 'v1.SaleCompleted');
  if (sales.length === 0) throw new Error('the log holds no sales to write again');
  const deviceId = crypto.randomUUID();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const sale = sales[i % sales.length] as DomainEvent;
    const event = { ...sale, id: crypto.randomUUID(), deviceId, deviceSeq: i + 1, at: Date.now() };
    const started = performance.now();
    await table.put(event);
    samples.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return samples;
}

(globalThis as unknown as { bench: RawPageApi }).bench = api;
