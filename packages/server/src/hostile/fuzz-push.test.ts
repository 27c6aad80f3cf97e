/**
 * Fuzzing the push endpoint on SQLite and Postgres with batches of real events, mutated and
 * misattributed (see `push-arbitrary.ts`); `FUZZ_RUNS × 40` pushes per dialect (default 240).
 *
 * Proven for every push: no 5xx; a refused push (4xx with a stable code) changes no table; an
 * answered push reports every row in order and truthfully — an id stored before answers
 * `duplicate` (same content, same sequence) or `rejected`/`id_conflict` (other content, with the
 * stored master state among the conflicts), never `accepted`; a second copy of an id in one batch
 * gets the first copy's answer, or `id_conflict` if its content differs; a revoked till, a stranger, another
 * shop's owner, or a role without the right never gets an event accepted; whatever is accepted is
 * stored exactly as decoded, in the pushing shop, under the pushing till. After the run, derived
 * rows equal a rebuild and the books balance; no secret reached the log.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, type DomainEvent } from '@smartkirana/domain/events';
import type { Role } from '@smartkirana/domain/event-fields';
import { mayRecordEvent } from '@smartkirana/domain/permissions';
import type { DeviceSim } from '@smartkirana/domain/testing';
import { readDerived } from '../derived-store.ts';
import { expectNoSecretsLogged } from '../http/auth-test-support.ts';
import { rebuildShop } from '../rebuild.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../sync/protocol.ts';
import { dialects, type TestShop } from '../testing/index.ts';
import { Watch, type Probe } from './probe.ts';
import { altered, dress, emitEvent, pushPlan, type PushPlan } from './push-arbitrary.ts';
import { buildWorld, type TokenName, type World } from './world.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6) * 40;
const RXDB_FIELDS = ['_deleted', '_rev', '_meta', '_attachments'];

interface PushAnswer {
  results: { id: unknown; status: string; code?: string; seq?: number }[];
  conflicts: { id?: unknown }[];
}

for (const dialect of await dialects()) {
  describe(`fuzzing the push endpoint on ${dialect}`, () => {
    let world: World;
    let watch: Watch;
    let devices: Partial<Record<TokenName, DeviceSim>>;
    /** Documents pushed so far, for replays. */
    const history: Record<string, unknown>[] = [];
    let started = 0;
    let accepted = 0;

    beforeAll(async () => {
      world = await buildWorld(dialect);
      started = Date.now();
      watch = new Watch(world.server.app, world.server.services.db, () => world.secrets);
      const { a, b } = world;
      devices = {
        tillA: a.tillSim,
        ownerA: a.tillSim,
        serverA: a.tillSim,
        phoneA: a.sim.addDevice('M01', { deviceId: world.devices.phoneA }),
        revokedTillA: a.sim.addDevice('T02', { deviceId: world.devices.revokedTillA }),
        tillB: b.tillSim,
      };
    });
    afterAll(async () => {
      const t = watch.tally;
      console.info(
        `push fuzz ${dialect}: ${t.requests} pushes (${t.refused} refused, ${t.accepted} answered, ` +
          `${accepted} events accepted), 5xx ${t.fiveXx}, digest changes ${t.digestChanges}, ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s; by status ${JSON.stringify(t.byStatus)}`,
      );
      await world.server.close();
    });

    it('never 5xx; a refused push stores nothing; an answered push tells the truth', async () => {
      await fc.assert(
        fc.asyncProperty(pushPlan(), fc.nat(), async (plan, pick) => {
          const device = devices[plan.sender] ?? world.a.tillSim;
          const side = plan.sender === 'tillB' ? 'b' : 'a';
          const docs: Record<string, unknown>[] = [];
          for (const ep of plan.events) {
            const doc = dress(world, emitEvent(world, device, ep, side), ep, side);
            docs.push(doc);
            if (ep.twin === 'same') docs.push({ ...doc });
            if (ep.twin === 'altered') docs.push(altered(doc));
          }
          const old = history[pick % Math.max(history.length, 1)];
          if (plan.replay !== 'none' && old) docs.push(plan.replay === 'same' ? old : altered(old));
          history.push(...docs.slice(0, 2));

          const ids = docs.map((d) => d.id).filter((id): id is string => typeof id === 'string');
          const before = await storedEvents(world, ids);
          const { answer, problems } = await watch.probe(
            'POST /sync/v1/push',
            probeOf(world, plan, docs),
          );
          expect(problems).toEqual([]);
          const wellFormed =
            plan.encoding === 'json' && (plan.shape === 'rows' || plan.shape === 'array');
          if (answer.status !== 200 || !wellFormed) return;
          const body = JSON.parse(answer.text) as PushAnswer;
          const after = await storedEvents(world, ids);
          accepted += checkAnswer(world, plan.sender, device.deviceId, docs, body, before, after);
        }),
        { numRuns: RUNS },
      );
      expect(watch.tally.fiveXx).toBe(0);
      expect(watch.tally.digestChanges).toBe(0);
      expect(accepted).toBeGreaterThan(RUNS / 10);
    }, 600_000);

    it('leaves derived rows equal to a rebuild from the log, and the books balanced', async () => {
      const s = world.server.services;
      for (const shopId of [world.a.shopId, world.b.shopId]) {
        const incremental = await readDerived(s.db.db, shopId);
        await rebuildShop(s, shopId);
        expect(await readDerived(s.db.db, shopId)).toEqual(incremental);
        const sum = await s.db.db
          .selectFrom('balances')
          .select((eb) => eb.fn.sum<number | string>('amount').as('total'))
          .where('shop_id', '=', shopId)
          .executeTakeFirst();
        expect(Number(sum?.total ?? 0)).toBe(0);
      }
      const strays = await s.db.db.selectFrom('events').select(['shop_id', 'body']).execute();
      for (const row of strays)
        expect((JSON.parse(row.body) as { shopId: string }).shopId).toBe(row.shop_id);
    });

    it('wrote no secret to the log', () => {
      expectNoSecretsLogged(world.server, world.secrets, 'signed in');
    });
  });
}

/** The request a push plan describes. */
function probeOf(world: World, plan: PushPlan, docs: Record<string, unknown>[]): Probe {
  const rows = docs.map((d, i) => ({
    assumedMasterState: null,
    newDocumentState: plan.shape === 'deleted' && i === 0 ? { ...d, _deleted: true } : d,
  }));
  const payload =
    plan.shape === 'array'
      ? rows
      : plan.shape === 'junk-rows'
        ? { rows: [...rows, ...plan.junk] }
        : plan.shape === 'overflow'
          ? { rows: Array.from({ length: 1_001 }, (_, i) => rows[i % rows.length]) }
          : { rows };
  const text = JSON.stringify(payload);
  const body =
    plan.encoding === 'bad-bytes'
      ? new Uint8Array([
          ...Buffer.from(text.slice(0, 20)),
          0xff,
          0xc3,
          0x28,
          ...Buffer.from(text.slice(20)),
        ])
      : plan.encoding === 'truncated'
        ? text.slice(0, Math.floor(text.length / 2))
        : plan.encoding === 'oversize'
          ? JSON.stringify({ rows, pad: 'x'.repeat(4 * 1024 * 1024) })
          : text;
  const headers: Record<string, string> = {
    authorization: `Bearer ${world.tokens[plan.sender]}`,
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
  };
  if (plan.contentType !== undefined) headers['content-type'] = plan.contentType;
  return { method: 'POST', path: '/sync/v1/push', headers, body };
}

interface Stored {
  events: Map<string, { seq: number; body: string; shop_id: string; device_id: string }>;
  quarantined: Set<string>;
}

async function storedEvents(world: World, ids: string[]): Promise<Stored> {
  const db = world.server.services.db.db;
  if (ids.length === 0) return { events: new Map(), quarantined: new Set() };
  const rows = await db
    .selectFrom('events')
    .select(['id', 'seq', 'body', 'shop_id', 'device_id'])
    .where('id', 'in', ids)
    .execute();
  const held = await db.selectFrom('quarantine').select('id').where('id', 'in', ids).execute();
  return {
    events: new Map(rows.map((r) => [r.id, r])),
    quarantined: new Set(held.map((r) => r.id)),
  };
}

/** Check an answered push row by row; returns how many events it accepted. */
function checkAnswer(
  world: World,
  sender: TokenName,
  senderDevice: string,
  docs: Record<string, unknown>[],
  body: PushAnswer,
  before: Stored,
  after: Stored,
): number {
  expect(body.results.map((r) => r.id)).toEqual(docs.map((d) => d.id));
  const relay = sender === 'serverA';
  const shop = sender === 'tillB' ? world.b : world.a;
  const firstSeen = new Map<string, number>();
  let accepted = 0;
  docs.forEach((doc, i) => {
    const id = String(doc.id);
    const result = body.results[i];
    const decoded = decode(doc);
    const stored = before.events.get(id);
    const where = `row ${i} (${String(doc.type)})`;
    if (stored) {
      // Stored before this push: a duplicate if the content is the same, else a conflict.
      if (sameContent(stored.body, decoded))
        expect({ where, ...result }).toMatchObject({ where, status: 'duplicate', seq: stored.seq });
      else {
        expect({ where, ...result }).toMatchObject({
          where,
          status: 'rejected',
          code: 'id_conflict',
        });
        expect(body.conflicts.map((c) => c.id)).toContain(id);
      }
      return;
    }
    if (before.quarantined.has(id)) {
      expect({ where, status: result?.status }).toEqual({ where, status: 'quarantined' });
      return;
    }
    const first = firstSeen.get(id);
    if (first !== undefined) {
      // A second copy in the same batch: the first copy's answer if it is the same event, else a
      // conflict; it is never stored over the first.
      const firstDoc = decode(docs[first] ?? {});
      if (decoded && firstDoc && canonical(decoded) === canonical(firstDoc))
        expect({ where, ...result }).toEqual({ where, ...body.results[first] });
      else if (decoded)
        expect({ where, ...result }).toMatchObject({
          where,
          status: 'rejected',
          code: 'id_conflict',
        });
      const kept = after.events.get(id);
      if (kept && firstDoc) expect(sameContent(kept.body, firstDoc)).toBe(true);
      return;
    }
    firstSeen.set(id, i);
    if (result?.status !== 'accepted') return;
    accepted += 1;
    const role = roleOf(shop, String(doc.actorId));
    expect(sender === 'revokedTillA', `${where}: a revoked till's event was accepted`).toBe(false);
    if (!relay) {
      expect(role, `${where}: accepted from a stranger`).toBeDefined();
      if (role && decoded) expect(mayRecordEvent(role, decoded), `${where}: role`).toBe(true);
    }
    const kept = after.events.get(id);
    expect(kept, `${where}: accepted but not stored`).toBeDefined();
    expect(kept?.shop_id).toBe(shop.shopId);
    if (!relay) expect(kept?.device_id).toBe(senderDevice);
    expect(kept && sameContent(kept.body, decoded), `${where}: stored other content`).toBe(true);
  });
  return accepted;
}

function roleOf(shop: TestShop, actorId: string): Role | undefined {
  if (actorId === shop.ownerId) return 'owner';
  if (actorId === shop.cashierId) return 'cashier';
  return undefined;
}

/**
 * The event the server decodes from a document, or undefined. RxDB's fields are dropped; so is a
 * top-level `__proto__` key, which reading the push body never turns into a property (nor into a
 * prototype).
 */
function decode(doc: Record<string, unknown>): DomainEvent | undefined {
  const plain = Object.fromEntries(
    Object.entries(doc).filter(([k]) => !RXDB_FIELDS.includes(k) && k !== '__proto__'),
  );
  const decoded = decodeEvent(plain);
  return decoded.ok ? decoded.event : undefined;
}

function sameContent(storedBody: string, event: DomainEvent | undefined): boolean {
  return event !== undefined && canonical(JSON.parse(storedBody)) === canonical(event);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
