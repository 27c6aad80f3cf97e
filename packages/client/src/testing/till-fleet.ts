/**
 * Many real tills for fault tests, spread over child processes (`till-host.ts`), a few per process:
 * RxDB's free tier opens at most 13 collections per process and a till uses three. Each process is
 * a separate device as far as the server can tell. Commands go to every host at once; answers come
 * back flattened in host order. A host that stalls fails the command with what it was doing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { HostCommand, HostedTill, HostReply, TillReport } from './till-host.ts';

const REPO = resolve(import.meta.dirname, '../../../..');
const HOST = resolve(import.meta.dirname, 'till-host.ts');

/** Tills per host process: 3 collections each, under RxDB's 13. */
export const TILLS_PER_HOST = 4;

export class TillFleet {
  readonly #hosts: Host[];

  private constructor(hosts: Host[]) {
    this.#hosts = hosts;
  }

  /** Start enough host processes for `tills` tills (not yet open). */
  static start(tills: number): TillFleet {
    const hosts = Math.ceil(tills / TILLS_PER_HOST);
    return new TillFleet(Array.from({ length: hosts }, (_, i) => new Host(`till host ${i + 1}`)));
  }

  /**
   * Open `tills`, signed in and syncing, after closing any the hosts held before (the hosts are
   * kept: a suite opens a fresh set of tills per database without paying for new processes).
   */
  async open(tills: readonly HostedTill[], opts: { retryMs?: number } = {}): Promise<void> {
    await this.all({ cmd: 'close-tills' }, 60);
    await Promise.all(
      this.#hosts.map((h, i) =>
        h.call(
          {
            cmd: 'open',
            tills: tills.slice(i * TILLS_PER_HOST, (i + 1) * TILLS_PER_HOST),
            retryMs: opts.retryMs ?? 100,
          },
          180,
        ),
      ),
    );
  }

  /** Send a command to every host; each must answer within `seconds`. Lists are joined. */
  async all<T>(command: HostCommand, seconds = 60): Promise<T[]> {
    const answers = await Promise.all(this.#hosts.map((h) => h.call<T | T[]>(command, seconds)));
    return answers.flat() as T[];
  }

  /** What every till holds and was told. */
  reports(): Promise<TillReport[]> {
    return this.all<TillReport>({ cmd: 'report' });
  }

  /** Recent output of the hosts, for a failure message. */
  output(): string {
    return this.#hosts.map((h) => `--- ${h.name}:\n${h.output.slice(-20).join('')}`).join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.#hosts.map((h) => h.stop()));
  }
}

class Host {
  readonly name: string;
  readonly output: string[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  #next = 0;
  #exited = false;

  constructor(name: string) {
    this.name = name;
    this.#child = fork(HOST, [], {
      cwd: REPO,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, SMARTKIRANA_TILL_HOST: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const keep = (chunk: Buffer): void => {
      if (process.env.FAULT_TRACE) process.stderr.write(chunk);
      this.output.push(chunk.toString());
      if (this.output.length > 200) this.output.splice(0, 50);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.#child.on('message', (reply: HostReply) => {
      const waiting = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (!waiting) return;
      if (reply.ok) waiting.ok(reply.value);
      else waiting.fail(new Error(`${this.name}: ${reply.error}`));
    });
    this.#child.once('exit', (code) => {
      this.#exited = true;
      for (const w of this.#pending.values())
        w.fail(new Error(`${this.name} exited with ${code}: ${this.output.slice(-10).join('')}`));
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
          new Error(
            `${this.name} did not finish ${command.cmd} in ${seconds} s: ${this.output.slice(-10).join('')}`,
          ),
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

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.call({ cmd: 'close' }, 30).catch(() => this.#child.kill('SIGKILL'));
    await exited;
  }
}
