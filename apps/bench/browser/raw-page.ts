/**
 * The raw baseline page: the shop's log pulled with the till's own transport (not timed), then
 * written with plain Dexie `bulkPut` into a fresh IndexedDB database with the same primary key and
 * indexes as the till's `events` collection. A page of its own: RxDB brings its own Dexie, and
 * Dexie refuses two versions in one page.
 */
import type { DomainEvent } from '@smartkirana/domain/events';
import Dexie from 'dexie';
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
      return { events: stored, ms };
    } finally {
      db.close();
      await Dexie.delete(db.name);
    }
  },
};

(globalThis as unknown as { bench: RawPageApi }).bench = api;
