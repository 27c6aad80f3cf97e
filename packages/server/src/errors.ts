/**
 * The closed set of error codes on the wire. Every error response is
 * `{ error: { code, message, details? } }` with the HTTP status the code implies; messages never
 * carry secrets (tokens, hashes, passwords).
 */

export const ERROR_STATUS = {
  bad_request: 400,
  malformed_json: 400,
  validation_failed: 422,
  unauthenticated: 401,
  invalid_credentials: 401,
  token_expired: 401,
  token_invalid: 401,
  otp_invalid: 401,
  forbidden: 403,
  device_revoked: 403,
  wrong_shop: 403,
  not_found: 404,
  conflict: 409,
  phone_taken: 409,
  payload_too_large: 413,
  too_many_events: 413,
  unsupported_media_type: 415,
  upgrade_required: 426,
  rate_limited: 429,
  otp_locked: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error class thrown at the HTTP edge. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }
}

/** The wire shape of an error. */
export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
