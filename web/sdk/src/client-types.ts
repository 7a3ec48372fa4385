// The client's options, states and events: the surface an app programs against.

import type { TernError } from "./errors.js";
import type { ConversationView } from "./conversations.js";
import type { PendingMessage } from "./outbox.js";
import type { ContactChange, ConvId, Event, Limits, SessionId, UserId, UserProfile, UserSettings } from "./protocol.js";
import type { SocketFactory } from "./socket.js";
import type { KeyValueStorage } from "./storage.js";
import type { Timers } from "./timers.js";

export interface ClientOptions {
  /** Bearer token from `Api.login`. */
  token: string;
  /** `http(s)://host:port`; "" (the default) means the page's own origin. */
  server?: string;
  socketFactory?: SocketFactory;
  /** Where pending sends are kept across reloads (localStorage in browsers; memory by default). */
  storage?: KeyValueStorage;
  /** Storage key of the outbox; include the account, so two accounts never share one. */
  outboxKey?: string;
  timers?: Timers;
  random?: () => number;
  /** Client message ids; random UUIDs by default. */
  newCmid?: () => string;
  /** First reconnect delay, doubled per failed attempt up to `maxBackoffMs`, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long an unanswered send waits before it is written again on the same connection. */
  resendAfterMs?: number;
  /** With nothing heard for this long, the client sends a `ping`... */
  pingIntervalMs?: number;
  /** ...and drops the connection if nothing answers within this (a silently dead network). */
  pongTimeoutMs?: number;
  helloTimeoutMs?: number;
  historyPageSize?: number;
  /** How long a `typing` frame from someone is shown. */
  typingTtlMs?: number;
  /** At most one `typing` frame per conversation per this interval. */
  typingThrottleMs?: number;
  /** Loaded events kept per conversation; older ones are dropped and paged in again. */
  maxTimelineEvents?: number;
}

export type ConnectionStatus =
  /** The first connection is being made. */
  | "connecting"
  /** Connected; catching up on what happened meanwhile. */
  | "syncing"
  /** Connected and caught up. */
  | "online"
  /** The connection dropped; a new one is being attempted (with backoff). */
  | "reconnecting"
  /** Disconnected on the app's request (`goOffline`); sends queue up. */
  | "offline"
  /** The token was refused (close 4001): log in again. */
  | "logged_out"
  | "closed";

/** The server's confirmation that a message is stored. */
export interface Ack {
  conv: ConvId;
  cmid: string;
  seq: number;
  id: string;
  ts: number;
  duplicate: boolean;
}

export interface ClientEvents {
  status: ConnectionStatus;
  connected: { user: UserProfile; session: SessionId; limits: Limits };
  /** The next event of a tracked conversation: exactly once, in seq order per conversation. */
  event: Event;
  /** A conversation's list entry changed (summary, new event, read position, membership). */
  conversation: ConversationView;
  read: { conv: ConvId; readSeq: number; unread: number };
  typing: { conv: ConvId; user: UserId };
  /** What the client knows of how far others read `conv` changed (`client.receipts`). */
  receipts: { conv: ConvId };
  /** Your account settings changed (on this or another device). */
  settings: UserSettings;
  /** Your contacts changed: `user` asked to become one (`requested`, with `note`), became one
   * (`added`), or is one no more (`removed`). */
  contact: { change: ContactChange; user: UserProfile; note?: string };
  /** A catch-up completed: everything committed before it has been delivered. */
  synced: undefined;
  /** The outbox changed (a send queued, acknowledged, failed, retried or discarded). */
  outbox: readonly PendingMessage[];
  /** A send was acknowledged by the server. */
  ack: Ack;
  timeline: { conv: ConvId };
  disconnected: { code?: number };
  loggedOut: { reason: string };
  /** Something failed that the app may want to show or log; the client carries on. */
  problem: TernError | Error;
  /** Anything visible changed: a cue for UIs to re-render (coalesce it). */
  change: undefined;
}

/** Until `hello` says otherwise: the server's defaults. */
export const DEFAULT_LIMITS: Limits = {
  max_text_chars: 8000,
  max_frame_bytes: 65536,
  max_page: 500,
  max_group_members: 10_000,
  max_users_per_request: 1000,
  edit_window_s: 86_400,
  recall_window_s: 120,
  max_pins: 100,
  max_forward: 50,
};
