// The wire types of tern, mirroring crates/proto (docs/PROTOCOL.md is the contract).
// Ids are plain numbers: user, conversation and session ids are integers far below 2^53.

export type UserId = number;
export type ConvId = number;
export type SessionId = number;

export interface UserProfile {
  id: UserId;
  username: string;
  display_name: string;
  created_at: number;
}

export type SystemEvent =
  | { event: "group_created"; name: string; members: UserId[] }
  | { event: "members_added"; users: UserId[] }
  | { event: "member_removed"; user: UserId }
  | { event: "member_left"; user: UserId; new_owner?: UserId };

/** What an event carries. Unknown `type`s must be shown as "unsupported", never fail. */
export type Content =
  | { type: "text"; text: string }
  | ({ type: "system" } & SystemEvent)
  | { type: string; [field: string]: unknown };

export interface TextContent {
  type: "text";
  text: string;
}

export interface Event {
  conv: ConvId;
  /** Position in the conversation: 1, 2, 3, ... with no gaps. Order comes from seq only. */
  seq: number;
  /** UUIDv7, for references. */
  id: string;
  sender: UserId;
  ts: number;
  /** The sender's client message id; absent on system events. */
  cmid?: string;
  content: Content;
}

/**
 * A value a newer server may add to: the known names, or any other string. Code that meets one
 * it does not know treats it as the protocol says (an unknown kind is shown like a group, an
 * unknown role like a member, an unknown error code by its message) and never drops the frame.
 */
export type Open<Known extends string> = Known | (string & {});

export type ConversationKind = Open<"direct" | "group">;
export type MemberRole = Open<"owner" | "member">;

export interface ConversationSummary {
  id: ConvId;
  kind: ConversationKind;
  name: string | null;
  peer?: UserProfile;
  last_seq: number;
  read_seq: number;
  unread: number;
  active: boolean;
  last_event?: Event;
}

export interface MemberInfo {
  user: UserProfile;
  role: MemberRole;
}

export interface ConversationDetail extends ConversationSummary {
  members: MemberInfo[];
}

export interface SessionInfo {
  id: SessionId;
  device: string;
  created_at: number;
  current: boolean;
}

export interface LoginResponse {
  token: string;
  session: SessionInfo;
  user: UserProfile;
}

export interface Limits {
  max_text_chars: number;
  max_frame_bytes: number;
  max_page: number;
  /** Most current members of a group; adding beyond it is refused with `group_full`. */
  max_group_members: number;
  /** Most users named in one request (creating a group, adding members, `GET /users?ids=`). */
  max_users_per_request: number;
}

export interface EventPage {
  events: Event[];
  has_more: boolean;
}

export type ErrorCode = Open<
  | "bad_frame"
  | "unknown_type"
  | "frame_too_large"
  | "binary_not_supported"
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_member"
  | "not_found"
  | "text_too_long"
  | "invalid_content"
  | "unsupported_content"
  | "client_id_reused"
  | "group_full"
  | "username_taken"
  | "invalid_username"
  | "invalid_password"
  | "invalid_display_name"
  | "invalid_credentials"
  | "unavailable"
  | "internal"
>;

// ---- WebSocket frames -------------------------------------------------------------------

export type ClientFrame =
  | { type: "send"; rid?: number; conv: ConvId; cmid: string; content: Content }
  | { type: "sync"; rid?: number; since?: string; page?: string }
  | { type: "fetch"; rid?: number; conv: ConvId; after: number; limit?: number }
  | { type: "history"; rid?: number; conv: ConvId; before?: number; limit?: number }
  | { type: "read"; rid?: number; conv: ConvId; seq: number }
  | { type: "typing"; rid?: number; conv: ConvId }
  | { type: "ping"; rid?: number };

export interface HelloFrame {
  type: "hello";
  user: UserProfile;
  session: SessionId;
  server_time: number;
  heartbeat_ms: number;
  idle_timeout_ms: number;
  limits: Limits;
  /** The protocol version (1); absent from servers older than the field. */
  protocol?: number;
  /** What the server offers beyond version 1's core, by name (e.g. "sync_pages"). */
  features?: string[];
}

export interface AckFrame {
  type: "ack";
  rid?: number;
  conv: ConvId;
  cmid: string;
  seq: number;
  id: string;
  ts: number;
  duplicate: boolean;
}

export type EventFrame = { type: "event" } & Event;

export interface SyncFrame {
  type: "sync";
  rid?: number;
  token: string;
  conversations: ConversationSummary[];
  /** More conversations changed than one reply carries: ask for `sync` `{since, page: next}`. */
  next?: string;
}

export interface EventsFrame {
  type: "events";
  rid?: number;
  conv: ConvId;
  events: Event[];
  has_more: boolean;
}

export interface ReadFrame {
  type: "read";
  rid?: number;
  conv: ConvId;
  read_seq: number;
  unread: number;
}

export interface ErrorFrame {
  type: "error";
  rid?: number;
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export type ServerFrame =
  | HelloFrame
  | AckFrame
  | EventFrame
  | SyncFrame
  | EventsFrame
  | ReadFrame
  | { type: "pong"; rid?: number }
  | { type: "typing"; conv: ConvId; user: UserId }
  | { type: "resync" }
  | ErrorFrame;

/** WebSocket close codes (docs/PROTOCOL.md, section 5). */
export const CloseCode = {
  NORMAL: 1000,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL: 1011,
  RESTARTING: 1012,
  TRY_AGAIN_LATER: 1013,
  UNAUTHORIZED: 4001,
  HEARTBEAT_TIMEOUT: 4002,
  TOO_SLOW: 4008,
} as const;

/** Whether an event's content makes it count as unread for the other members. */
export function countsAsUnread(content: Content): boolean {
  return content.type === "text";
}

/** The text of a text event, or undefined for any other content. */
export function textOf(content: Content): string | undefined {
  return content.type === "text" && typeof content.text === "string" ? content.text : undefined;
}

/** Narrows content to a system event, if it is one of the kinds this build knows. */
export function systemEventOf(content: Content): SystemEvent | undefined {
  if (content.type !== "system") return undefined;
  const known = ["group_created", "members_added", "member_removed", "member_left"];
  const event = (content as { event?: unknown }).event;
  return typeof event === "string" && known.includes(event) ? (content as unknown as SystemEvent) : undefined;
}
