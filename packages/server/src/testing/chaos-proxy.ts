/**
 * An HTTP proxy for fault tests. Where `LinkProxy` cuts whole TCP links, this one decides per
 * request: pass it, drop it before the server sees it, drop the answer after the server handled it
 * (and committed), send it to the server twice (the second copy at once or after later requests),
 * delay it, hold it back until a later request has been answered (reorder), or cut a live stream
 * (SSE) in the middle of a message. A `decide` function, a seeded schedule in tests, picks the
 * fault; a `tap` lets a test act at exact points (the request is at the server; its answer is
 * back). The target can change when the process behind is restarted. Losing a request or an
 * answer resets the client's connection, as a network failure would.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  /** Never reaches the server. */
  | { kind: 'drop-request' }
  /** The server handles it; its answer is lost on the way back. */
  | { kind: 'drop-response' }
  /** The server gets it twice: at once (the client sees the second answer) or late, after a later request. */
  | { kind: 'duplicate'; late: boolean }
  | { kind: 'delay'; ms: number }
  /** Held until a request that arrived after it has been answered (or `maxHoldMs` passed). */
  | { kind: 'reorder' }
  /** Live stream: forward `afterMessages` event messages whole, then half of the next, then cut. */
  | { kind: 'cut-stream'; afterMessages: number }
  /**
   * A black hole: the request (or, for a live stream, everything after the headers) goes nowhere
   * and the connection stays open and silent, through `calm()`, until `resetStalled()` resets it as
   * a TCP timeout would (minutes later, on a real network). A client must notice on its own.
   */
  | { kind: 'stall' };

export interface ProxiedRequest {
  /** Arrival order, from 1. */
  n: number;
  method: string;
  /** Path and query. */
  url: string;
  /** A live stream (SSE), forwarded as it flows rather than buffered. */
  stream: boolean;
}

/** Hooks at exact points of a request's life, for tests that act there (kill the server). */
export interface ChaosTap {
  /** The request has been written to the server in full; its answer is not back yet. */
  sent?(req: ProxiedRequest): void;
  /** The server answered; resolve `'drop'` to lose the answer. May wait before deciding. */
  answered?(req: ProxiedRequest, status: number): 'forward' | 'drop' | Promise<'forward' | 'drop'>;
}

export interface ChaosStats {
  requests: number;
  passed: number;
  droppedRequests: number;
  droppedResponses: number;
  /** Extra copies sent to the server. */
  duplicated: number;
  delayed: number;
  /** Held back and overtaken by a later request. */
  reordered: number;
  /** Held back with no later request answered in time (released anyway). */
  heldAlone: number;
  streamsCut: number;
  stalled: number;
  /** Answers a tap chose to lose. */
  tapDropped: number;
  /** The server could not be reached or broke the connection. */
  unreachable: number;
}

export interface ChaosProxyOptions {
  decide?: (req: ProxiedRequest) => Fault;
  tap?: ChaosTap;
  /** Longest a reordered request or a late duplicate waits for a later request (default 2000 ms). */
  maxHoldMs?: number;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A live stream passing through: how many more whole messages it may carry (-1: no limit). */
interface OpenStream {
  cutAfter: number;
}

const PASS: Fault = { kind: 'pass' };
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

export class ChaosProxy {
  decide: (req: ProxiedRequest) => Fault;
  tap: ChaosTap;
  readonly stats: ChaosStats = {
    requests: 0,
    passed: 0,
    droppedRequests: 0,
    droppedResponses: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    heldAlone: 0,
    streamsCut: 0,
    stalled: 0,
    tapDropped: 0,
    unreachable: 0,
  };
  port = 0;
  readonly #server: Server;
  readonly #maxHoldMs: number;
  readonly #sockets = new Set<Socket>();
  /** Requests at the server whose answer is not back, by arrival number. */
  readonly #atServer = new Map<number, ProxiedRequest>();
  /** Live streams passing through. */
  readonly #streams = new Set<OpenStream>();
  /** Connections held silent by `stall`, until `resetStalled()`. */
  readonly #stalled = new Set<ServerResponse>();
  /** Answers forwarded, by path. */
  readonly #answers = new Map<string, number>();
  /** Held requests waiting for a later one to be answered. */
  readonly #waiting = new Set<{ after: number; release: (overtaken: boolean) => void }>();
  #target: number;
  #agent = new Agent({ keepAlive: true });
  #arrivals = 0;

  private constructor(target: number, opts: ChaosProxyOptions) {
    this.#target = target;
    this.decide = opts.decide ?? (() => PASS);
    this.tap = opts.tap ?? {};
    this.#maxHoldMs = opts.maxHoldMs ?? 2000;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => res.destroy());
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  /** Listen on a free port, forwarding to `target`. */
  static async start(target: number, opts: ChaosProxyOptions = {}): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(target, opts);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.#server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers forwarded to clients so far for requests whose path starts with `prefix`. */
  answered(prefix = '/'): number {
    let n = 0;
    for (const [path, count] of this.#answers) if (path.startsWith(prefix)) n += count;
    return n;
  }

  /** Requests at the server right now whose path starts with `prefix`. */
  inFlight(prefix = '/'): number {
    return [...this.#atServer.values()].filter((r) => r.url.startsWith(prefix)).length;
  }

  describe(): string {
    return `:${this.port} → :${this.#target}, ${this.#atServer.size} at the server, ${this.#waiting.size} held, ${JSON.stringify(this.stats)}`;
  }

  /** Point at another port (the process behind was restarted); pooled connections are dropped. */
  retarget(port: number): void {
    this.#target = port;
    this.#agent.destroy();
    this.#agent = new Agent({ keepAlive: true });
  }

  /** Cut every open live stream in the middle of its next message (a blip on a long connection). */
  cutStreams(): void {
    for (const open of this.#streams) open.cutAfter = 0;
  }

  /** Stop faulting: every request passes from now on (held ones are released). */
  calm(): void {
    this.decide = () => PASS;
    for (const w of this.#waiting) w.release(false);
  }

  /** Reset every stalled connection, as the operating system finally would. */
  resetStalled(): void {
    for (const res of this.#stalled) res.destroy();
    this.#stalled.clear();
  }

  async close(): Promise<void> {
    for (const w of this.#waiting) w.release(false);
    for (const s of this.#sockets) s.destroy();
    this.#agent.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests += 1;
    const info: ProxiedRequest = {
      n: ++this.#arrivals,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      stream: (req.url ?? '').startsWith('/sync/v1/stream'),
    };
    const body = await readAll(req);
    const fault = this.decide(info);
    if (info.stream) {
      this.#stream(info, req.headers, res, fault);
      return;
    }
    switch (fault.kind) {
      case 'drop-request':
        this.stats.droppedRequests += 1;
        res.destroy();
        return;
      case 'stall':
        this.#stall(res);
        return;
      case 'delay':
        this.stats.delayed += 1;
        await sleep(fault.ms);
        break;
      case 'reorder':
        if (await this.#holdUntilOvertaken(info.n)) this.stats.reordered += 1;
        else this.stats.heldAlone += 1;
        break;
      default:
        break;
    }
    let answer = await this.#forward(info, req.headers, body);
    if (!answer) {
      this.stats.unreachable += 1;
      res.destroy();
      return;
    }
    if (fault.kind === 'duplicate') {
      this.stats.duplicated += 1;
      if (fault.late) {
        // A stale copy reaches the server after newer requests (a retry that was stuck somewhere).
        void this.#holdUntilOvertaken(info.n).then(() => this.#forward(info, req.headers, body));
      } else {
        answer = (await this.#forward(info, req.headers, body)) ?? answer;
      }
    }
    if (fault.kind === 'drop-response') {
      this.stats.droppedResponses += 1;
      res.destroy();
      return;
    }
    if ((await this.tap.answered?.(info, answer.status)) === 'drop') {
      this.stats.tapDropped += 1;
      res.destroy();
      return;
    }
    if (fault.kind === 'pass') this.stats.passed += 1;
    const path = info.url.split('?')[0] ?? info.url;
    this.#answers.set(path, (this.#answers.get(path) ?? 0) + 1);
    res.writeHead(answer.status, {
      ...endToEnd(answer.headers),
      'content-length': String(answer.body.length),
    });
    res.end(answer.body);
  }

  /** Send a buffered request to the server; undefined if it cannot be reached or breaks off. */
  #forward(
    info: ProxiedRequest,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): Promise<Answer | undefined> {
    return new Promise((resolve) => {
      const up = httpRequest({
        host: '127.0.0.1',
        port: this.#target,
        method: info.method,
        path: info.url,
        agent: this.#agent,
        headers: { ...endToEnd(headers), 'content-length': String(body.length) },
      });
      this.#atServer.set(info.n, info);
      const done = (answer: Answer | undefined): void => {
        this.#atServer.delete(info.n);
        if (answer) this.#answered(info.n);
        resolve(answer);
      };
      up.once('finish', () => {
        this.tap.sent?.(info);
      });
      up.once('error', () => done(undefined));
      up.once('response', (res) => {
        readAll(res).then(
          (data) => done({ status: res.statusCode ?? 502, headers: res.headers, body: data }),
          () => done(undefined),
        );
      });
      up.end(body);
    });
  }

  /** A live stream, forwarded chunk by chunk; `cut-stream` breaks it inside a message. */
  #stream(
    info: ProxiedRequest,
    headers: IncomingHttpHeaders,
    res: ServerResponse,
    fault: Fault,
  ): void {
    if (fault.kind === 'drop-request') {
      this.stats.droppedRequests += 1;
      res.destroy();
      return;
    }
    const up = httpRequest({
      host: '127.0.0.1',
      port: this.#target,
      method: info.method,
      path: info.url,
      // A stream holds its connection for minutes: keep it out of the pool.
      agent: false,
      headers: endToEnd(headers),
    });
    const open: OpenStream = { cutAfter: fault.kind === 'cut-stream' ? fault.afterMessages : -1 };
    if (fault.kind === 'stall') this.#stall(res);
    this.#streams.add(open);
    const close = (): void => {
      this.#streams.delete(open);
      up.destroy();
      res.destroy();
    };
    res.once('close', close);
    up.once('error', () => {
      this.stats.unreachable += 1;
      close();
    });
    up.once('response', (stream) => {
      res.writeHead(stream.statusCode ?? 502, endToEnd(stream.headers));
      res.flushHeaders();
      stream.on('data', (chunk: Buffer) => {
        if (fault.kind === 'stall') return;
        const at = chunk.indexOf('event: events');
        if (at >= 0 && open.cutAfter === 0) {
          // Half a message: the client must never apply it, and must resume after the cut.
          const data = chunk.indexOf('data:', at);
          const end = data < 0 ? at + 5 : data + 5 + Math.floor((chunk.length - data - 5) / 2);
          this.stats.streamsCut += 1;
          stream.removeAllListeners('data');
          res.write(chunk.subarray(0, end), close);
          return;
        }
        if (at >= 0 && open.cutAfter > 0) open.cutAfter -= 1;
        res.write(chunk);
      });
      stream.once('end', () => res.end());
      stream.once('error', close);
      // The server died mid-stream: the client's connection goes too, so it reconnects.
      stream.once('close', () => {
        if (!stream.complete) close();
      });
    });
    up.end();
  }

  /** Hold a connection open and silent until `resetStalled()`. */
  #stall(res: ServerResponse): void {
    this.stats.stalled += 1;
    this.#stalled.add(res);
    res.once('close', () => this.#stalled.delete(res));
  }

  /** Wait until a request that arrived after `n` has been answered; false if none in time. */
  #holdUntilOvertaken(n: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = {
        after: n,
        release: (overtaken: boolean): void => {
          clearTimeout(timer);
          this.#waiting.delete(waiter);
          resolve(overtaken);
        },
      };
      const timer = setTimeout(() => waiter.release(false), this.#maxHoldMs);
      this.#waiting.add(waiter);
    });
  }

  #answered(n: number): void {
    for (const w of this.#waiting) if (n > w.after) w.release(true);
  }
}

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
    stream.once('aborted', () => reject(new Error('aborted')));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
