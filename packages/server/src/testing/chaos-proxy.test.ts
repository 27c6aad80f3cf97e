/**
 * The fault proxy does what each fault says, against a small HTTP server that records what reached
 * it: a dropped request never arrives, a dropped answer arrives but the client sees a failure, a
 * duplicate arrives twice, a reordered request arrives after a later one, and a cut stream hands
 * the client half a message and then ends.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChaosProxy, type Fault } from './chaos-proxy.ts';

interface Backend {
  server: Server;
  port: number;
  /** Request paths in the order they reached the server. */
  seen: string[];
}

async function backend(): Promise<Backend> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url?.startsWith('/sync/v1/stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: resync\ndata: RESYNC\n\n');
      setTimeout(
        () => res.write(`event: events\ndata: ${JSON.stringify({ n: 'x'.repeat(40) })}\n\n`),
        20,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function setUp(fault: (url: string) => Fault) {
  const b = await backend();
  cleanup.push(() => new Promise((resolve) => b.server.close(resolve)));
  b.server.on('connection', (s) => cleanup.push(() => Promise.resolve(s.destroy())));
  const proxy = await ChaosProxy.start(b.port, { decide: (r) => fault(r.url), maxHoldMs: 500 });
  cleanup.push(() => proxy.close());
  return { b, proxy };
}

describe('ChaosProxy', () => {
  it('drops a request before the server sees it', async () => {
    const { b, proxy } = await setUp(() => ({ kind: 'drop-request' }));
    await expect(fetch(`${proxy.url}/a`)).rejects.toThrow();
    expect(b.seen).toEqual([]);
    expect(proxy.stats.droppedRequests).toBe(1);
  });

  it('drops the answer after the server handled the request', async () => {
    const { b, proxy } = await setUp(() => ({ kind: 'drop-response' }));
    await expect(fetch(`${proxy.url}/a`, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(b.seen).toEqual(['/a']);
  });

  it('sends a duplicate at once, or late after a newer request', async () => {
    const { b, proxy } = await setUp((url) =>
      url === '/old'
        ? { kind: 'duplicate', late: true }
        : url === '/now'
          ? { kind: 'duplicate', late: false }
          : { kind: 'pass' },
    );
    expect((await fetch(`${proxy.url}/now`)).status).toBe(200);
    expect(b.seen).toEqual(['/now', '/now']);
    expect((await fetch(`${proxy.url}/old`)).status).toBe(200);
    expect((await fetch(`${proxy.url}/new`)).status).toBe(200);
    await expect.poll(() => b.seen.slice(2)).toEqual(['/old', '/new', '/old']);
  });

  it('holds a request back until a later one has been answered', async () => {
    const { b, proxy } = await setUp((url) =>
      url === '/first' ? { kind: 'reorder' } : { kind: 'pass' },
    );
    const first = fetch(`${proxy.url}/first`);
    await expect.poll(() => proxy.stats.requests).toBe(1);
    expect((await fetch(`${proxy.url}/second`)).status).toBe(200);
    expect((await first).status).toBe(200);
    expect(b.seen).toEqual(['/second', '/first']);
    expect(proxy.stats.reordered).toBe(1);
  });

  it('holds a stalled request silent, even through calm, until it is reset', async () => {
    const { b, proxy } = await setUp(() => ({ kind: 'stall' }));
    let settled = false;
    const stalled = fetch(`${proxy.url}/a`).finally(() => (settled = true));
    await expect.poll(() => proxy.stats.stalled).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    proxy.calm();
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    proxy.resetStalled();
    await expect(stalled).rejects.toThrow();
    expect(b.seen).toEqual([]);
    expect((await fetch(`${proxy.url}/b`)).status).toBe(200);
  });

  it('cuts a live stream in the middle of a message', async () => {
    const { proxy } = await setUp(() => ({ kind: 'cut-stream', afterMessages: 0 }));
    const res = await fetch(`${proxy.url}/sync/v1/stream`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let body = '';
    let ended: 'done' | 'broken' = 'done';
    for (;;) {
      const next = await reader.read().catch(() => undefined);
      if (!next) {
        ended = 'broken';
        break;
      }
      if (next.done) break;
      body += decoder.decode(next.value, { stream: true });
    }
    expect(proxy.stats.streamsCut).toBe(1);
    expect(ended).toBe('broken');
    // The resync message whole, then the start of the events message and no end to it.
    expect(body.startsWith('event: resync\ndata: RESYNC\n\nevent: events\ndata: {')).toBe(true);
    expect(body.slice('event: resync\ndata: RESYNC\n\n'.length)).not.toContain('\n\n');
  });
});
