import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { generateShop } from '@smartkirana/domain/testing';
import type { DomainEvent } from '@smartkirana/domain/events';
import { seedOf } from '@smartkirana/domain/projection-seed';
import { ShopProjection } from '@smartkirana/domain/shop-projection';
import { openTillDatabase, type TillDatabase } from './database.ts';
import { chunkEvents, coverageOf, History, type LogPage } from './history.ts';
import { HistorySync } from './history-sync.ts';
import type { Checkpoint, PullResponse, Transport } from './transport.ts';

const LOG = 'log-a';
const { events } = generateShop({ seed: 21, tills: 2, days: 1 });

/** A server log of `events` behind a transport whose pulls can be held back. */
function server(upTo: () => number, seedAt?: number) {
  const pulls: Checkpoint[] = [];
  let gate: Promise<void> = Promise.resolve();
  let gated: (after: Checkpoint) => boolean = () => true;
  const transport = {
    async pullText(after: Checkpoint, limit: number) {
      pulls.push(after);
      if (gated(after)) await gate;
      const head = upTo();
      const documents = events.slice(after.seq, Math.min(head, after.seq + limit));
      const seq = after.seq + documents.length;
      const page: PullResponse = {
        documents,
        checkpoint: { seq, log: LOG },
        hasMore: seq < head,
        head,
      };
      return { page, json: JSON.stringify(documents) };
    },
    snapshot: () =>
      seedAt === undefined
        ? Promise.reject(Object.assign(new Error('no snapshots'), { status: 404 }))
        : Promise.resolve({
            checkpoint: { seq: seedAt, log: LOG },
            head: seedAt,
            seed: seedOf(project(events.slice(0, seedAt))),
          }),
  } as unknown as Transport;
  return {
    transport,
    pulls,
    /** Hold back the pulls `when` picks (every pull by default) until released. */
    hold(when: (after: Checkpoint) => boolean = () => true): () => void {
      gated = when;
      let release = (): void => undefined;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
  };
}

let db: TillDatabase | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

async function start(upTo: () => number, srv = server(upTo)) {
  db = await openTillDatabase({ name: `sync-${crypto.randomUUID()}`, indexedDB, IDBKeyRange });
  const history = new History(db.history);
  const stored: LogPage[] = [];
  let complete = 0;
  const sync = new HistorySync({
    history,
    transport: srv.transport,
    held: undefined,
    fresh: true,
    onSeed: () => undefined,
    onPage: (page) => void stored.push(page),
    onComplete: () => void (complete += 1),
    onLogChanged: () => undefined,
    onProgress: () => undefined,
    onOk: () => undefined,
    onError: () => undefined,
  });
  return { history, sync, stored, srv, completions: () => complete };
}

const ids = (list: readonly DomainEvent[]) => list.map((e) => e.id);

function project(list: readonly DomainEvent[]): ShopProjection {
  const p = new ShopProjection();
  p.apply(list);
  return p;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('history sync', () => {
  it('pulls the whole log once, in order, and says when it is complete', async () => {
    const { history, sync, stored, completions } = await start(() => events.length);
    await sync.sync();
    expect(ids(stored.flatMap((p) => p.events))).toEqual(ids(events));
    expect((await history.coverage(LOG)).runs).toEqual([[1, events.length]]);
    expect(completions()).toBe(1);
    expect(sync.checkpoint).toEqual({ seq: events.length, log: LOG });
  });

  it('a gap the live stream shows while the backfill runs is pulled in the same round', async () => {
    let head = 10;
    const srv = server(() => head, 10);
    const { history, sync, stored } = await start(() => head, srv);
    // A fresh till: the seed at 10, then the backfill of 1–10, held at the server while the log
    // grows and the stream shows a page beyond what is held.
    const release = srv.hold((after) => after.seq < 10);
    const running = sync.sync();
    await until(() => srv.pulls.some((after) => after.seq < 10));
    head = 30;
    const beyond = events.slice(20, 30);
    await sync.live(
      { documents: beyond, checkpoint: { seq: 30, log: LOG }, hasMore: false },
      JSON.stringify(beyond),
    );
    release();
    await running;
    // No other sync was asked for: that round alone filled the gap.
    expect((await history.coverage(LOG)).runs).toEqual([[1, 30]]);
    const all = stored.flatMap((p) => p.events);
    expect(new Set(ids(all)).size).toBe(all.length);
    expect(coverageOf(LOG, await history.all()).runs).toEqual([[1, 30]]);
  });

  it('live pages continuing what is held are folded at once, without a pull, and stored together', async () => {
    const { history, sync, stored, srv } = await start(() => 12);
    await sync.sync();
    const pulls = srv.pulls.length;
    const folded = stored.length;
    for (const [from, to] of [
      [12, 14],
      [14, 15],
    ] as const) {
      const next = events.slice(from, to);
      await sync.live(
        { documents: next, checkpoint: { seq: to, log: LOG }, hasMore: false },
        JSON.stringify(next),
      );
    }
    expect(srv.pulls.length).toBe(pulls);
    // Handed on (folded) as each came; the stream goes on from the newest of them.
    expect(ids(stored.slice(folded).flatMap((p) => p.events))).toEqual(ids(events.slice(12, 15)));
    expect(sync.checkpoint).toEqual({ seq: 15, log: LOG });
    // Stored together, as one write, once flushed (a crash before that pulls them again).
    expect((await history.coverage(LOG)).runs).toEqual([[1, 12]]);
    await sync.flush();
    expect((await history.coverage(LOG)).runs).toEqual([[1, 15]]);
    const chunks = await history.all();
    expect(coverageOf(LOG, chunks).runs).toEqual([[1, 15]]);
    const held = [...chunks].sort((a, b) => a.from - b.from).flatMap(chunkEvents);
    expect(ids(held)).toEqual(ids(events.slice(0, 15)));
    expect(stored.length).toBe(folded + 2);
  });

  it('a stream faster than storage hands each live event to the store once', async () => {
    const { history, sync } = await start(() => 12);
    await sync.sync();
    const more = generateShop({ seed: 5, tills: 4, days: 8 }).events.slice(0, 1200);
    let written = 0;
    const add = history.add.bind(history);
    history.add = (page, held) => {
      written += page.events.length;
      return add(page, held);
    };
    let seq = 12;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < more.length; i += 40) {
      const documents = more.slice(i, i + 40);
      seq += documents.length;
      pending.push(
        sync.live(
          { documents, checkpoint: { seq, log: LOG }, hasMore: false },
          JSON.stringify(documents),
        ),
      );
      // Let flushes start while pages keep coming.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(pending);
    await sync.flush();
    expect(sync.checkpoint).toEqual({ seq, log: LOG });
    expect((await history.coverage(LOG)).runs).toEqual([[1, seq]]);
    expect(written).toBe(more.length);
  });

  it('stores pending live pages on its own after a short wait', async () => {
    const { history, sync } = await start(() => 12);
    await sync.sync();
    const next = events.slice(12, 13);
    await sync.live(
      { documents: next, checkpoint: { seq: 13, log: LOG }, hasMore: false },
      JSON.stringify(next),
    );
    for (let i = 0; i < 200; i += 1) {
      if ((await history.coverage(LOG)).runs[0]?.[1] === 13) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await history.coverage(LOG)).runs).toEqual([[1, 13]]);
  });
});
