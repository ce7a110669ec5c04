// The contract's errors as values a caller can branch on: an HTTP error
// envelope becomes an ApiError, a WebSocket `error` frame (or a request
// the socket could not get answered) a FrameError. Both carry the
// contract's `code` (docs/protocol.md, "Error codes"); 0 means the server
// was never reached or never answered, so no code was given.

/** The contract's error codes. */
export const ErrorCode = {
  /** The server was not reached or did not answer: no code was given. */
  Unreachable: 0,
  InvalidParams: 1001,
  Unauthorized: 1002,
  NotFound: 1003,
  Internal: 1004,
  Forbidden: 1005,
  Conflict: 1006,
  RateLimited: 1007,
  TooLarge: 1008,
  Unavailable: 1009,
} as const;

/** An error envelope (`{"code":N,"message":…}`) or no answer at all. */
export class ApiError extends Error {
  /** The envelope's code (1001…1009), or 0 when the server was not reached. */
  readonly code: number;
  /** The HTTP status, or 0 when there was no response. */
  readonly status: number;
  /** How long the server asked to wait (1007, 1009), in ms; 0 when it did not say. */
  readonly retryAfterMs: number;

  constructor(code: number, message: string, status = 0, retryAfterMs = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A refusal of a WebSocket request: the server's `error` frame, or no answer. */
export class FrameError extends Error {
  /** The frame's code, or 0 when no answer came (offline, timed out, connection lost). */
  readonly code: number;
  /** How long the server asked to wait, in ms; 0 when it did not say. */
  readonly retryAfterMs: number;

  constructor(code: number, message: string, retryAfterMs = 0) {
    super(message);
    this.name = 'FrameError';
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}
