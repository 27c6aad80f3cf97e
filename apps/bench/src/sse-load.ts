/**
 * Extra live-stream subscribers as load: plain SSE connections to `/sync/v1/stream` that read and
 * count what the server sends. They run in a worker thread, so reading hundreds of streams does
 * not hold up the event loop of the till whose latency is measured (on a real shop floor each
 * subscriber is a device of its own). The worker's code is plain JavaScript run with
 * `eval: true`, so it needs no TypeScript loader in the worker.
 */
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, headers, count } = workerData;
const controller = new AbortController();
let bytes = 0;
let connected = 0;
async function subscribe() {
  const res = await fetch(url, { headers, signal: controller.signal });
  if (res.status !== 200) throw new Error('stream answered ' + res.status);
  const reader = res.body.getReader();
  let first = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    if (first) {
      first = false;
      connected += 1;
      if (connected === count) parentPort.postMessage({ type: 'connected' });
    }
  }
}
for (let i = 0; i < count; i++)
  subscribe().catch((err) => {
    if (!controller.signal.aborted) parentPort.postMessage({ type: 'error', message: String(err) });
  });
parentPort.on('message', (m) => {
  if (m === 'bytes') parentPort.postMessage({ type: 'bytes', bytes });
  if (m === 'close') {
    controller.abort();
    parentPort.postMessage({ type: 'closed' });
  }
});
`;

type Message =
  | { type: 'connected' }
  | { type: 'error'; message: string }
  | { type: 'bytes'; bytes: number }
  | { type: 'closed' };

/** `count` SSE subscribers on one server, held open in a worker thread until `close`. */
export class SseLoad {
  readonly count: number;
  readonly #worker: Worker | undefined;
  #failure: string | undefined;

  private constructor(count: number, worker: Worker | undefined) {
    this.count = count;
    this.#worker = worker;
    worker?.on('message', (m: Message) => {
      if (m.type === 'error') this.#failure ??= m.message;
    });
  }

  /** Open `count` streams after sequence `after`; resolves once every one has had its first message. */
  static async open(opts: {
    url: string;
    headers: Record<string, string>;
    count: number;
    after: number;
  }): Promise<SseLoad> {
    if (opts.count === 0) return new SseLoad(0, undefined);
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        url: `${opts.url}/sync/v1/stream?after=${opts.after}`,
        headers: opts.headers,
        count: opts.count,
      },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${opts.count} streams did not all connect`)),
        60_000,
      );
      worker.on('message', (m: Message) => {
        if (m.type === 'connected') {
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`a stream failed: ${m.message}`));
        }
      });
      worker.once('error', reject);
    });
    return new SseLoad(opts.count, worker);
  }

  /** Bytes received so far over all streams; throws if a stream failed. */
  async bytes(): Promise<number> {
    if (this.#failure) throw new Error(`a load stream failed: ${this.#failure}`);
    const worker = this.#worker;
    if (!worker) return 0;
    return new Promise((resolve) => {
      const on = (m: Message): void => {
        if (m.type !== 'bytes') return;
        worker.off('message', on);
        resolve(m.bytes);
      };
      worker.on('message', on);
      worker.postMessage('bytes');
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.on('message', (m: Message) => {
        if (m.type === 'closed') resolve();
      });
      worker.postMessage('close');
    });
    await worker.terminate();
  }
}
