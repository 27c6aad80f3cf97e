/**
 * The server's live stream: `'RESYNC'` on every (re)connection, then each page of events as it
 * commits. Reconnects with capped exponential backoff for as
 * long as it is subscribed. Reads SSE with fetch, so it works in browsers and Node alike.
 */
import { sleep } from '@smartkirana/domain/abort';
import { Observable, type Subscription } from 'rxjs';
import { parsePage, type Checkpoint, type PullResponse, type Transport } from './transport.ts';

/** `'RESYNC'` on every (re)connection, else a page of new events and its events' JSON text. */
export type StreamItem = 'RESYNC' | { page: PullResponse; json: string };

export interface LiveStreamOptions {
  /** Where to start, read at every (re)connection: the latest checkpoint the replica has. */
  after: () => Checkpoint;
  /**
   * Resolves once the replica has caught up with the server by pulling. The first connection
   * waits for it: a stream opened before the first pull would start from a stale checkpoint and
   * make the server send again what the pull is fetching anyway.
   */
  ready?: Promise<void>;
  /**
   * Emits when a request to the server has just succeeded. A stream waiting to reconnect after
   * a failure then tries at once instead of sleeping out its backoff: the network is back.
   */
  reachable?: Observable<unknown>;
  /**
   * Longest silence (no message, not even a heartbeat) before the connection is dropped and made
   * again; the server sends a heartbeat every 15 s.
   */
  silenceMs?: number;
  /** Delay before reconnecting after the n-th failure in a row. */
  backoffMs?: (failures: number) => number;
  /** Called with true when connected, false when the connection drops. */
  onConnection?: (connected: boolean) => void;
}

/** An observable of stream items; unsubscribing closes the connection. */
export function liveStream(transport: Transport, opts: LiveStreamOptions): Observable<StreamItem> {
  const backoff = opts.backoffMs ?? ((n: number) => Math.min(30_000, 500 * 2 ** Math.min(n, 6)));
  return new Observable<StreamItem>((subscriber) => {
    const controller = new AbortController();
    let failures = 0;
    const silenceMs = opts.silenceMs ?? SILENCE_MS;
    let wake: (() => void) | undefined;
    const reachable: Subscription | undefined = opts.reachable?.subscribe(() => wake?.());
    const run = async (): Promise<void> => {
      await opts.ready;
      while (!controller.signal.aborted) {
        // A connection that goes silent without closing (a dead link the OS has not noticed) is
        // dropped once no message, not even the server's heartbeat, came for a while.
        const connection = new AbortController();
        const abort = (): void => connection.abort();
        controller.signal.addEventListener('abort', abort);
        let silence: ReturnType<typeof setTimeout> | undefined;
        const listen = (): void => {
          clearTimeout(silence);
          silence = setTimeout(() => connection.abort(), silenceMs);
        };
        try {
          listen();
          const res = await transport.stream(opts.after(), connection.signal);
          opts.onConnection?.(true);
          failures = 0;
          for await (const { event, data } of readSse(res)) {
            listen();
            if (event === 'resync') subscriber.next('RESYNC');
            else if (event === 'events') {
              subscriber.next(parsePage(data));
            }
          }
        } catch {
          // Network gone, server restarting, connection silent: reconnect below.
        } finally {
          clearTimeout(silence);
          controller.signal.removeEventListener('abort', abort);
        }
        opts.onConnection?.(false);
        if (isAborted(controller.signal)) break;
        failures += 1;
        await new Promise<void>((resolve) => {
          wake = resolve;
          void sleep(backoff(failures), controller.signal).then(resolve);
        });
        wake = undefined;
      }
    };
    void run();
    return () => {
      reachable?.unsubscribe();
      controller.abort();
    };
  });
}

/** 2.5 heartbeats of the server (`HEARTBEAT_SECONDS` = 15). */
export const SILENCE_MS = 37_500;

/** Parse a server-sent event stream into `{ event, data }` messages. */
export async function* readSse(res: Response): AsyncGenerator<{ event: string; data: string }> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  // The text of the message under way, as it came: a page of events arrives in many chunks, and
  // appending to one string and searching it again for each chunk would copy it over and over.
  // Only the new chunk is searched (and the seam with the last one); the parts are joined once.
  let parts: string[] = [];
  let endsInNewline = false;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    let text = decoder.decode(chunk, { stream: true });
    while (text.length > 0) {
      let block: string;
      if (endsInNewline && text.startsWith('\n')) {
        block = parts.join('').slice(0, -1);
        text = text.slice(1);
      } else {
        const end = text.indexOf('\n\n');
        if (end < 0) {
          parts.push(text);
          endsInNewline = text.endsWith('\n');
          break;
        }
        block = parts.length > 0 ? parts.join('') + text.slice(0, end) : text.slice(0, end);
        text = text.slice(end + 2);
      }
      parts = [];
      endsInNewline = false;
      const message = sseMessage(block);
      if (message) yield message;
    }
  }
}

function sseMessage(block: string): { event: string; data: string } | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}

/** Read through a function so the compiler does not narrow the flag across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
