/**
 * Sending a hostile request and judging the answer: never a 5xx; a refusal is JSON
 * `{ error: { code, message } }` whose code is in the closed table with the status that code
 * implies; no known secret is echoed back; and a refused request leaves every table of the database
 * exactly as it was (compared by digest). Tallies what was sent for the report.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import type { Db } from '../db/connect.ts';
import { ERROR_STATUS } from '../errors.ts';
import { leaks } from '../http/auth-test-support.ts';
import { changedTables, databaseDigest, type Digest } from './db-digest.ts';

/** A request as sent (the body verbatim: text or raw bytes). */
export interface Probe {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
}

/** An answer with its body read. */
export interface Answer {
  status: number;
  text: string;
  /** The stable error code of a refusal, if the body carried one. */
  code: string | undefined;
  /** The `retry-after` header, if any. */
  retryAfter: string | null;
}

/**
 * Tables a refused request may still write, by route, because counting the refusal is the defence:
 * a wrong OTP uses up one of the code's attempts; a retired refresh token presented again ends its
 * whole family. Reads that keep bookkeeping: a device's pull records where it pulled from.
 */
const REFUSAL_WRITES: Record<string, readonly string[]> = {
  'POST /api/v1/auth/otp/verify': ['otps'],
  'POST /api/v1/auth/refresh': ['refresh_tokens'],
};
const READ_WRITES: Record<string, readonly string[]> = {
  'GET /sync/v1/pull': ['devices'],
};

/** Send `probe` to the in-process app; a live stream that opens is read to its first event and closed. */
export async function send(app: Hono<AppEnv>, probe: Probe): Promise<Answer> {
  const bodyless = probe.method === 'GET' || probe.method === 'HEAD';
  const res = await app.request(probe.path, {
    method: probe.method,
    headers: probe.headers,
    ...(bodyless || probe.body === undefined ? {} : { body: probe.body }),
  });
  let text: string;
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream') && res.body) {
    const reader = res.body.getReader();
    const first = await reader.read();
    await reader.cancel();
    const chunk = first.value as Uint8Array | undefined;
    text = chunk ? new TextDecoder().decode(chunk) : '';
  } else {
    text = await res.text();
  }
  return {
    status: res.status,
    text,
    code: errorCode(text),
    retryAfter: res.headers.get('retry-after'),
  };
}

/** What is wrong with an answer (empty when it is acceptable). */
export function problemsWith(answer: Answer, secrets: readonly string[], method = 'GET'): string[] {
  const problems: string[] = [];
  if (answer.status >= 500)
    problems.push(`answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  // An answer to HEAD has no body by definition: only its status can be judged.
  if (answer.status >= 400 && method !== 'HEAD') {
    if (answer.code === undefined)
      problems.push(`refused without an error code: ${answer.text.slice(0, 200)}`);
    else if (!(answer.code in ERROR_STATUS)) problems.push(`unknown error code ${answer.code}`);
    else if (ERROR_STATUS[answer.code as keyof typeof ERROR_STATUS] !== answer.status)
      problems.push(`code ${answer.code} with status ${answer.status}`);
    if (answer.code === 'rate_limited' && !(Number(answer.retryAfter) > 0))
      problems.push('rate limited without a retry-after');
  }
  // Long secrets only: a 4–6 digit code can turn up inside ordinary numbers of a page.
  for (const secret of secrets)
    if (secret.length >= 8 && leaks(answer.text, secret))
      problems.push(`a secret was echoed: ${secret.slice(0, 4)}…`);
  return problems;
}

/** Running tally of what a hostile run sent and got. */
export interface Tally {
  requests: number;
  refused: number;
  accepted: number;
  fiveXx: number;
  digestChanges: number;
  byStatus: Record<number, number>;
  byCode: Record<string, number>;
}

export function newTally(): Tally {
  return {
    requests: 0,
    refused: 0,
    accepted: 0,
    fiveXx: 0,
    digestChanges: 0,
    byStatus: {},
    byCode: {},
  };
}

/**
 * Sends probes and checks each answer and the database around it. The digest taken after one
 * request serves as the "before" of the next, so each request costs one digest.
 */
export class Watch {
  readonly tally = newTally();
  readonly #app: Hono<AppEnv>;
  readonly #db: Db;
  readonly #secrets: () => readonly string[];
  #digest: Digest | undefined;

  constructor(app: Hono<AppEnv>, db: Db, secrets: () => readonly string[]) {
    this.#app = app;
    this.#db = db;
    this.#secrets = secrets;
  }

  /** Forget the last digest: the database was written outside this watch (set-up between checks). */
  forget(): void {
    this.#digest = undefined;
  }

  /** Send `probe` (for the route `routeKey`); returns its answer and every problem found. */
  async probe(routeKey: string, probe: Probe): Promise<{ answer: Answer; problems: string[] }> {
    const before = this.#digest ?? (await databaseDigest(this.#db));
    const answer = await send(this.#app, probe);
    const after = await databaseDigest(this.#db);
    this.#digest = after;
    const problems = problemsWith(answer, this.#secrets(), probe.method);
    const t = this.tally;
    t.requests += 1;
    t.byStatus[answer.status] = (t.byStatus[answer.status] ?? 0) + 1;
    if (answer.code !== undefined) t.byCode[answer.code] = (t.byCode[answer.code] ?? 0) + 1;
    if (answer.status >= 500) t.fiveXx += 1;
    const refused = answer.status >= 400;
    if (refused) t.refused += 1;
    else t.accepted += 1;
    const mayWrite = refused
      ? (REFUSAL_WRITES[routeKey] ?? [])
      : probe.method === 'GET'
        ? (READ_WRITES[routeKey] ?? [])
        : undefined;
    if (mayWrite !== undefined) {
      const changed = changedTables(before, after).filter((table) => !mayWrite.includes(table));
      if (changed.length > 0) {
        t.digestChanges += 1;
        problems.push(
          `${refused ? `refused (${answer.status} ${answer.code ?? ''})` : 'a read'} changed ${changed.join(', ')}`,
        );
      }
    }
    return { answer, problems };
  }
}

function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string'
      ? body.error.code
      : undefined;
  } catch {
    return undefined;
  }
}
