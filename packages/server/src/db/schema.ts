/**
 * Table types for Kysely. One schema serves SQLite and Postgres: times are epoch milliseconds in
 * bigint columns, JSON is stored as text (so an event's bytes round-trip exactly), no booleans.
 */
import type { Generated } from 'kysely';

export interface ShopsTable {
  id: string;
  name: string;
  gstin: string | null;
  state_code: string;
  registration: string;
  /** Last sequence number assigned to an event of this shop (the pull checkpoint). */
  seq: number;
  /** The device identity the server uses for events it records itself (REST writes). */
  server_device_id: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  phone: string;
  name: string;
  password_hash: string | null;
  created_at: number;
  /** When the row last changed: servers merge directory rows last-writer-wins on this. */
  updated_at: number | null;
}

export interface MembershipsTable {
  user_id: string;
  shop_id: string;
  role: string;
  /** argon2id hash of the staff PIN used to sign in on a till (synced to enrolled tills). */
  pin_hash: string | null;
  created_at: number;
  removed_at: number | null;
  updated_at: number | null;
}

export interface DevicesTable {
  id: string;
  shop_id: string;
  code: string;
  name: string;
  kind: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  /** Events the till last said it holds unacknowledged, and when it said so. */
  unsynced: number | null;
  unsynced_at: number | null;
  updated_at: number | null;
  /** The checkpoint the device last pulled from, and when: how far behind the log it is. */
  pulled_seq: number | null;
  pulled_at: number | null;
  /** Device clock minus server clock at the last sync request that said it, and when. */
  clock_skew_ms: number | null;
  clock_checked_at: number | null;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  user_id: string;
  shop_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  replaced_by: string | null;
}

export interface OtpsTable {
  id: string;
  phone: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  attempts: number;
  consumed_at: number | null;
}

export interface EventsTable {
  shop_id: string;
  /** Server-assigned, commit-ordered, gapless per shop. */
  seq: number;
  id: string;
  device_id: string;
  device_seq: number;
  hlc: string;
  type: string;
  actor_id: string;
  at: number;
  received_at: number;
  /** The event as JSON text, exactly as accepted. */
  body: string;
  /** 1 when the event was pulled from this server's upstream (so it is never pushed back up). */
  from_upstream: number;
}

export interface QuarantineTable {
  id: string;
  shop_id: string;
  device_id: string;
  device_seq: number;
  type: string;
  received_at: number;
  code: string;
  reason: string;
  body: string;
  resolved_at: number | null;
}

export interface StockTable {
  shop_id: string;
  product_id: string;
  qty: number;
  value: number;
}

export interface BalancesTable {
  shop_id: string;
  day: string;
  account: string;
  amount: number;
}

export interface PartyBalancesTable {
  shop_id: string;
  party_id: string;
  /** `khata` (what a customer owes) or `payable` (what the shop owes a supplier). */
  kind: string;
  balance: number;
}

export interface DeviceCountersTable {
  device_id: string;
  series: string;
  fy: string;
  last: number;
}

export interface ServerStateTable {
  key: string;
  value: string;
}

/** This server's link to its upstream server, for one shop, with the replication checkpoints. */
export interface UpstreamLinksTable {
  shop_id: string;
  url: string;
  /** The server-kind device of the upstream shop this server acts as. */
  device_id: string;
  /** Local sequence up to which events were offered upstream. */
  pushed_seq: number;
  /** Upstream sequence up to which events were pulled, within the upstream log `upstream_log`. */
  pulled_seq: number;
  upstream_log: string | null;
  upstream_head: number;
  /** Events the upstream refused (quarantined or conflicting ids). */
  refused: number;
  last_push_at: number | null;
  last_pull_at: number | null;
  last_directory_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  created_at: number;
}

export interface Database {
  shops: ShopsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  devices: DevicesTable;
  refresh_tokens: RefreshTokensTable;
  otps: OtpsTable;
  events: EventsTable;
  quarantine: QuarantineTable;
  stock: StockTable;
  balances: BalancesTable;
  party_balances: PartyBalancesTable;
  device_counters: DeviceCountersTable;
  server_state: ServerStateTable;
  upstream_links: UpstreamLinksTable;
}

/** Placeholder so `Generated` stays importable for future auto-increment columns. */
export type Auto<T> = Generated<T>;
