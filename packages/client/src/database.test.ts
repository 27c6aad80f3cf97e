import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { generateShop } from '@smartkirana/domain/testing';
import { openTillDatabase } from './database.ts';

describe('till database', () => {
  it('keeps events across close and reopen', async () => {
    const { events } = generateShop({ seed: 3, tills: 1, days: 1, salesPerDay: 5 });
    const name = `t${Date.now()}`;
    const db = await openTillDatabase({ name, indexedDB, IDBKeyRange });
    await db.events.bulkInsert(events.map((e) => ({ ...e })));
    await db.close();
    const again = await openTillDatabase({ name, indexedDB, IDBKeyRange });
    expect(await again.events.count().exec()).toBe(events.length);
    const last = await again.events
      .findOne({
        selector: { deviceId: events[0]!.deviceId },
        sort: [{ deviceId: 'desc' }, { deviceSeq: 'desc' }],
      })
      .exec();
    expect(last?.deviceSeq).toBeGreaterThan(0);
    await again.remove();
  });
});
