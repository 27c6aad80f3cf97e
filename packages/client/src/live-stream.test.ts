/**
 * The live stream drops a connection that goes silent without closing (a dead link the OS has not
 * noticed yet) and connects again, resuming from the replica's latest checkpoint; a connection
 * that keeps talking, even only heartbeats, is kept.
 */
import { describe, expect, it } from 'vitest';
import { liveStream } from './live-stream.ts';
import type { Checkpoint, Transport } from './transport.ts';

/** A transport whose streams stay open and send `heartbeats` pings `everyMs` apart, then go silent. */
function fakeTransport(heartbeats: number, everyMs: number) {
  const opened: Checkpoint[] = [];
  const transport = {
    stream(after: Checkpoint, signal: AbortSignal): Promise<Response> {
      opened.push(after);
      const encoder = new TextEncoder();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent >= heartbeats) {
            // Silent, never closing, until the reader gives up.
            await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
            controller.error(new Error('aborted'));
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, everyMs));
          sent += 1;
          controller.enqueue(encoder.encode(`event: ping\ndata: ${Date.now()}\n\n`));
        },
      });
      return Promise.resolve(new Response(body));
    },
  };
  return { transport: transport as unknown as Transport, opened };
}

describe('live stream', () => {
  it('reconnects after a silence, from the latest checkpoint', async () => {
    const { transport, opened } = fakeTransport(0, 0);
    let seq = 5;
    const states: boolean[] = [];
    const sub = liveStream(transport, {
      after: () => ({ seq: seq++ }),
      silenceMs: 80,
      backoffMs: () => 10,
      onConnection: (up) => states.push(up),
    }).subscribe();
    await expect.poll(() => opened.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    sub.unsubscribe();
    expect(opened.slice(0, 3)).toEqual([{ seq: 5 }, { seq: 6 }, { seq: 7 }]);
    expect(states.slice(0, 4)).toEqual([true, false, true, false]);
  });

  it('keeps a connection whose heartbeats keep coming', async () => {
    const { transport, opened } = fakeTransport(20, 30);
    const sub = liveStream(transport, {
      after: () => ({ seq: 0 }),
      silenceMs: 1_000,
      backoffMs: () => 10,
    }).subscribe();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(opened).toHaveLength(1);
    sub.unsubscribe();
  });
});

describe('reading server-sent events', () => {
  it('gives every message whole, however the bytes are cut', async () => {
    const { readSse } = await import('./live-stream.ts');
    const big = JSON.stringify({ documents: Array.from({ length: 300 }, (_, i) => ({ i })) });
    const text = `event: resync\ndata: RESYNC\n\nevent: events\ndata: ${big}\n\nevent: ping\ndata: 1\n\n`;
    const bytes = new TextEncoder().encode(text);
    // Cut at every size from 1 byte up, so a message boundary falls between any two bytes.
    for (const size of [1, 2, 3, 7, 64, 1000, bytes.length]) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
          controller.close();
        },
      });
      const got: { event: string; data: string }[] = [];
      for await (const m of readSse(new Response(body))) got.push(m);
      expect(got).toEqual([
        { event: 'resync', data: 'RESYNC' },
        { event: 'events', data: big },
        { event: 'ping', data: '1' },
      ]);
    }
  });
});
