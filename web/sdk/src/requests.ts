// The app's requests over the connection, each with its own `rid`: answered by the frame that
// carries the same `rid` (or an error), and written again after a reconnect until answered, so
// a request made while offline or lost with a connection still completes.

import type { TernError } from "./errors.js";
import type { ClientFrame, ServerFrame } from "./protocol.js";

interface Pending {
  frame: ClientFrame;
  resolve(frame: ServerFrame): void;
  reject(error: TernError): void;
}

export class Requests {
  private lastRid = 0;
  private readonly pending = new Map<number, Pending>();

  /** A fresh rid, for requests and for the client's own frames alike (they share one space). */
  nextRid(): number {
    this.lastRid += 1;
    return this.lastRid;
  }

  /** Starts a request: `write` sends it now if it can; the promise settles with its answer. */
  start(frame: ClientFrame, write: (frame: ClientFrame) => void): Promise<ServerFrame> {
    const rid = this.nextRid();
    return new Promise((resolve, reject) => {
      this.pending.set(rid, { frame, resolve, reject });
      write({ ...frame, rid });
    });
  }

  /** The answer to request `rid`, if it is one of these; whether it was. */
  resolve(frame: ServerFrame & { rid?: number }): boolean {
    const request = frame.rid === undefined ? undefined : this.pending.get(frame.rid);
    if (request === undefined || frame.rid === undefined) return false;
    this.pending.delete(frame.rid);
    request.resolve(frame);
    return true;
  }

  /** The error answering request `rid`, if it is one of these; whether it was. */
  reject(rid: number, error: TernError): boolean {
    const request = this.pending.get(rid);
    if (request === undefined) return false;
    this.pending.delete(rid);
    request.reject(error);
    return true;
  }

  /** After a reconnect: every unanswered request again, under its rid. */
  rewrite(write: (frame: ClientFrame) => void): void {
    for (const [rid, request] of this.pending) write({ ...request.frame, rid });
  }

  /** The client closed or logged out: none will be answered. */
  failAll(error: TernError): void {
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }
}
