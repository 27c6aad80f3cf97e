/**
 * Request deadlines (shared by the till and the server's upstream link) hold even when nothing
 * else refers to them, and follow the signals they join; a wait cut short leaves nothing behind.
 */
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline, sleep } from '@smartkirana/domain/abort';

describe('deadline', () => {
  // A server that takes requests and never answers them: a link gone dead mid-request.
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('aborts a request the other side never answers', async () => {
    const started = Date.now();
    const err = await fetch(url, { signal: deadline(new AbortController(), 200) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('aborts at once when a joined signal aborts, with its reason', async () => {
    const stop = new AbortController();
    const pending = fetch(url, {
      signal: deadline(new AbortController(), 60_000, stop.signal),
    }).catch((e: unknown) => e);
    stop.abort(new Error('shutting down'));
    expect(((await pending) as Error).message).toBe('shutting down');
    const already = deadline(new AbortController(), 60_000, stop.signal);
    expect(already.aborted).toBe(true);
  });

  it('lets go of the signals it joined once the deadline passes', async () => {
    const shutdown = new AbortController();
    const signal = deadline(new AbortController(), 50, shutdown.signal);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('a wait ends early when its signal aborts and leaves no listener either way', async () => {
    const session = new AbortController();
    await sleep(10, session.signal);
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(0);
    const started = Date.now();
    const waiting = sleep(60_000, session.signal);
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(1);
    session.abort();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(0);
    await sleep(60_000, session.signal);
  });
});
