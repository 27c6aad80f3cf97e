/**
 * The server as a real process under test: `smartkirana serve` started with its environment,
 * killed (SIGKILL or SIGTERM) and started again on the same database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../../../..');
const MAIN = resolve(REPO, 'apps/server/src/main.ts');

export class ServerProcess {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly output: string[] = [];
  /** Extra `node` flags (e.g. `--cpu-prof` to profile the server under a benchmark). */
  readonly nodeArgs: readonly string[];
  #child: ChildProcess | undefined;
  port = 0;

  constructor(name: string, env: Record<string, string>, nodeArgs: readonly string[] = []) {
    this.name = name;
    this.env = env;
    this.nodeArgs = nodeArgs;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The server's process id while it runs (for reading its memory from `/proc` or signalling it). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Start and wait until it listens; resolves with its port. */
  async start(): Promise<number> {
    if (this.#child) throw new Error(`${this.name} is already running`);
    const child = spawnCli(['serve'], { PORT: '0', HOST: '127.0.0.1', ...this.env }, this.nodeArgs);
    this.#child = child;
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      if (this.output.length > 500) this.output.splice(0, 100);
    };
    child.stderr.on('data', keep);
    this.port = await new Promise<number>((ok, fail) => {
      let seen = '';
      const timer = setTimeout(
        () => fail(new Error(`${this.name} did not start: ${seen}${this.output.join('')}`)),
        30_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        keep(chunk);
        seen += chunk.toString();
        const m = /SmartKirana on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
        if (m?.[1]) {
          clearTimeout(timer);
          ok(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`${this.name} exited with ${code}: ${this.output.join('')}`));
      });
    });
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    return this.port;
  }

  /** Kill the process (SIGKILL by default: no chance to finish anything). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.#child = undefined;
  }
}

/** Run a `smartkirana` command to completion; resolves with its exit code and output. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', fail);
    child.once('exit', (code) => ok({ code, stdout, stderr }));
  });
}

/** `smartkirana <args>` as a child process with only the given environment (and PATH, HOME). */
function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
) {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', MAIN, ...args], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      STATIC_DIR: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
