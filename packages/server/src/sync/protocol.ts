/**
 * The sync protocol version, in one place.
 *
 * History:
 * - 1: push (RxDB push rows, per-event results), pull by sequence checkpoint, SSE live stream.
 * - 2: `GET /sync/v1/snapshot`, a fresh till's projection seed and the position it summarises
 *   (a till of version 1 still syncs: it pulls the whole log instead).
 *
 * Clients send `x-smartkirana-protocol: <version>`; below `MIN_PROTOCOL_VERSION` they get
 * 426 `upgrade_required` and must update before syncing (their unsynced events stay on the device).
 */
export const PROTOCOL_VERSION = 2;
export const MIN_PROTOCOL_VERSION = 1;
export const PROTOCOL_HEADER = 'x-smartkirana-protocol';
/** A till may say how many of its events await acknowledgement (shown on the owner's dashboard). */
export const UNSYNCED_HEADER = 'x-smartkirana-unsynced';

/**
 * A device sends its wall clock (ms since the epoch) with every sync request; the server answers
 * with the skew it measured in `CLOCK_SKEW_HEADER` and flags devices whose clock is wrong.
 */
export const CLOCK_HEADER = 'x-smartkirana-clock';
export const CLOCK_SKEW_HEADER = 'x-smartkirana-clock-skew';
/** A claimed clock further off than this is not a clock: the header is ignored. */
export const MAX_PLAUSIBLE_SKEW_MS = 10 * 366 * 86_400_000;

/** Largest pull page. */
export const MAX_PULL_LIMIT = 5000;
/** Seconds between heartbeats on the live stream. */
export const HEARTBEAT_SECONDS = 15;
