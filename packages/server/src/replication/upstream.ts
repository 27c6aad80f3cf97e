/**
 * A server's link to its upstream server (a shop server to the cloud), for one shop. The link acts
 * as a server-kind device of the upstream shop and speaks the tills' protocol:
 *
 * - directory: exchanged both ways and merged row by row (directory.ts);
 * - up: every event of the local log not pulled from the upstream is pushed, in local sequence
 *   order, from the `pushed_seq` checkpoint. The upstream dedupes by event id, so a push repeated
 *   after a lost answer or a crash records nothing twice;
 * - down: the upstream log is pulled from the `pulled_seq` checkpoint and ingested as relayed
 *   events marked `from_upstream` (never pushed back up: no loops). The checkpoint is written in the
 *   same transaction as the events it covers.
 *
 * The upstream's live stream and local commits wake a cycle; a timer covers everything else.
 * Failures back off and are recorded as the link's last error; the link resumes from its
 * checkpoints after either side restarts.
 */
import { deadline, sleep } from '@smartkirana/domain/abort';
import { decodeEvent, type DomainEvent } from '@smartkirana/domain/events';
import type { Services } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ingestWith, MAX_BATCH, type Sender } from '../ingest.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, UNSYNCED_HEADER } from '../sync/protocol.ts';
import { directorySchema, mergeDirectory, readDirectory, type Directory } from './directory.ts';

export interface UpstreamConfig {
  /** Base URL of the upstream server, e.g. `https://cloud.example.in`. */
  url: string;
  /** The server-kind device of the upstream shop this server acts as, and its secret. */
  deviceId: string;
  secret: string;
}

export interface UpstreamOptions {
  /** Longest pause between cycles when nothing wakes the link. */
  intervalMs?: number;
  /** Most events pushed per request. */
  pushBatch?: number;
  /** Most events pulled per request. */
  pullBatch?: number;
  /** Longest wait for one request. */
  requestTimeoutMs?: number;
}

/** What the link reports (the local API, the CLI and the owner's dashboard). */
export interface LinkStatus {
  shopId: string;
  url: string;
  deviceId: string;
  /** Local events not yet acknowledged upstream, and when the oldest of them was received. */
  unpushed: number;
  oldestUnpushedAt: number | null;
  pushedSeq: number;
  localSeq: number;
  /** Upstream events not yet pulled (as of the last answer from upstream). */
  behind: number;
  pulledSeq: number;
  upstreamHead: number;
  refused: number;
  lastPushAt: number | null;
  lastPullAt: number | null;
  lastDirectoryAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** Whether the upstream's live stream is connected (only known by the running server). */
  live?: boolean;
}

const DIRECTORY_EVERY_MS = 5000;

export class Upstream {
  readonly #s: Services;
  readonly #cfg: UpstreamConfig;
  readonly #opts: Required<UpstreamOptions>;
  readonly #stop = new AbortController();
  #shopId: string | undefined;
  #token: { value: string; expiresAt: number } | undefined;
  #wake: (() => void) | undefined;
  #dirty = true;
  #directoryDue = 0;
  #live = false;
  #loop: Promise<void> | undefined;
  #stream: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #idle = new Set<() => void>();

  constructor(services: Services, config: UpstreamConfig, opts: UpstreamOptions = {}) {
    this.#s = services;
    this.#cfg = { ...config, url: config.url.replace(/\/+$/, '') };
    this.#opts = {
      intervalMs: opts.intervalMs ?? 10_000,
      pushBatch: Math.min(opts.pushBatch ?? 500, MAX_BATCH),
      pullBatch: opts.pullBatch ?? 1000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    };
  }

  /** The shop this link replicates, once known (after the first answer from upstream). */
  get shopId(): string | undefined {
    return this.#shopId;
  }

  /** Start replicating in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Ask for a cycle now (a local commit, a directory write). */
  wake(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  /** Exchange the directory on the next cycle. */
  directoryChanged(): void {
    this.#directoryDue = 0;
    this.wake();
  }

  /** Run one full cycle now (directory, push, pull) and throw if it fails. */
  async syncOnce(): Promise<void> {
    await this.#cycle();
  }

  /** Resolve after the next cycle that ends with nothing left to push or pull. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.#idle.add(resolve);
      this.wake();
    });
  }

  /** Stop replicating; resumes from the checkpoints when started again. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#unsubscribe?.();
    this.#wake?.();
    await Promise.allSettled([this.#loop, this.#stream]);
  }

  /** The link's status (undefined before the first contact with upstream). */
  async status(): Promise<LinkStatus | undefined> {
    if (!this.#shopId) return undefined;
    const st = await linkStatus(this.#s, this.#shopId);
    return st && { ...st, live: this.#live };
  }

  /**
   * Enroll a device through the upstream, which allocates device codes for the whole shop (two
   * servers can never hand out the same invoice prefix). Needs the upstream to be reachable.
   */
  async enroll(
    actorId: string,
    input: { name: string; kind: 'till' | 'server' | 'phone' },
  ): Promise<{ deviceId: string; code: string; secret: string }> {
    let enrolled: { deviceId: string; code: string; secret: string };
    try {
      enrolled = await this.#request('POST', '/sync/v1/enroll', { ...input, actorId });
    } catch (err) {
      if (err instanceof UpstreamRefused && err.status < 500)
        throw new ApiError(err.code === 'forbidden' ? 'forbidden' : 'conflict', err.message);
      throw new ApiError(
        'unavailable',
        'enrolling a device needs the upstream server, which is not reachable; try again when online',
      );
    }
    await this.#exchangeDirectory();
    return enrolled;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped()) {
      try {
        await this.#cycle();
        failures = 0;
      } catch (err) {
        failures += 1;
        await this.#recordError(err);
        // Back off; local commits meanwhile do not bring the retry forward.
        await sleep(
          Math.min(this.#opts.intervalMs, 250 * 2 ** Math.min(failures, 8)),
          this.#stop.signal,
        );
        continue;
      }
      if (this.#isDirty()) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, this.#opts.intervalMs).unref();
      });
      this.#wake = undefined;
    }
  }

  async #cycle(): Promise<void> {
    this.#dirty = false;
    try {
      if (!this.#shopId) await this.#link();
      if (Date.now() >= this.#directoryDue) await this.#exchangeDirectory();
      const pushed = await this.#pushAll();
      const pulled = await this.#pullAll();
      if (!this.#stream && this.#shopId) this.#stream = this.#follow();
      await this.#clearError();
      if (!pushed && !pulled && !this.#isDirty()) {
        for (const resolve of this.#idle) resolve();
        this.#idle.clear();
      }
    } catch (err) {
      this.#dirty = true;
      throw err;
    }
  }

  /** First contact: learn the shop, create it here if new, and remember the link. */
  async #link(): Promise<void> {
    const token = await this.#authenticate();
    const shopId = token.shopId;
    const db = this.#s.db.db;
    const local = await db
      .selectFrom('shops')
      .select(['id', 'server_device_id'])
      .where('id', '=', shopId)
      .executeTakeFirst();
    const link = await db
      .selectFrom('upstream_links')
      .select(['shop_id'])
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    if (local && !link && local.server_device_id !== this.#cfg.deviceId)
      throw new Error(
        'this database already holds the shop, created here rather than pulled from the upstream; it cannot be linked',
      );
    const directory = directorySchema.parse(
      await this.#request<unknown>('GET', '/sync/v1/directory'),
    );
    if (!directory.shop || directory.shop.id !== shopId)
      throw new Error('the upstream answered with another shop');
    const shop = directory.shop;
    const now = Date.now();
    await db.transaction().execute(async (trx) => {
      if (!local)
        await trx
          .insertInto('shops')
          .values({
            id: shop.id,
            name: shop.name,
            gstin: shop.gstin,
            state_code: shop.stateCode,
            registration: shop.registration,
            seq: 0,
            server_device_id: this.#cfg.deviceId,
            created_at: now,
          })
          .execute();
      // This server records its own writes as the upstream device it was given.
      else
        await trx
          .updateTable('shops')
          .set({ server_device_id: this.#cfg.deviceId })
          .where('id', '=', shopId)
          .execute();
      await trx
        .insertInto('upstream_links')
        .values({
          shop_id: shopId,
          url: this.#cfg.url,
          device_id: this.#cfg.deviceId,
          pushed_seq: 0,
          pulled_seq: 0,
          upstream_log: null,
          upstream_head: 0,
          refused: 0,
          last_push_at: null,
          last_pull_at: null,
          last_directory_at: null,
          last_error: null,
          last_error_at: null,
          created_at: now,
        })
        .onConflict((oc) =>
          oc.column('shop_id').doUpdateSet({ url: this.#cfg.url, device_id: this.#cfg.deviceId }),
        )
        .execute();
    });
    this.#s.cache.invalidate(shopId);
    this.#shopId = shopId;
    this.#unsubscribe = this.#s.feed.subscribe(shopId, () => this.wake());
    // The directory just read is merged and ours sent back: no second read this cycle.
    await this.#exchangeDirectory(directory);
    this.#s.log.info('upstream linked', { shopId, url: this.#cfg.url });
  }

  async #exchangeDirectory(read?: Directory): Promise<void> {
    const shopId = this.#requireShop();
    const theirs =
      read ?? directorySchema.parse(await this.#request<unknown>('GET', '/sync/v1/directory'));
    await this.#merge(shopId, theirs);
    const mine = await readDirectory(this.#s.db, shopId);
    delete mine.shop;
    const answer = await this.#request<{ changed: number; skipped: string[] }>(
      'POST',
      '/sync/v1/directory',
      mine,
    );
    if (answer.skipped.length > 0)
      this.#s.log.warn('upstream skipped directory rows', {
        shopId,
        skipped: answer.skipped.slice(0, 10),
      });
    this.#directoryDue = Date.now() + DIRECTORY_EVERY_MS;
    await this.#s.db.db
      .updateTable('upstream_links')
      .set({ last_directory_at: Date.now() })
      .where('shop_id', '=', shopId)
      .execute();
  }

  async #merge(shopId: string, directory: Directory): Promise<void> {
    const report = await mergeDirectory(this.#s.db, shopId, directory, 'upstream');
    if (report.skipped.length > 0)
      this.#s.log.warn('directory rows skipped', { shopId, skipped: report.skipped.slice(0, 10) });
  }

  /** Push everything not yet offered upstream; true if anything was pushed. */
  async #pushAll(): Promise<boolean> {
    const shopId = this.#requireShop();
    const db = this.#s.db.db;
    let any = false;
    // Counted once per round (not per batch): what is left is reported to the upstream.
    let unpushed: number | undefined;
    for (;;) {
      const link = await db
        .selectFrom('upstream_links')
        .select(['pushed_seq'])
        .where('shop_id', '=', shopId)
        .executeTakeFirstOrThrow();
      const rows = await db
        .selectFrom('events')
        .select(['seq', 'body', 'from_upstream'])
        .where('shop_id', '=', shopId)
        .where('seq', '>', link.pushed_seq)
        .orderBy('seq')
        .limit(this.#opts.pushBatch)
        .execute();
      if (rows.length === 0) return any;
      const last = rows.at(-1)?.seq ?? link.pushed_seq;
      const mine = rows.filter((r) => r.from_upstream === 0);
      let refused = 0;
      if (mine.length > 0) {
        unpushed ??= await countUnpushed(this.#s, shopId, link.pushed_seq);
        unpushed = Math.max(0, unpushed - mine.length);
        const body = `{"rows":[${mine.map((r) => `{"newDocumentState":${r.body}}`).join(',')}]}`;
        const answer = await this.#request<{ results: { status: string }[] }>(
          'POST',
          '/sync/v1/push',
          body,
          { [UNSYNCED_HEADER]: String(unpushed) },
        );
        refused = answer.results.filter(
          (r) => r.status !== 'accepted' && r.status !== 'duplicate',
        ).length;
        if (refused > 0)
          this.#s.log.warn('upstream refused events', { shopId, refused, upTo: last });
        any = true;
      }
      await db
        .updateTable('upstream_links')
        .set((eb) => ({
          pushed_seq: last,
          refused: eb('refused', '+', refused),
          ...(mine.length > 0 ? { last_push_at: Date.now() } : {}),
        }))
        .where('shop_id', '=', shopId)
        .where('pushed_seq', '=', link.pushed_seq)
        .execute();
      if (rows.length < this.#opts.pushBatch) return any;
    }
  }

  /** Pull everything new upstream; true if anything new was recorded. */
  async #pullAll(): Promise<boolean> {
    const shopId = this.#requireShop();
    const db = this.#s.db.db;
    let any = false;
    for (;;) {
      const link = await db
        .selectFrom('upstream_links')
        .select(['pulled_seq', 'upstream_log'])
        .where('shop_id', '=', shopId)
        .executeTakeFirstOrThrow();
      const log = link.upstream_log ? `&log=${encodeURIComponent(link.upstream_log)}` : '';
      const page = await this.#request<{
        documents: unknown[];
        checkpoint: { seq: number; log?: string };
        hasMore: boolean;
        head?: number;
      }>(
        'GET',
        `/sync/v1/pull?after=${link.pulled_seq}&limit=${this.#opts.pullBatch}${log}`,
        undefined,
        { [UNSYNCED_HEADER]: String(await countUnpushed(this.#s, shopId)) },
      );
      const events: DomainEvent[] = [];
      for (const doc of page.documents) {
        const decoded = decodeEvent(doc);
        if (!decoded.ok || decoded.event.shopId !== shopId)
          throw new Error('the upstream sent an event this server cannot read');
        events.push(decoded.event);
      }
      // The upstream's log changed (it was restored from a backup): it may lack events it had
      // acknowledged, so everything here is offered again (repeats are answered as duplicates).
      const restored =
        link.upstream_log !== null &&
        page.checkpoint.log !== undefined &&
        page.checkpoint.log !== link.upstream_log;
      if (restored)
        this.#s.log.warn('the upstream log changed; offering every event again', { shopId });
      const checkpoint = {
        pulled_seq: page.checkpoint.seq,
        upstream_log: page.checkpoint.log ?? null,
        upstream_head: Math.max(page.head ?? 0, page.checkpoint.seq),
        last_pull_at: Date.now(),
        ...(restored ? { pushed_seq: 0 } : {}),
      };
      const outcome = await ingestRelayed(this.#s, shopId, events, checkpoint);
      if (outcome > 0) any = true;
      if (!page.hasMore) return any;
    }
  }

  /** Follow the upstream's live stream; every message wakes a cycle. Reconnects until closed. */
  async #follow(): Promise<void> {
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      try {
        const token = await this.#authenticate();
        // Start at the head last seen: the stream is only a wake-up, the pull reads the events.
        const link = await this.#s.db.db
          .selectFrom('upstream_links')
          .select(['upstream_head', 'upstream_log'])
          .where('shop_id', '=', this.#requireShop())
          .executeTakeFirstOrThrow();
        const log = link.upstream_log ? `&log=${encodeURIComponent(link.upstream_log)}` : '';
        const res = await fetch(
          `${this.#cfg.url}/sync/v1/stream?after=${link.upstream_head}${log}`,
          {
            headers: {
              authorization: `Bearer ${token.value}`,
              [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
            },
            signal: this.#stop.signal,
          },
        );
        if (!res.ok || !res.body) throw new Error(`live stream answered ${res.status}`);
        this.#live = true;
        failures = 0;
        const decoder = new TextDecoder();
        let buffered = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffered += decoder.decode(chunk, { stream: true });
          // Only the event names matter: any message means "look again".
          if (/event: (events|resync)/.test(buffered)) this.wake();
          buffered = buffered.slice(buffered.lastIndexOf('\n\n') + 1);
          if (buffered.length > 1 << 20) buffered = '';
        }
      } catch {
        // Upstream unreachable or restarting: the timer keeps replicating; reconnect below.
      }
      this.#live = false;
      if (this.#stopped()) break;
      failures += 1;
      await sleep(
        Math.min(this.#opts.intervalMs, 250 * 2 ** Math.min(failures, 8)),
        this.#stop.signal,
      );
    }
  }

  async #authenticate(): Promise<{ value: string; shopId: string }> {
    if (this.#token && this.#token.expiresAt > Date.now() + 30_000 && this.#shopId)
      return { value: this.#token.value, shopId: this.#shopId };
    const res = await this.#fetch('/api/v1/auth/device-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: this.#cfg.deviceId, secret: this.#cfg.secret }),
    });
    const body = (await res.json().catch(() => ({}))) as {
      accessToken?: string;
      expiresIn?: number;
      shopId?: string;
      error?: { code?: string; message?: string };
    };
    if (!res.ok || !body.accessToken || !body.shopId)
      throw new UpstreamRefused(
        res.status,
        body.error?.code ?? 'unknown',
        `upstream sign-in failed: ${body.error?.code ?? res.status}`,
      );
    this.#token = {
      value: body.accessToken,
      expiresAt: Date.now() + (body.expiresIn ?? 60) * 1000,
    };
    return { value: body.accessToken, shopId: body.shopId };
  }

  async #request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#authenticate();
      const res = await this.#fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token.value}`,
          [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      if (res.status === 401 && attempt === 0) {
        this.#token = undefined;
        continue;
      }
      const parsed = (await res.json().catch(() => undefined)) as
        (T & { error?: { code?: string; message?: string } }) | undefined;
      if (!res.ok || parsed === undefined)
        throw new UpstreamRefused(
          res.status,
          parsed?.error?.code ?? 'unknown',
          `upstream ${method} ${path.split('?')[0] ?? path} answered ${res.status} ${parsed?.error?.code ?? ''}`.trim(),
        );
      return parsed;
    }
  }

  #fetch(path: string, init: RequestInit): Promise<Response> {
    const signal = deadline(new AbortController(), this.#opts.requestTimeoutMs, this.#stop.signal);
    return fetch(`${this.#cfg.url}${path}`, { ...init, signal });
  }

  #isDirty(): boolean {
    return this.#dirty;
  }

  #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  #requireShop(): string {
    if (!this.#shopId) throw new Error('the link has not reached its upstream yet');
    return this.#shopId;
  }

  async #recordError(err: unknown): Promise<void> {
    const message = describe(err);
    this.#s.log.warn('upstream replication failed', { url: this.#cfg.url, error: message });
    if (!this.#shopId) return;
    await this.#s.db.db
      .updateTable('upstream_links')
      .set({ last_error: message, last_error_at: Date.now() })
      .where('shop_id', '=', this.#shopId)
      .execute()
      .catch(() => undefined);
  }

  async #clearError(): Promise<void> {
    if (!this.#shopId) return;
    await this.#s.db.db
      .updateTable('upstream_links')
      .set({ last_error: null })
      .where('shop_id', '=', this.#shopId)
      .where('last_error', 'is not', null)
      .execute();
  }
}

/** An upstream answered with an error. */
export class UpstreamRefused extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'UpstreamRefused';
    this.status = status;
    this.code = code;
  }
}

/**
 * Record events pulled from upstream and move the pull checkpoint in the same transaction: after a
 * crash either both happened or neither. Returns how many events were new here.
 */
async function ingestRelayed(
  s: Services,
  shopId: string,
  events: readonly DomainEvent[],
  checkpoint: {
    pulled_seq: number;
    upstream_log: string | null;
    upstream_head: number;
    last_pull_at: number;
    pushed_seq?: number;
  },
): Promise<number> {
  const shop = await s.db.db
    .selectFrom('shops')
    .select('server_device_id')
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow();
  const sender: Sender = {
    shopId,
    deviceId: shop.server_device_id,
    kind: 'server',
    revoked: false,
    relay: true,
    fromUpstream: true,
  };
  const outcome = await ingestWith(
    s.db,
    s.cache,
    sender,
    () => Promise.resolve(events),
    async (trx) => {
      await trx
        .updateTable('upstream_links')
        .set(checkpoint)
        .where('shop_id', '=', shopId)
        .execute();
    },
  );
  if (outcome.accepted.length > 0) s.feed.publish(shopId, outcome.seq);
  return outcome.accepted.length;
}

async function countUnpushed(
  s: Pick<Services, 'db'>,
  shopId: string,
  after?: number,
): Promise<number> {
  let pushed = after;
  if (pushed === undefined) {
    const link = await s.db.db
      .selectFrom('upstream_links')
      .select('pushed_seq')
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    pushed = link?.pushed_seq ?? 0;
  }
  const row = await s.db.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('shop_id', '=', shopId)
    .where('seq', '>', pushed)
    .where('from_upstream', '=', 0)
    .executeTakeFirst();
  return row?.n ?? 0;
}

/** A shop's link status read from the database (the CLI reads it without a running link). */
export async function linkStatus(
  s: Pick<Services, 'db'>,
  shopId: string,
): Promise<LinkStatus | undefined> {
  const db = s.db.db;
  const link = await db
    .selectFrom('upstream_links')
    .selectAll()
    .where('shop_id', '=', shopId)
    .executeTakeFirst();
  if (!link) return undefined;
  const shop = await db
    .selectFrom('shops')
    .select('seq')
    .where('id', '=', shopId)
    .executeTakeFirstOrThrow();
  const oldest = await db
    .selectFrom('events')
    .select(['received_at'])
    .where('shop_id', '=', shopId)
    .where('seq', '>', link.pushed_seq)
    .where('from_upstream', '=', 0)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  const unpushed = oldest ? await countUnpushed(s, shopId, link.pushed_seq) : 0;
  return {
    shopId,
    url: link.url,
    deviceId: link.device_id,
    unpushed,
    oldestUnpushedAt: oldest?.received_at ?? null,
    pushedSeq: link.pushed_seq,
    localSeq: shop.seq,
    behind: Math.max(0, link.upstream_head - link.pulled_seq),
    pulledSeq: link.pulled_seq,
    upstreamHead: link.upstream_head,
    refused: link.refused,
    lastPushAt: link.last_push_at,
    lastPullAt: link.last_pull_at,
    lastDirectoryAt: link.last_directory_at,
    lastError: link.last_error,
    lastErrorAt: link.last_error_at,
  };
}

function describe(err: unknown): string {
  if (err instanceof UpstreamRefused) return err.message;
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return (cause ? `${err.message} (${cause})` : err.message).slice(0, 300);
  }
  return String(err).slice(0, 300);
}
