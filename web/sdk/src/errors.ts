import type { ErrorCode } from "./protocol.js";

/**
 * A failure the server reported (HTTP error body or `error` frame), or one the SDK produced
 * itself with a code of its own (`network`, `closed`, `logged_out`, `timeout`).
 */
export class TernError extends Error {
  readonly code: ErrorCode | "network" | "closed" | "logged_out" | "timeout";
  /** Whether sending the same request again later may succeed. */
  readonly retryable: boolean;
  /** The HTTP status, for errors of the REST API. */
  readonly status?: number;

  constructor(
    code: TernError["code"],
    message: string,
    retryable: boolean,
    status?: number,
  ) {
    super(message);
    this.name = "TernError";
    this.code = code;
    this.retryable = retryable;
    this.status = status;
  }
}
