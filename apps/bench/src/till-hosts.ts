/**
 * Benchmark tills spread over child processes (`till-host.ts`), a few per process: RxDB's free
 * tier opens at most 13 collections per process and a till uses three. To the server each till is
 * a device of its own, as on a shop floor; the host processes share this machine's cores.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { FleetCredential } from './fleet.ts';
import type { HostCommand, HostReply } from './till-host.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const HOST = resolve(import.meta.dirname, 'till-host.ts');

/** Tills per host process: three collections each, under RxDB's 13. */
export const TILLS_PER_HOST = 4;

/** Tills in host processes; `all` sends a command to every host and joins their answers. */
export class TillHosts {
  readonly #hosts: Host[];
  /** How many of the tills (in order) each host holds. */
  readonly #sizes: number[];

  private constructor(hosts: Host[], sizes: number[]) {
    this.#hosts = hosts;
    this.#sizes = sizes;
  }

  /** Start the processes and open the tills (each syncs the catalogue, then goes offline). */
  static async open(credentials: readonly FleetCredential[]): Promise<TillHosts> {
    const groups: FleetCredential[][] = [];
    for (let i = 0; i < credentials.length; i += TILLS_PER_HOST)
      groups.push(credentials.slice(i, i + TILLS_PER_HOST));
    const hosts = groups.map((_, i) => new Host(`till host ${i + 1}`));
    const fleet = new TillHosts(
      hosts,
      groups.map((g) => g.length),
    );
    try {
      await Promise.all(hosts.map((h, i) => h.call({ cmd: 'open', tills: groups[i] ?? [] }, 300)));
    } catch (err) {
      await fleet.close();
      throw err;
    }
    return fleet;
  }

  /** Split a per-till list (in till order) into per-host lists. */
  split<T>(perTill: readonly T[]): T[][] {
    let at = 0;
    return this.#sizes.map((n) => perTill.slice(at, (at += n)));
  }

  /** Send `command(host index)` to every host; answers are joined in till order. */
  async all<T>(command: (host: number) => HostCommand, seconds: number): Promise<T[]> {
    const answers = await Promise.all(this.#hosts.map((h, i) => h.call<T[]>(command(i), seconds)));
    return answers.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.#hosts.map((h) => h.stop()));
  }
}

class Host {
  readonly name: string;
  readonly #output: string[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  #next = 0;
  #exited = false;

  constructor(name: string) {
    this.name = name;
    this.#child = fork(HOST, [], {
      cwd: REPO,
      // `BENCH_TILL_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` profiles the till hosts.
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_TILL_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ],
      env: { ...process.env, SK_BENCH_TILL_HOST: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const keep = (chunk: Buffer): void => {
      this.#output.push(chunk.toString());
      if (this.#output.length > 100) this.#output.splice(0, 50);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.#child.on('message', (reply: HostReply) => {
      const waiting = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.ok) waiting?.ok(reply.value);
      else waiting?.fail(new Error(`${this.name}: ${reply.error}`));
    });
    this.#child.once('exit', (code) => {
      this.#exited = true;
      for (const w of this.#pending.values())
        w.fail(new Error(`${this.name} exited with ${code}: ${this.#tail()}`));
      this.#pending.clear();
    });
  }

  call<T>(command: HostCommand, seconds: number): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = ++this.#next;
    return new Promise<T>((ok, fail) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        fail(
          new Error(`${this.name} did not finish ${command.cmd} in ${seconds} s: ${this.#tail()}`),
        );
      }, seconds * 1000);
      this.#pending.set(id, {
        ok: (v) => {
          clearTimeout(timer);
          ok(v as T);
        },
        fail: (e) => {
          clearTimeout(timer);
          fail(e);
        },
      });
      this.#child.send({ id, command });
    });
  }

  /** Close the tills, then let the process end (killed if it does not). */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.call({ cmd: 'close' }, 60).catch(() => undefined);
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  #tail(): string {
    return this.#output.slice(-10).join('');
  }
}
