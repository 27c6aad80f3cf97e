/**
 * A TCP proxy between two parts of a topology under test: it forwards to a target port that can
 * change (a restarted process), and can be cut (every open connection is destroyed and new ones
 * are refused) and healed.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class LinkProxy {
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  #target: number;
  #cut = false;
  port = 0;

  private constructor(target: number) {
    this.#target = target;
    this.#server = createServer((client) => {
      if (this.#cut) {
        client.destroy();
        return;
      }
      const upstream = connect(this.#target, '127.0.0.1');
      this.#open.add(client);
      this.#open.add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.#open.delete(client);
        this.#open.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  /** Listen on a free port, forwarding to `target`. */
  static async start(target: number): Promise<LinkProxy> {
    const proxy = new LinkProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.#server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isCut(): boolean {
    return this.#cut;
  }

  describe(): string {
    return `:${this.port} → :${this.#target}${this.#cut ? ' (cut)' : ''}, ${this.#open.size} sockets`;
  }

  /** Point at another port (the process behind was restarted). */
  retarget(port: number): void {
    this.#target = port;
  }

  /** Cut the link: open connections die, new ones are refused. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#open) s.destroy();
    this.#open.clear();
  }

  heal(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
