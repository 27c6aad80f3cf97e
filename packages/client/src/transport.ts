/**
 * HTTP to the sync server: device-token sign-in, push, pull, staff, import. Tokens are fetched with
 * the device secret and renewed on 401. `fetch` is injectable so tests can cut the network, delay
 * it, or lose a response after the server committed.
 */
import { deadline } from '@smartkirana/domain/abort';
import type { DomainEvent } from '@smartkirana/domain/events';
import { pooled } from './parsed-events.ts';

/** The sync protocol version this client speaks (see the server's `sync/protocol.ts`). */
export const CLIENT_PROTOCOL_VERSION = 2;
export const PROTOCOL_HEADER = 'x-smartkirana-protocol';
export const UNSYNCED_HEADER = 'x-smartkirana-unsynced';
/** This device's wall clock, sent with every request; the server answers with the skew it saw. */
export const CLOCK_HEADER = 'x-smartkirana-clock';
export const CLOCK_SKEW_HEADER = 'x-smartkirana-clock-skew';

/** Longest a sync request (not the live stream) may take before it is abandoned and retried. */
export const REQUEST_DEADLINE_MS = 60_000;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface DeviceCredential {
  serverUrl: string;
  deviceId: string;
  secret: string;
}

export interface PushResult {
  id: string;
  status: 'accepted' | 'duplicate' | 'quarantined' | 'rejected';
  seq?: number;
  code?: string;
  reason?: string;
}

export interface PushResponse {
  conflicts: DomainEvent[];
  results: PushResult[];
  checkpoint: { seq: number };
}

/** Where a pull got to: a sequence within one server log (a restored or other server has another). */
export interface Checkpoint {
  seq: number;
  log?: string | undefined;
}

export interface PullResponse {
  documents: DomainEvent[];
  checkpoint: Checkpoint;
  hasMore: boolean;
  /** The shop's latest sequence when the page was read (pull only). */
  head?: number;
}

export interface DeviceInfo {
  deviceId: string;
  code: string;
  name: string;
  kind: string;
  revoked: boolean;
  lastSeenAt: number | null;
  unsynced: number | null;
  unsyncedAt: number | null;
  /** Device clock minus server clock at the device's last sync; flagged when beyond tolerance. */
  clockSkewMs: number | null;
  clockCheckedAt: number | null;
  clockFlagged: boolean;
}

/** How far this device's clock was off at its last answer from the server. */
export interface ClockReading {
  skewMs: number;
  /** Device time of the reading. */
  at: number;
}

/** The link from the server this device talks to up to its own upstream server (a cloud). */
export interface UpstreamLinkInfo {
  shopId: string;
  url: string;
  deviceId: string;
  /** Events on this server not yet acknowledged upstream, and when the oldest of them arrived. */
  unpushed: number;
  oldestUnpushedAt: number | null;
  pushedSeq: number;
  localSeq: number;
  /** Upstream events not yet pulled, as of the last answer from upstream. */
  behind: number;
  pulledSeq: number;
  upstreamHead: number;
  refused: number;
  lastPushAt: number | null;
  lastPullAt: number | null;
  lastDirectoryAt: number | null;
  /** The last failure; cleared once a cycle succeeds. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** Whether the upstream's live stream is connected (known only while the server runs the link). */
  live?: boolean;
}

/** A server linked below the server this device talks to (a shop server under a cloud). */
export interface DownstreamServerInfo {
  deviceId: string;
  code: string;
  name: string;
  revoked: boolean;
  lastSeenAt: number | null;
  /** Events it said it still had to push, and when it said so. */
  unpushed: number | null;
  unpushedAt: number | null;
  /** How far behind this server's log its last pull was. */
  behind: number | null;
  pulledAt: number | null;
}

/** Replication between servers, as the server this device talks to sees it. */
export interface ReplicationInfo {
  upstream: UpstreamLinkInfo | null;
  downstream: DownstreamServerInfo[];
}

export interface StaffMember {
  userId: string;
  name: string;
  role: string;
  pinHash: string | null;
}

/** A sync request the server refused; `code` is the server's stable error code. */
export class SyncError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'SyncError';
    this.status = status;
    this.code = code;
  }
}

function checkpointQuery(c: Checkpoint): string {
  return c.log === undefined ? `after=${c.seq}` : `after=${c.seq}&log=${encodeURIComponent(c.log)}`;
}

export class Transport {
  readonly #cred: DeviceCredential;
  readonly #fetch: FetchLike;
  #token: string | undefined;
  /** The sign-in under way: requests that start meanwhile wait for it instead of signing in too. */
  #signingIn: Promise<string> | undefined;
  #backlog: number | undefined;
  readonly #clock: () => number;
  #clockReading: ClockReading | undefined;

  constructor(
    cred: DeviceCredential,
    fetchImpl: FetchLike = (i, init) => fetch(i, init),
    clock: () => number = Date.now,
  ) {
    this.#cred = cred;
    this.#fetch = fetchImpl;
    this.#clock = clock;
  }

  /** The server's last word on this device's clock (undefined until a sync answered). */
  get clockReading(): ClockReading | undefined {
    return this.#clockReading;
  }

  get serverUrl(): string {
    return this.#cred.serverUrl;
  }

  /** Push events; the answer has a result per event and RxDB's conflicts. */
  push(events: readonly DomainEvent[]): Promise<PushResponse> {
    const rows = events.map((e) => ({ assumedMasterState: null, newDocumentState: e }));
    // The server records the backlog once this push is stored: what is left after these events.
    const after =
      this.#backlog === undefined ? undefined : Math.max(0, this.#backlog - events.length);
    return this.#call<PushResponse>(
      '/sync/v1/push',
      { method: 'POST', body: JSON.stringify({ rows }) },
      after,
    );
  }

  /** Pull events after a checkpoint (from the beginning if it belongs to another log). */
  pull(after: Checkpoint, limit: number): Promise<PullResponse> {
    return this.#call<PullResponse>(`/sync/v1/pull?${checkpointQuery(after)}&limit=${limit}`, {
      method: 'GET',
    });
  }

  /**
   * `pull`, keeping the events' JSON text as the server sent it (the till stores it as is): the
   * page, and its `documents` array as text.
   */
  async pullText(after: Checkpoint, limit: number): Promise<{ page: PullResponse; json: string }> {
    const res = await this.#send(`/sync/v1/pull?${checkpointQuery(after)}&limit=${limit}`, {
      method: 'GET',
    });
    if (!res.ok) throw await asError(res);
    return parsePage(await res.text());
  }

  /** A fresh till's starting point: the shop's projection seed and the position it summarises. */
  snapshot(): Promise<{ checkpoint: Checkpoint; head: number; seed: unknown }> {
    return this.#call('/sync/v1/snapshot', { method: 'GET' });
  }

  /** Report how many events this till holds unacknowledged (sent with the next requests). */
  reportBacklog(count: number): void {
    this.#backlog = count;
  }

  /** The shop's devices with last contact and reported backlog (for the owner's dashboard). */
  async devices(): Promise<DeviceInfo[]> {
    return (await this.#call<{ devices: DeviceInfo[] }>('/sync/v1/devices', { method: 'GET' }))
      .devices;
  }

  /** This server's link to its upstream and the servers linked below it (owner's dashboard). */
  replication(): Promise<ReplicationInfo> {
    return this.#call<ReplicationInfo>('/sync/v1/replication', { method: 'GET' });
  }

  /** Staff of the shop with PIN hashes, for offline sign-in. */
  async staff(): Promise<StaffMember[]> {
    return (await this.#call<{ staff: StaffMember[] }>('/sync/v1/staff', { method: 'GET' })).staff;
  }

  /** Open the live stream (SSE) after a checkpoint; the caller reads the body. */
  async stream(after: Checkpoint, signal: AbortSignal): Promise<Response> {
    const res = await this.#send(`/sync/v1/stream?${checkpointQuery(after)}`, {
      method: 'GET',
      signal,
    });
    if (!res.ok) throw await asError(res);
    return res;
  }

  async #call<T>(path: string, init: RequestInit, backlog = this.#backlog): Promise<T> {
    const res = await this.#send(path, init, false, backlog);
    if (!res.ok) throw await asError(res);
    return (await res.json()) as T;
  }

  async #send(
    path: string,
    init: RequestInit,
    retried = false,
    backlog = this.#backlog,
  ): Promise<Response> {
    const token = this.#token ?? (await this.#signInOnce());
    // A request the network never answers must not hold up sync (pushes and pulls go one at a
    // time): every exchange but the live stream has a deadline, after which it is retried.
    const signal = path.startsWith('/sync/v1/stream')
      ? init.signal
      : deadline(new AbortController(), REQUEST_DEADLINE_MS, init.signal);
    const res = await this.#fetch(`${this.#cred.serverUrl}${path}`, {
      ...init,
      ...(signal ? { signal } : {}),
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        [PROTOCOL_HEADER]: String(CLIENT_PROTOCOL_VERSION),
        ...(backlog === undefined ? {} : { [UNSYNCED_HEADER]: String(backlog) }),
        [CLOCK_HEADER]: String(Math.round(this.#clock())),
      },
    });
    const skew = Number(res.headers.get(CLOCK_SKEW_HEADER) ?? Number.NaN);
    if (Number.isSafeInteger(skew)) this.#clockReading = { skewMs: skew, at: this.#clock() };
    if (res.status === 401 && !retried) {
      // Only the token this request used is stale; another request may have renewed it meanwhile.
      if (this.#token === token) this.#token = undefined;
      return this.#send(path, init, true, backlog);
    }
    return res;
  }

  /**
   * A till opening its sync starts several requests at once (push, pull, stream, staff); they
   * share one sign-in, since each costs the server a deliberately slow secret check.
   */
  #signInOnce(): Promise<string> {
    this.#signingIn ??= this.#signIn().finally(() => {
      this.#signingIn = undefined;
    });
    return this.#signingIn;
  }

  async #signIn(): Promise<string> {
    const res = await this.#fetch(`${this.#cred.serverUrl}/api/v1/auth/device-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: this.#cred.deviceId, secret: this.#cred.secret }),
    });
    if (!res.ok) throw await asError(res);
    const body = (await res.json()) as { accessToken: string };
    this.#token = body.accessToken;
    return body.accessToken;
  }
}

/**
 * A page of the server's log as sent (a pull answer or a live stream message): the page, its
 * events' strings pooled (`parsed-events.ts`), and its `documents` array as text.
 */
export function parsePage(text: string): { page: PullResponse; json: string } {
  const page = JSON.parse(text) as PullResponse;
  pooled(page.documents);
  return { page, json: documentsJson(text, page) };
}

/**
 * The `documents` array of a pull page as text. The server writes pages as
 * `{"documents":[…],"checkpoint":…}` from the events' stored JSON; anything else is re-encoded.
 */
export function documentsJson(text: string, parsed?: { documents: unknown[] }): string {
  const start = '{"documents":';
  const end = text.lastIndexOf('],"checkpoint":');
  if (text.startsWith(start) && end > start.length) return text.slice(start.length, end + 1);
  const page = parsed ?? (JSON.parse(text) as { documents: unknown[] });
  return JSON.stringify(page.documents);
}

async function asError(res: Response): Promise<SyncError> {
  let code = 'http_error';
  let message = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // Not JSON (a proxy's error page): keep the status.
  }
  return new SyncError(res.status, code, message);
}
