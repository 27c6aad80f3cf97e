/**
 * Schema migrations, in code so they ship with the server and run on start (and by `migrate`).
 * Append new migrations; never edit one that has shipped.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('shops')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('gstin', 'text')
      .addColumn('state_code', 'text', (c) => c.notNull())
      .addColumn('registration', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('server_device_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('phone', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('memberships')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('pin_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('removed_at', 'bigint')
      .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'shop_id'])
      .execute();
    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_seen_at', 'bigint')
      .addUniqueConstraint('devices_shop_code', ['shop_id', 'code'])
      .execute();
    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('replaced_by', 'text')
      .execute();
    await db.schema
      .createIndex('refresh_tokens_family')
      .on('refresh_tokens')
      .column('family_id')
      .execute();
    await db.schema
      .createTable('otps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('phone', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('consumed_at', 'bigint')
      .execute();
    await db.schema.createIndex('otps_phone').on('otps').columns(['phone', 'created_at']).execute();
    await db.schema
      .createTable('events')
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('device_seq', 'bigint', (c) => c.notNull())
      .addColumn('hlc', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('events_pk', ['shop_id', 'seq'])
      .addUniqueConstraint('events_device_seq', ['device_id', 'device_seq'])
      .execute();
    await db.schema
      .createTable('quarantine')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('device_seq', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('quarantine_shop')
      .on('quarantine')
      .columns(['shop_id', 'received_at'])
      .execute();
    await db.schema
      .createTable('stock')
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('product_id', 'text', (c) => c.notNull())
      .addColumn('qty', 'bigint', (c) => c.notNull())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('stock_pk', ['shop_id', 'product_id'])
      .execute();
    await db.schema
      .createTable('balances')
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('balances_pk', ['shop_id', 'day', 'account'])
      .execute();
    await db.schema
      .createTable('party_balances')
      .addColumn('shop_id', 'text', (c) => c.notNull())
      .addColumn('party_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('balance', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('party_balances_pk', ['shop_id', 'kind', 'party_id'])
      .execute();
    await db.schema
      .createTable('device_counters')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('series', 'text', (c) => c.notNull())
      .addColumn('fy', 'text', (c) => c.notNull())
      .addColumn('last', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_counters_pk', ['device_id', 'series'])
      .execute();
    await db.schema
      .createTable('server_state')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of [
      'server_state',
      'device_counters',
      'party_balances',
      'balances',
      'stock',
      'quarantine',
      'events',
      'otps',
      'refresh_tokens',
      'devices',
      'memberships',
      'users',
      'shops',
    ]) {
      await sql`drop table if exists ${sql.table(t)}`.execute(db);
    }
  },
};

/** Tills report how many events they still hold unacknowledged, for the owner's dashboard. */
const deviceBacklog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').addColumn('unsynced', 'integer').execute();
    await db.schema.alterTable('devices').addColumn('unsynced_at', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').dropColumn('unsynced_at').execute();
    await db.schema.alterTable('devices').dropColumn('unsynced').execute();
  },
};

/**
 * Replication between servers: where each event came from (events pulled from an upstream server
 * are never pushed back to it), when each directory row last changed (rows are merged between
 * servers last-writer-wins), how far each device has pulled, and a server's link to its upstream.
 */
const replication: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('events')
      .addColumn('from_upstream', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    for (const table of ['users', 'memberships', 'devices']) {
      await db.schema.alterTable(table).addColumn('updated_at', 'bigint').execute();
      await sql`update ${sql.table(table)} set updated_at = created_at`.execute(db);
    }
    await db.schema.alterTable('devices').addColumn('pulled_seq', 'bigint').execute();
    await db.schema.alterTable('devices').addColumn('pulled_at', 'bigint').execute();
    await db.schema
      .createTable('upstream_links')
      .addColumn('shop_id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('pushed_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('pulled_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('upstream_log', 'text')
      .addColumn('upstream_head', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_push_at', 'bigint')
      .addColumn('last_pull_at', 'bigint')
      .addColumn('last_directory_at', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('upstream_links').execute();
    await db.schema.alterTable('devices').dropColumn('pulled_at').execute();
    await db.schema.alterTable('devices').dropColumn('pulled_seq').execute();
    for (const table of ['devices', 'memberships', 'users'])
      await db.schema.alterTable(table).dropColumn('updated_at').execute();
    await db.schema.alterTable('events').dropColumn('from_upstream').execute();
  },
};

/**
 * Device clocks: the skew the server last measured from a device's sync request (its wall clock
 * against the server's), so a till whose clock is wrong is flagged to the owner.
 */
const deviceClock: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').addColumn('clock_skew_ms', 'bigint').execute();
    await db.schema.alterTable('devices').addColumn('clock_checked_at', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').dropColumn('clock_checked_at').execute();
    await db.schema.alterTable('devices').dropColumn('clock_skew_ms').execute();
  },
};

/** Every migration, by name; names sort in the order they apply. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_device_backlog': deviceBacklog,
  '0003_replication': replication,
  '0004_device_clock': deviceClock,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
