/**
 * `smartkirana <command>`: the server's command line. Configuration comes from the environment
 * (see `--help`); the database defaults to an embedded SQLite file under ./data.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@smartkirana/server/config';
import { connect, migrate } from '@smartkirana/server/db/connect';
import { createLogger } from '@smartkirana/server/logger';
import { createServices, startServer } from '@smartkirana/server/server';
import { seedDemo } from '@smartkirana/server/demo-seed';
import { rebuildAll, rebuildShop } from '@smartkirana/server/rebuild';
import { createShop } from '@smartkirana/server/shops';
import { backupSqlite, markRestored, restoreSqlite } from '@smartkirana/server/backup';
import { replicationStatus, type ReplicationStatus } from '@smartkirana/server/replication/routes';
import { DEMO_SHOP } from '@smartkirana/domain/demo-catalog';

const HELP = `smartkirana — offline-first sync server for kirana shops

Usage: smartkirana <command> [options]

Commands:
  serve [--demo]        Start the server. --demo loads the demo shop when the database is empty.
  migrate               Bring the database schema up to date and exit.
  seed                  Load the demo shop (owner ${DEMO_SHOP.ownerPhone} / ${DEMO_SHOP.ownerPassword}).
  rebuild [--shop ID]   Re-derive stock, books and balances from the event log.
  create-shop --name N --state SS --owner-name N --phone P --password W [--gstin G] [--registration R]
                        Register a shop and its owner.
  replication [--shop ID] [--json]
                        Show replication status: this server's upstream link (events waiting to
                        go up, events behind, last error) and the servers linked below it.
  backup --to FILE      Write a consistent copy of the embedded database (safe while serving).
  restore --from FILE   Replace the embedded database with a backup and give its log a new
                        identity (tills and linked servers re-sync; the upstream sends back the rest).
  restore --mark-only   After restoring Postgres with pg_restore: give its log a new identity.

Environment:
  DATABASE_URL          sqlite:./data/smartkirana.db (default) or postgres://user@host/db
  PORT, HOST            where to listen (default 127.0.0.1:8080)
  JWT_SECRET            signing key (default: generated once and kept in the database)
  STATIC_DIR            built PWA to serve at /
  LOG_LEVEL             debug | info | warn | error
  SQLITE_SYNCHRONOUS    FULL (default) | NORMAL
  UPSTREAM_URL          the upstream server to replicate this shop to (a shop server's cloud)
  UPSTREAM_DEVICE_ID    the server device enrolled for this server at the upstream shop
  UPSTREAM_SECRET       its secret (all three UPSTREAM_ settings, or none)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 1;
  }
  const config = loadConfig({ ...process.env, STATIC_DIR: process.env.STATIC_DIR ?? builtPwa() });
  const log = createLogger(config.LOG_LEVEL);
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: { demo: { type: 'boolean', default: false } },
      });
      const server = await startServer(config, { log });
      if (values.demo) {
        const shops = await server.services.db.db
          .selectFrom('shops')
          .select('id')
          .limit(1)
          .execute();
        if (shops.length === 0) {
          const demo = await seedDemo(server.services);
          log.info('demo shop loaded', {
            shopId: demo.shopId,
            events: demo.events,
            owner: DEMO_SHOP.ownerPhone,
          });
        }
      }
      process.stdout.write(
        `SmartKirana on ${server.url}\n  counter PWA: ${config.STATIC_DIR ? `${server.url}/` : 'not built (pnpm --filter @smartkirana/pos build)'}\n  API docs:    ${server.url}/api/docs\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      log.info('shutting down');
      await server.close();
      return 0;
    }
    case 'migrate': {
      const db = await connect(config.DATABASE_URL, { migrate: false });
      const applied = await migrate(db);
      process.stdout.write(
        applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n',
      );
      await db.close();
      return 0;
    }
    case 'seed': {
      const { services, stop } = await createServices(config, { log });
      const demo = await seedDemo(services);
      process.stdout.write(
        `demo shop ${demo.shopId}: ${demo.events} events; owner ${DEMO_SHOP.ownerPhone} / ${DEMO_SHOP.ownerPassword}\n`,
      );
      stop();
      await services.db.close();
      return 0;
    }
    case 'rebuild': {
      const { values } = parseArgs({ args: rest, options: { shop: { type: 'string' } } });
      const { services, stop } = await createServices(config, { log });
      const done = values.shop
        ? [{ shopId: values.shop, events: await rebuildShop(services, values.shop) }]
        : await rebuildAll(services);
      for (const r of done) process.stdout.write(`rebuilt ${r.shopId}: ${r.events} events\n`);
      stop();
      await services.db.close();
      return 0;
    }
    case 'create-shop': {
      const { values } = parseArgs({
        args: rest,
        options: {
          name: { type: 'string' },
          state: { type: 'string' },
          'owner-name': { type: 'string' },
          phone: { type: 'string' },
          password: { type: 'string' },
          gstin: { type: 'string' },
          registration: { type: 'string', default: 'regular' },
        },
      });
      const { name, state, phone, password } = values;
      const ownerName = values['owner-name'];
      const registration = values.registration;
      if (
        !name ||
        !state ||
        !ownerName ||
        !phone ||
        !password ||
        (registration !== 'regular' &&
          registration !== 'composition' &&
          registration !== 'unregistered')
      ) {
        process.stderr.write(
          'create-shop needs --name, --state, --owner-name, --phone, --password (and a valid --registration)\n',
        );
        return 2;
      }
      const { services, stop } = await createServices(config, { log });
      const shop = await createShop(services, {
        name,
        stateCode: state,
        gstin: values.gstin,
        registration,
        owner: { name: ownerName, phone, password },
      });
      process.stdout.write(`shop ${shop.shopId} created; owner ${phone}\n`);
      stop();
      await services.db.close();
      return 0;
    }
    case 'replication': {
      const { values } = parseArgs({
        args: rest,
        options: { shop: { type: 'string' }, json: { type: 'boolean', default: false } },
      });
      const { services, stop } = await createServices(config, { log });
      const shops = values.shop
        ? [values.shop]
        : (await services.db.db.selectFrom('shops').select('id').orderBy('id').execute()).map(
            (r) => r.id,
          );
      const report = [];
      for (const shopId of shops)
        report.push({ shopId, ...(await replicationStatus(services, shopId)) });
      process.stdout.write(
        values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReplication(report),
      );
      stop();
      await services.feed.close();
      await services.db.close();
      return 0;
    }
    case 'backup': {
      const { values } = parseArgs({ args: rest, options: { to: { type: 'string' } } });
      if (!values.to) {
        process.stderr.write('backup needs --to FILE\n');
        return 2;
      }
      const db = await connect(config.DATABASE_URL);
      try {
        await backupSqlite(db, values.to);
      } finally {
        await db.close();
      }
      process.stdout.write(`backed up to ${values.to}\n`);
      return 0;
    }
    case 'restore': {
      const { values } = parseArgs({
        args: rest,
        options: { from: { type: 'string' }, 'mark-only': { type: 'boolean', default: false } },
      });
      if (values['mark-only']) {
        const db = await connect(config.DATABASE_URL);
        const logId = await markRestored(db).finally(() => db.close());
        process.stdout.write(`log marked as restored (${logId})\n`);
        return 0;
      }
      if (!values.from) {
        process.stderr.write('restore needs --from FILE (or --mark-only after pg_restore)\n');
        return 2;
      }
      const logId = await restoreSqlite(config.DATABASE_URL, values.from);
      process.stdout.write(`restored from ${values.from}; new log ${logId}\n`);
      return 0;
    }
    default:
      process.stderr.write(`unknown command ${command}\n\n${HELP}`);
      return 2;
  }
}

type ShopReplication = { shopId: string } & ReplicationStatus;

/** Replication status as text, one block per shop. */
function formatReplication(report: readonly ShopReplication[]): string {
  const when = (t: number | null | undefined): string =>
    t === null || t === undefined ? 'never' : new Date(t).toISOString();
  const lines: string[] = [];
  for (const shop of report) {
    lines.push(`shop ${shop.shopId}`);
    const up = shop.upstream;
    if (!up) lines.push('  upstream: none (this server is the top of its shop)');
    else {
      lines.push(`  upstream: ${up.url} as device ${up.deviceId}`);
      lines.push(
        `    waiting to go up: ${up.unpushed} events${up.oldestUnpushedAt ? ` (oldest received ${when(up.oldestUnpushedAt)})` : ''}`,
      );
      lines.push(`    behind upstream:  ${up.behind} events (upstream head ${up.upstreamHead})`);
      lines.push(`    last push ${when(up.lastPushAt)}, last pull ${when(up.lastPullAt)}`);
      if (up.refused > 0) lines.push(`    refused upstream: ${up.refused} events`);
      lines.push(
        `    last error: ${up.lastError ? `${up.lastError} (${when(up.lastErrorAt)})` : 'none'}`,
      );
    }
    if (shop.downstream.length === 0) lines.push('  downstream servers: none');
    for (const d of shop.downstream)
      lines.push(
        `  downstream ${d.code} ${d.name}${d.revoked ? ' (revoked)' : ''}: last seen ${when(d.lastSeenAt)}, ` +
          `waiting to push ${d.unpushed ?? '?'}, behind ${d.behind ?? '?'}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** The PWA built next to this app (apps/pos/dist), if it has been built. */
function builtPwa(): string | undefined {
  const dir = resolve(import.meta.dirname, '../../pos/dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
