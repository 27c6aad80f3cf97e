/**
 * The `smartkirana` command on a linked shop server and its cloud, as a real process: replication
 * status (text and JSON), backup while the server runs, and restore with a new log identity.
 */
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@smartkirana/server/db/connect';
import { enrollDevice } from '@smartkirana/server/shops';
import {
  createTestShop,
  runCli,
  startTestServer,
  type TestServer,
  type TestShop,
} from '@smartkirana/server/testing';

describe('smartkirana replication, backup and restore', () => {
  let cloud: TestServer;
  let box: TestServer;
  let shop: TestShop;
  let serverCode: string;
  const files: string[] = [];

  beforeAll(async () => {
    cloud = await startTestServer('sqlite');
    shop = await createTestShop(cloud);
    const link = await enrollDevice(cloud.services, shop.shopId, shop.ownerId, {
      name: 'Shop box',
      kind: 'server',
    });
    serverCode = link.code;
    box = await startTestServer('sqlite', {
      UPSTREAM_URL: cloud.url,
      UPSTREAM_DEVICE_ID: link.deviceId,
      UPSTREAM_SECRET: link.secret,
      UPSTREAM_INTERVAL_MS: '200',
    });
    await box.services.upstream?.settled();
  });
  afterAll(async () => {
    await box.close();
    await cloud.close();
    for (const f of files) for (const x of [f, `${f}-wal`, `${f}-shm`]) rmSync(x, { force: true });
  });

  it('shows the link on both sides', async () => {
    const json = await runCli(['replication', '--json'], { DATABASE_URL: box.databaseUrl });
    expect(json.code).toBe(0);
    const [status] = JSON.parse(json.stdout) as {
      shopId: string;
      upstream: { url: string; unpushed: number; behind: number; lastError: string | null };
    }[];
    expect(status).toMatchObject({
      shopId: shop.shopId,
      upstream: { url: cloud.url, unpushed: 0, behind: 0, lastError: null },
    });
    const text = await runCli(['replication'], { DATABASE_URL: cloud.databaseUrl });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('upstream: none');
    expect(text.stdout).toContain(`downstream ${serverCode} Shop box`);
  });

  it('backs up a running server and restores the copy with a new log identity', async () => {
    const backup = join(tmpdir(), `sk-cli-backup-${crypto.randomUUID()}.db`);
    const restored = join(tmpdir(), `sk-cli-restored-${crypto.randomUUID()}.db`);
    files.push(backup, restored);
    const made = await runCli(['backup', '--to', backup], { DATABASE_URL: box.databaseUrl });
    expect(made.code).toBe(0);
    expect(existsSync(backup)).toBe(true);
    // An existing file is never overwritten.
    const again = await runCli(['backup', '--to', backup], { DATABASE_URL: box.databaseUrl });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists');

    const back = await runCli(['restore', '--from', backup], {
      DATABASE_URL: `sqlite:${restored}`,
    });
    expect(back.code).toBe(0);
    const db = await connect(`sqlite:${restored}`);
    try {
      const count = async (handle: TestServer['services']['db']) =>
        (await handle.db.selectFrom('events').select('id').execute()).length;
      expect(await count(db)).toBe(await count(box.services.db));
      const log = await db.db
        .selectFrom('server_state')
        .select('value')
        .where('key', '=', 'log_id')
        .executeTakeFirstOrThrow();
      expect(log.value).not.toBe(box.services.logId);
      expect(back.stdout).toContain(log.value);
    } finally {
      await db.close();
    }
    const missing = await runCli(['restore'], { DATABASE_URL: `sqlite:${restored}` });
    expect(missing.code).toBe(2);
  });
});
