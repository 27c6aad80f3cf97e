/**
 * Bugs the hostile suite found, each replayed with its exact failing input on SQLite and Postgres.
 * Each test states what must hold; it fails until the bug is fixed in the code that owns it
 * (derivation and ingest), and stays as a regression test after.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDerived } from '../derived-store.ts';
import { rebuildShop } from '../rebuild.ts';
import { dialects, pushRequest } from '../testing/index.ts';
import { changedTables, databaseDigest } from './db-digest.ts';
import { buildWorld, type World } from './world.ts';

for (const dialect of await dialects()) {
  describe(`found by fuzzing, on ${dialect}`, () => {
    // A fresh world per test: each bug leaves its shop in a state the next test must not inherit.
    let world: World;
    beforeEach(async () => {
      world = await buildWorld(dialect);
    });
    afterEach(async () => {
      await world.server.close();
    });

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await world.server.app.request(path, {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${world.tokens.ownerA}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, text };
    };

    it('refuses stock whose value would leave the safe range, and keeps the catalogue readable', async () => {
      // Fuzzing input: POST /api/v1/inventory/adjustments {qtyDelta: 749299130631} twice. Each
      // adjustment is within the field limits; together they valued the stock above 2^53 paise.
      // Found: the second was committed and answered 500, and from then on every read that values
      // stock (products, inventory, dashboard) answered 500. Now a product's stock value may not
      // pass MAX_AMOUNT: adjustments are accepted until one would, and that one is refused.
      const productId = world.ids.a.productId ?? '';
      const body = { productId, qtyDelta: 749_299_130, reason: 'found' };
      let refused: { status: number; text: string } | undefined;
      for (let i = 0; i < 40 && !refused; i++) {
        const before = await databaseDigest(world.server.services.db);
        const res = await call('POST', '/api/v1/inventory/adjustments', body);
        if (res.status === 201) continue;
        refused = res;
        expect(res.status, res.text).toBe(422);
        expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'validation_failed' } });
        expect(changedTables(before, await databaseDigest(world.server.services.db))).toEqual([]);
      }
      expect(refused, 'an adjustment beyond the safe range was accepted').toBeDefined();
      for (const path of ['/api/v1/products', '/api/v1/inventory', '/api/v1/reports/dashboard'])
        expect({ path, status: (await call('GET', path)).status }).toEqual({ path, status: 200 });
    });

    it('holds back a pushed event that would value stock beyond the safe range', async () => {
      // The same adjustments pushed by a till: those that keep the value exact are accepted, the
      // first that would not is quarantined (out_of_range), and so is everything like it after.
      const till = world.b.tillSim;
      till.actorId = world.b.ownerId;
      const productId = world.ids.b.productId ?? '';
      const events = Array.from({ length: 40 }, () => till.adjust(productId, 749_299_130, 'found'));
      const res = await world.server.app.request(
        '/sync/v1/push',
        pushRequest(world.tokens.tillB, events),
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { status: string; code?: string }[] };
      const statuses = body.results.map((r) => r.status);
      const firstHeld = statuses.indexOf('quarantined');
      expect(firstHeld, statuses.join()).toBeGreaterThan(0);
      expect(statuses.slice(0, firstHeld).every((s) => s === 'accepted')).toBe(true);
      expect(body.results.slice(firstHeld).every((r) => r.code === 'out_of_range')).toBe(true);
      for (const path of ['/api/v1/products', '/api/v1/inventory', '/api/v1/reports/dashboard']) {
        const read = await world.server.app.request(path, {
          headers: { authorization: `Bearer ${world.tokens.ownerB}` },
        });
        expect({ path, status: read.status }).toEqual({ path, status: 200 });
      }
      const s = world.server.services;
      const incremental = await readDerived(s.db.db, world.b.shopId);
      await rebuildShop(s, world.b.shopId);
      expect(await readDerived(s.db.db, world.b.shopId)).toEqual(incremental);
    });

    it('keeps derived khata balances equal to a rebuild after a khata sale is voided', async () => {
      // Fuzzing input: POST /api/v1/sales/:saleId/void {reason} on a khata (credit) sale. Found:
      // the incremental party_balances keeps a row with balance 0; a rebuild has no row at all.
      const s = world.server.services;
      const shopId = world.a.shopId;
      const voided = await call('POST', `/api/v1/sales/${world.ids.a.saleId ?? ''}/void`, {
        reason: 'entered by mistake',
      });
      expect(voided.status).toBe(201);
      const incremental = await readDerived(s.db.db, shopId);
      await rebuildShop(s, shopId);
      expect(await readDerived(s.db.db, shopId)).toEqual(incremental);
    });

    it('answers a second copy of an id with other content in the same push as a conflict', async () => {
      // Fuzzing input: one push whose rows hold the same event id twice, the second with another
      // `at`. Found: both rows are answered `accepted` with the same sequence although only the
      // first content is stored; the till believes its second version is the master.
      const till = world.a.tillSim;
      till.actorId = world.a.ownerId;
      const event = till.createCustomer('Twice Customer');
      const other = { ...event, at: event.at + 1_000 };
      const res = await world.server.app.request(
        '/sync/v1/push',
        pushRequest(world.tokens.tillA, [event, other]),
      );
      const body = (await res.json()) as {
        results: { status: string; code?: string }[];
        conflicts: { id: string }[];
      };
      expect(body.results[0]?.status).toBe('accepted');
      expect(body.results[1]).toMatchObject({ status: 'rejected', code: 'id_conflict' });
      expect(body.conflicts.map((c) => c.id)).toEqual([event.id]);
    });
  });
}
