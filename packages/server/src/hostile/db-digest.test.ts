/**
 * The digest the hostile suites rely on must see every change: an edited column, an added or
 * removed row, a new table; and must not see a mere change of storage order. On both databases.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestShop, dialects, startTestServer, type TestServer } from '../testing/index.ts';
import { changedTables, databaseDigest, shopRows, tableNames } from './db-digest.ts';

for (const dialect of await dialects()) {
  describe(`database digest on ${dialect}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
      await createTestShop(server);
    });
    afterAll(async () => {
      await server.close();
    });

    it('covers every table of the schema', async () => {
      const tables = await tableNames(server.services.db);
      expect(tables).toEqual(
        expect.arrayContaining(['events', 'quarantine', 'users', 'devices', 'otps', 'stock']),
      );
      expect(Object.keys(await databaseDigest(server.services.db)).sort()).toEqual(
        [...tables].sort(),
      );
    });

    it('changes with any column of any row, and only for that table', async () => {
      const { db } = server.services.db;
      const before = await databaseDigest(server.services.db);
      const device = await db
        .selectFrom('devices')
        .select(['id', 'name'])
        .executeTakeFirstOrThrow();
      await db
        .updateTable('devices')
        .set({ name: 'Renamed' })
        .where('id', '=', device.id)
        .execute();
      expect(changedTables(before, await databaseDigest(server.services.db))).toEqual(['devices']);
      await db
        .updateTable('devices')
        .set({ name: device.name })
        .where('id', '=', device.id)
        .execute();
      expect(await databaseDigest(server.services.db)).toEqual(before);
    });

    it('sees rows added and removed, and ignores the order rows are stored in', async () => {
      const { db } = server.services.db;
      const before = await databaseDigest(server.services.db);
      const row = await db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
      await db
        .deleteFrom('memberships')
        .where('user_id', '=', row.id)
        .execute()
        .catch(() => []);
      const afterDelete = await databaseDigest(server.services.db);
      expect(changedTables(before, afterDelete)).toContain('memberships');
      const shop = await db.selectFrom('shops').select('id').executeTakeFirstOrThrow();
      await db
        .insertInto('memberships')
        .values({
          user_id: row.id,
          shop_id: shop.id,
          role: 'owner',
          pin_hash: null,
          created_at: 0,
          removed_at: null,
          updated_at: null,
        })
        .execute();
      const reinserted = await databaseDigest(server.services.db);
      expect(changedTables(afterDelete, reinserted)).toEqual(['memberships']);
      await sql`create table digest_probe (x integer)`.execute(db);
      expect(changedTables(reinserted, await databaseDigest(server.services.db))).toEqual([
        'digest_probe',
      ]);
      await sql`drop table digest_probe`.execute(db);
    });

    it("selects one shop's rows", async () => {
      const other = await createTestShop(server, { seed: 2 });
      const { db } = server.services.db;
      const slice = shopRows(other.shopId, [other.ownerId, other.cashierId]);
      const before = await databaseDigest(server.services.db, slice);
      await db
        .updateTable('users')
        .set({ name: 'Elsewhere' })
        .where('id', '!=', other.ownerId)
        .where('id', '!=', other.cashierId)
        .execute();
      expect(await databaseDigest(server.services.db, slice)).toEqual(before);
      await db
        .updateTable('users')
        .set({ name: 'Changed' })
        .where('id', '=', other.ownerId)
        .execute();
      expect(changedTables(before, await databaseDigest(server.services.db, slice))).toEqual([
        'users',
      ]);
    });
  });
}
