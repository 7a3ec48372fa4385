// Generated from crates/proto by `UPDATE_WIRE=1 cargo test -p tern-proto wire`: do not edit.
// The wire types of tern (docs/PROTOCOL.md is the contract); protocol.ts adds helpers.

/**
 * A registered account.
 */
export type UserId = number;

/**
 * A direct (1:1) or group conversation.
 */
export type ConvId = number;

/**
 * One login: a bearer token held by one device.
 */
export type SessionId = number;

/**
 * An uploaded file, as messages and download addresses name it: 32 lowercase hex digits,
 * random, so that file ids cannot be guessed or enumerated.
 */
export type FileId = string;

/**
 * A public view of an account.
 */
export type UserProfile = {
  id: UserId,
  /**
   * Lowercase ASCII handle, unique; see docs/PROTOCOL.md for the rules.
   */
  username: string,
  /**
   * Any Unicode, chosen by the user.
   */
  display_name: string,
  /**
   * Unix milliseconds.
   */
  created_at: number,
  /**
   * The profile picture: a file every user may read (its `square` rendition is the one to
   * show in a circle).
   */
  avatar?: FileId,
};

/**
 * One event of a conversation: a message or a system event, with its place in the order.
 */
export type Event = {
  conv: ConvId,
  /**
   * Position in the conversation: 1, 2, 3, ... with no gaps.
   */
  seq: number,
  /**
   * Globally unique, time-ordered (UUIDv7); for references (replies, reactions), not order.
   */
  id: string,
  sender: UserId,
  /**
   * Server time of the commit, Unix milliseconds.
   */
  ts: number,
  /**
   * The sender's client message id, for messages sent by clients.
   */
  cmid?: string,
  content: Content,
  /**
   * When the message's text was last edited (Unix milliseconds); absent if never.
   */
  edited?: number,
  /**
   * The message's reactions as they stand, one entry per emoji.
   */
  reactions?: Array<Reactions>,
  /**
   * The seq of the latest event that changed this message (edit, recall, reaction), absent
   * if none did: this copy already reflects every change up to it, so a client applies only
   * changes with a greater seq.
   */
  rev?: number,
};

/**
 * Who reacted to a message with one emoji, in the order they did.
 */
export type Reactions = {
  emoji: string,
  users: Array<UserId>,
};

/**
 * What an event carries, tagged by `type`.
 */
export type Content = {
  "type": "text",
  text: string,
  /**
   * The seq of the message of the same conversation this one replies to (quotes).
   */
  reply_to?: number,
  /**
   * Members mentioned (`@name`): structured, never parsed out of the text.
   */
  mentions?: Array<UserId>,
  /**
   * `@all`: mentions every member of the group.
   */
  mention_all?: boolean,
  /**
   * Set by the server on a forwarded copy: who wrote the original, and when.
   */
  forwarded?: Forwarded,
} | {
  "type": "image",
  file: FileInfo,
  width: number,
  height: number,
  color?: string,
  animated?: boolean,
  /**
   * Set by the server on a forwarded copy (as for `text`).
   */
  forwarded?: Forwarded,
} | {
  "type": "file",
  file: FileInfo,
  /**
   * Set by the server on a forwarded copy (as for `text`).
   */
  forwarded?: Forwarded,
} | {
  "type": "voice",
  file: FileInfo,
  duration_ms: number,
  waveform?: Array<number>,
  /**
   * Set by the server on a forwarded copy (as for `text`).
   */
  forwarded?: Forwarded,
} | {
  "type": "video",
  file: FileInfo,
  duration_ms: number,
  width: number,
  height: number,
  poster?: FileInfo,
  /**
   * Set by the server on a forwarded copy (as for `text`).
   */
  forwarded?: Forwarded,
} | {
  "type": "edit",
  target: number,
  text: string,
} | {
  "type": "recall",
  target: number,
} | {
  "type": "reaction",
  target: number,
  emoji: string,
  added: boolean,
} | {
  "type": "pin",
  target: number,
  pinned: boolean,
} | {
  "type": "recalled",
  by: UserId,
} | {
  "type": "system"
} & SystemEvent | {
  type: string,
  [field: string]: unknown
};

/**
 * An uploaded file as a message shows it. `name` is the uploader's file name (cleaned of any
 * path), `mime` the type tern found in its bytes (never the one the uploader claimed).
 */
export type FileInfo = {
  id: FileId,
  name: string,
  size: number,
  mime: string,
};

/**
 * Where a forwarded message came from: its author and time, never its conversation (which the
 * recipients may not be in).
 */
export type Forwarded = {
  sender: UserId,
  /**
   * The original's time, Unix milliseconds.
   */
  ts: number,
};

/**
 * Membership changes, recorded in the conversation's own seq stream so that every member
 * (and every device) sees them in order with the messages around them. The actor is the
 * event's `sender`.
 */
export type SystemEvent = {
  "event": "group_created",
  name: string,
  members: Array<UserId>,
} | {
  "event": "members_added",
  users: Array<UserId>,
} | {
  "event": "member_removed",
  user: UserId,
} | {
  "event": "member_left",
  user: UserId,
  /**
   * Set when the owner left and ownership passed to the longest-standing member.
   */
  new_owner?: UserId,
} | {
  "event": "picture_changed",
  avatar?: FileId,
} | {
  "event": "renamed",
  name: string,
} | {
  "event": "description_changed",
  description: string,
} | {
  "event": "announced",
  text: string,
} | {
  "event": "role_changed",
  user: UserId,
  role: MemberRole,
} | {
  "event": "owner_changed",
  user: UserId,
} | {
  "event": "member_muted",
  user: UserId,
  until?: number,
} | {
  "event": "member_unmuted",
  user: UserId,
} | {
  "event": "all_muted",
  muted: boolean,
} | {
  "event": "nickname_changed",
  user: UserId,
  nickname?: string,
} | {
  "event": "dissolved"
};

export type ConversationKind = "direct" | "group" | string & {};

export type MemberRole = "owner" | "admin" | "member" | string & {};

/**
 * How a member wants to hear of a conversation's new messages (on every device).
 */
export type NotifyLevel = "all" | "mentions" | "muted" | string & {};

/**
 * A conversation as one member sees it: where it stands and where that member stands in it.
 */
export type ConversationSummary = {
  id: ConvId,
  kind: ConversationKind,
  /**
   * Group name; `null` for direct conversations (show the peer's display name instead).
   */
  name: string | null,
  /**
   * The other member of a direct conversation.
   */
  peer?: UserProfile,
  /**
   * A group's picture (a file its members may download; show its `square` rendition). A
   * direct conversation shows the peer's `avatar` instead.
   */
  avatar?: FileId,
  /**
   * Highest seq this member can see (the conversation's last seq while a member, the seq of
   * the removal after leaving).
   */
  last_seq: number,
  /**
   * Everything up to and including this seq has been read by this member.
   */
  read_seq: number,
  /**
   * Messages from others after `read_seq`: exact, the same on every device.
   */
  unread: number,
  /**
   * Of those, the ones that mention this member (by name or `@all`): exact, like `unread`.
   */
  unread_mentions?: number,
  /**
   * False after the member left or was removed; history up to `last_seq` stays readable.
   */
  active: boolean,
  /**
   * This member's notification level for the conversation.
   */
  notify?: NotifyLevel,
  /**
   * Since when this member keeps it on top of their list (置顶), Unix milliseconds; absent
   * when not.
   */
  top?: number,
  /**
   * This member's role, absent for a plain member (and in direct conversations).
   */
  role?: MemberRole,
  /**
   * Until when this member may not post (Unix milliseconds; `i64::MAX`: until an admin
   * lifts it); absent when they may.
   */
  muted_until?: number,
  /**
   * Only the owner and admins may post: everyone else is muted ("mute all").
   */
  all_muted?: boolean,
  /**
   * The event at `last_seq`, as a preview. (Boxed: it is most of a summary's size.)
   */
  last_event?: Event,
};

/**
 * How far one member has read a conversation, as the other members see it ("seen by"):
 * everything up to and including `seq`.
 */
export type Receipt = {
  user: UserId,
  seq: number,
  /**
   * In a pushed `receipts` frame: this member stopped sharing their position (or left):
   * forget it (`seq` is then 0).
   */
  hidden?: boolean,
};

/**
 * Some members' read positions in one conversation, in a `sync` reply: those that moved since
 * the sync token.
 */
export type ConversationReceipts = {
  conv: ConvId,
  receipts: Array<Receipt>,
  /**
   * More positions moved than one reply lists: ask `receipts` for the whole list.
   */
  partial?: boolean,
};

/**
 * A user's own account settings, the same on every device.
 */
export type UserSettings = {
  /**
   * Whether the other members see how far you have read. Off, you see theirs no more either.
   */
  share_receipts: boolean,
  /**
   * Who may open a direct conversation with you (one that exists stays open).
   */
  direct_from?: Audience,
  /**
   * Who may add you to a group.
   */
  groups_from?: Audience,
};

/**
 * Limits the server enforces, announced in `hello` so clients can check before sending.
 */
export type Limits = {
  max_text_chars: number,
  max_frame_bytes: number,
  max_page: number,
  /**
   * Most current members of a group.
   */
  max_group_members: number,
  /**
   * Most users named in one request (group creation, adding members, looking users up).
   */
  max_users_per_request: number,
  /**
   * How long after sending a message its sender may edit it, in seconds; `null`: no limit;
   * 0: editing is off.
   */
  edit_window_s?: number | null,
  /**
   * How long after sending a message its sender may recall it, in seconds; `null`: no
   * limit; 0: off (a group's owner may recall any message at any time).
   */
  recall_window_s?: number | null,
  /**
   * Most messages pinned in one conversation.
   */
  max_pins?: number,
  /**
   * Most messages forwarded by one request.
   */
  max_forward?: number,
};

/**
 * Why a request failed. Serialized as snake_case strings; docs/PROTOCOL.md lists each with
 * its meaning and whether a retry can help.
 */
export type ErrorCode = "bad_frame" | "unknown_type" | "frame_too_large" | "binary_not_supported" | "bad_request" | "unauthorized" | "forbidden" | "not_member" | "not_found" | "text_too_long" | "invalid_content" | "unsupported_content" | "client_id_reused" | "group_full" | "muted" | "blocked" | "contacts_only" | "rate_limited" | "invalid_target" | "too_late" | "invalid_reaction" | "file_too_large" | "quota_exceeded" | "offset_mismatch" | "link_expired" | "file_gone" | "range_not_satisfiable" | "username_taken" | "invalid_username" | "invalid_password" | "invalid_display_name" | "invalid_credentials" | "unavailable" | "internal" | string & {};

/**
 * Frames a client sends.
 */
export type ClientFrame = {
  "type": "send",
  rid?: number,
  conv: ConvId,
  /**
   * Client message id, 1 to 64 characters, unique per sender (a UUID is ideal).
   */
  cmid: string,
  content: Content,
} | {
  "type": "sync",
  rid?: number,
  since?: string,
  /**
   * The `next` of the previous page of this sync; omitted for the first page.
   */
  page?: string,
} | {
  "type": "fetch",
  rid?: number,
  conv: ConvId,
  after: number,
  limit?: number,
} | {
  "type": "history",
  rid?: number,
  conv: ConvId,
  before?: number,
  limit?: number,
} | {
  "type": "read",
  rid?: number,
  conv: ConvId,
  seq: number,
} | {
  "type": "typing",
  rid?: number,
  conv: ConvId,
} | {
  "type": "edit",
  rid?: number,
  conv: ConvId,
  target: number,
  text: string,
} | {
  "type": "recall",
  rid?: number,
  conv: ConvId,
  target: number,
} | {
  "type": "react",
  rid?: number,
  conv: ConvId,
  target: number,
  emoji: string,
  added: boolean,
} | {
  "type": "pin",
  rid?: number,
  conv: ConvId,
  target: number,
  pinned: boolean,
} | {
  "type": "forward",
  rid?: number,
  conv: ConvId,
  from: ConvId,
  seqs: Array<number>,
  /**
   * 1 to 60 bytes; the copies are stored with client ids `<cmid>/1`, `<cmid>/2`, ...
   */
  cmid: string,
} | {
  "type": "pins",
  rid?: number,
  conv: ConvId,
} | {
  "type": "preferences",
  rid?: number,
  conv: ConvId,
  notify?: NotifyLevel,
  top?: boolean,
} | {
  "type": "versions",
  rid?: number,
  conv: ConvId,
  target: number,
} | {
  "type": "receipts",
  rid?: number,
  conv: ConvId,
} | {
  "type": "ping",
  rid?: number,
};

/**
 * Frames the server sends.
 */
export type ServerFrame = {
  "type": "hello",
  user: UserProfile,
  session: SessionId,
  server_time: number,
  /**
   * The server pings at this interval; a connection silent for `idle_timeout_ms` is dropped.
   */
  heartbeat_ms: number,
  idle_timeout_ms: number,
  limits: Limits,
  /**
   * The protocol's version (`PROTOCOL_VERSION`; absent from servers older than the
   * field); it grows only with a change a client
   * must know about, not with additions, which `features` announce.
   */
  protocol?: number,
  /**
   * What this server offers beyond version 1's core (`FEATURES`), by name.
   */
  features?: Array<string>,
  /**
   * Your account settings.
   */
  settings?: UserSettings,
} | {
  "type": "ack",
  rid?: number,
  conv: ConvId,
  cmid: string,
  seq: number,
  id: string,
  ts: number,
  /**
   * True when this `cmid` had been stored before and nothing new was stored.
   */
  duplicate: boolean,
} | {
  "type": "event"
} & Event | {
  "type": "sync",
  rid?: number,
  /**
   * Opaque; pass it as `since` next time, once every page is read and caught up.
   */
  token: string,
  conversations: Array<ConversationSummary>,
  /**
   * More conversations changed than one reply carries: ask for the next page with
   * `sync` `{since, page: next}`. Absent on the last page.
   */
  next?: string,
  /**
   * With `since`: the other members' read positions that moved since then, for the
   * conversations of this page (none when you do not share yours).
   */
  receipts?: Array<ConversationReceipts>,
} | {
  "type": "events",
  rid?: number,
  conv: ConvId,
  events: Array<Event>,
  /**
   * More events exist beyond this page in the direction asked.
   */
  has_more: boolean,
} | {
  "type": "read",
  rid?: number,
  conv: ConvId,
  read_seq: number,
  unread: number,
  /**
   * Of the unread messages, those that mention you (or everyone).
   */
  unread_mentions?: number,
} | {
  "type": "pong",
  rid?: number,
} | {
  "type": "done",
  rid?: number,
  conv: ConvId,
  seqs: Array<number>,
} | {
  "type": "preferences",
  rid?: number,
  conv: ConvId,
  notify: NotifyLevel,
  top?: number,
} | {
  "type": "pins",
  rid?: number,
  conv: ConvId,
  pins: Array<Pinned>,
} | {
  "type": "versions",
  rid?: number,
  conv: ConvId,
  target: number,
  versions: Array<Version>,
} | {
  "type": "receipts",
  rid?: number,
  conv: ConvId,
  receipts: Array<Receipt>,
} | {
  "type": "settings",
  settings: UserSettings,
} | {
  "type": "contact",
  change: ContactChange,
  user: UserProfile,
  note?: string,
} | {
  "type": "typing",
  conv: ConvId,
  user: UserId,
} | {
  "type": "resync"
} | {
  "type": "error",
  rid?: number,
  code: ErrorCode,
  message: string,
  retryable: boolean,
};

/**
 * A pinned message: the message as it stands, who pinned it and when.
 */
export type Pinned = {
  event: Event,
  by: UserId,
  /**
   * Unix milliseconds.
   */
  ts: number,
};

/**
 * One version of a message's text: the original (at the message's time) or an edit.
 */
export type Version = {
  text: string,
  /**
   * Unix milliseconds.
   */
  ts: number,
};

export type RegisterRequest = {
  username: string,
  password: string,
  /**
   * Defaults to the username.
   */
  display_name?: string,
};

export type LoginRequest = {
  username: string,
  password: string,
  /**
   * A label for this device shown in the session list ("Firefox on Linux").
   */
  device?: string,
};

export type LoginResponse = {
  /**
   * Bearer token for `Authorization: Bearer …` and the WebSocket `?token=`. Shown only once.
   */
  token: string,
  session: SessionInfo,
  user: UserProfile,
};

export type SessionInfo = {
  id: SessionId,
  device: string,
  created_at: number,
  /**
   * Whether this is the session making the request.
   */
  current: boolean,
};

export type UpdateProfileRequest = {
  display_name?: string,
  /**
   * An uploaded picture of yours to show as your profile picture; `null` removes it; left
   * out, it stays as it is.
   */
  avatar?: FileId | null,
};

/**
 * `PATCH /me/settings`: your account settings; any left out stay as they are.
 */
export type SettingsRequest = {
  share_receipts?: boolean,
  direct_from?: Audience,
  groups_from?: Audience,
};

/**
 * `GET /conversations/{id}/receipts`: the read positions of the members who share them.
 */
export type ReceiptList = {
  receipts: Array<Receipt>,
};

/**
 * Open (or find) the direct conversation with one other user, named by id or by username.
 */
export type CreateDirectRequest = {
  user?: UserId,
  username?: string,
};

export type CreateGroupRequest = {
  name: string,
  /**
   * Initial members besides the creator.
   */
  members: Array<UserId>,
};

export type AddMembersRequest = {
  users: Array<UserId>,
};

export type MemberInfo = {
  user: UserProfile,
  role: MemberRole,
  /**
   * Their nickname in this group (群昵称), shown instead of their display name here.
   */
  nickname?: string,
  /**
   * Until when they may not post (Unix milliseconds; `i64::MAX`: until lifted).
   */
  muted_until?: number,
};

export type ConversationDetail = {
  /**
   * Current members, owner and admins first, at most `DETAIL_MEMBERS_MAX` of them (empty
   * after you left): page through `GET /conversations/{id}/members` for the rest.
   */
  members: Array<MemberInfo>,
  /**
   * How many current members there are.
   */
  member_count: number,
  /**
   * The group's description (empty: none).
   */
  description?: string,
  /**
   * The group's announcement as it stands (empty: none), and the seq of the event that set
   * it.
   */
  announcement?: Announcement,
  id: ConvId,
  kind: ConversationKind,
  /**
   * Group name; `null` for direct conversations (show the peer's display name instead).
   */
  name: string | null,
  /**
   * The other member of a direct conversation.
   */
  peer?: UserProfile,
  /**
   * A group's picture (a file its members may download; show its `square` rendition). A
   * direct conversation shows the peer's `avatar` instead.
   */
  avatar?: FileId,
  /**
   * Highest seq this member can see (the conversation's last seq while a member, the seq of
   * the removal after leaving).
   */
  last_seq: number,
  /**
   * Everything up to and including this seq has been read by this member.
   */
  read_seq: number,
  /**
   * Messages from others after `read_seq`: exact, the same on every device.
   */
  unread: number,
  /**
   * Of those, the ones that mention this member (by name or `@all`): exact, like `unread`.
   */
  unread_mentions?: number,
  /**
   * False after the member left or was removed; history up to `last_seq` stays readable.
   */
  active: boolean,
  /**
   * This member's notification level for the conversation.
   */
  notify?: NotifyLevel,
  /**
   * Since when this member keeps it on top of their list (置顶), Unix milliseconds; absent
   * when not.
   */
  top?: number,
  /**
   * This member's role, absent for a plain member (and in direct conversations).
   */
  role?: MemberRole,
  /**
   * Until when this member may not post (Unix milliseconds; `i64::MAX`: until an admin
   * lifts it); absent when they may.
   */
  muted_until?: number,
  /**
   * Only the owner and admins may post: everyone else is muted ("mute all").
   */
  all_muted?: boolean,
  /**
   * The event at `last_seq`, as a preview. (Boxed: it is most of a summary's size.)
   */
  last_event?: Event,
};

export type SendMessageRequest = {
  cmid: string,
  content: Content,
};

/**
 * Body of every HTTP error response.
 */
export type ErrorBody = {
  code: ErrorCode,
  message: string,
  retryable: boolean,
};

/**
 * Reply to `POST /api/v1/conversations/{id}/messages`.
 */
export type SentMessage = {
  event: Event,
  /**
   * True when this `cmid` had been stored before and nothing new was stored.
   */
  duplicate: boolean,
};

/**
 * `PATCH /conversations/{id}/messages/{seq}`: a message's new text.
 */
export type EditRequest = {
  text: string,
};

/**
 * `POST /conversations/{id}/messages/{seq}/reactions`: add or take off a reaction.
 */
export type ReactRequest = {
  emoji: string,
  added: boolean,
};

/**
 * `POST /conversations/{id}/forward`: copy messages of `from` into this conversation.
 */
export type ForwardRequest = {
  from: ConvId,
  seqs: Array<number>,
  cmid: string,
};

/**
 * What a change to messages stored: the seqs of its events (none when nothing changed).
 */
export type ChangeResult = {
  seqs: Array<number>,
};

/**
 * `PATCH /conversations/{id}/preferences`: your notification level and whether the
 * conversation stays on top of your list; either may be left out.
 */
export type PreferencesRequest = {
  notify?: NotifyLevel,
  top?: boolean,
};

/**
 * Your preferences for a conversation as they now stand.
 */
export type Preferences = {
  notify: NotifyLevel,
  /**
   * Since when it stays on top of your list, Unix milliseconds; absent when it does not.
   */
  top?: number,
};

/**
 * A page of events, oldest first.
 */
export type EventPage = {
  events: Array<Event>,
  has_more: boolean,
};

export type ReadRequest = {
  seq: number,
};

export type ReadPosition = {
  read_seq: number,
  unread: number,
  /**
   * Of the unread messages, those that mention you (or everyone).
   */
  unread_mentions?: number,
};

/**
 * An uploaded file: the answer to an upload (`POST /files`, or the last `PATCH` of a resumable
 * one through `GET /files/uploads/{id}`) and to `GET /files/{id}/info`.
 */
export type UploadedFile = {
  id: FileId,
  /**
   * The uploader's file name, cleaned of any path.
   */
  name: string,
  /**
   * Bytes served (a picture's metadata removed).
   */
  size: number,
  /**
   * The type found in the bytes.
   */
  mime: string,
  /**
   * Set when tern can show it as a picture (send it as `image`).
   */
  picture?: PictureDetails,
  /**
   * The smaller renditions that exist (`thumb`, `preview`); for a small picture, none: the
   * picture itself is small.
   */
  variants?: Array<string>,
};

/**
 * A picture's dimensions as shown, its placeholder colour and whether it moves.
 */
export type PictureDetails = {
  width: number,
  height: number,
  color?: string,
  animated?: boolean,
};

/**
 * `GET /files/uploads/{id}`: where a resumable upload stands, and its file once finished.
 */
export type UploadStatus = {
  offset: number,
  length: number,
  file?: UploadedFile,
};

/**
 * `POST /files/links`: signed download addresses for files, for where a request cannot carry
 * a token (`<img src>`, `<video src>`, a download link).
 */
export type LinksRequest = {
  files: Array<LinkRequest>,
};

/**
 * One file, and one of its renditions (`thumb`, `preview`) or, without `variant`, the file.
 */
export type LinkRequest = {
  id: FileId,
  variant?: string,
};

/**
 * The answer to `POST /files/links`: one link per file you may read, in the order asked
 * (files you may not read, or that are gone, are left out).
 */
export type LinkList = {
  links: Array<FileLink>,
};

export type FileLink = {
  id: FileId,
  variant?: string,
  /**
   * A path under the server's origin (`/api/v1/files/...?...`), valid until `expires`.
   */
  url: string,
  /**
   * Unix milliseconds.
   */
  expires: number,
};

/**
 * `PUT /conversations/{id}/avatar`: a group's picture, by its owner: the id of a picture they
 * uploaded, or `null` to remove it.
 */
export type GroupAvatarRequest = {
  avatar: FileId | null,
};

/**
 * `PATCH /conversations/{id}`: a group's name, description or announcement, by its owner or
 * an admin; each one given is changed, each with its own system event.
 */
export type GroupInfoRequest = {
  name?: string,
  description?: string,
  announcement?: string,
};

/**
 * `PUT /conversations/{id}/members/{user}/role`, by the owner.
 */
export type RoleRequest = {
  role: MemberRole,
};

/**
 * `POST /conversations/{id}/transfer`: the owner hands the group to another member.
 */
export type TransferRequest = {
  user: UserId,
};

/**
 * `PUT /conversations/{id}/members/{user}/mute`: for `duration_s` seconds, or until lifted
 * when absent.
 */
export type MuteRequest = {
  duration_s?: number,
};

/**
 * `PUT /conversations/{id}/mute_all`.
 */
export type MuteAllRequest = {
  muted: boolean,
};

/**
 * `PUT /conversations/{id}/nickname`: your own nickname in a group; `null` drops it.
 */
export type NicknameRequest = {
  nickname: string | null,
};

/**
 * `GET /conversations/{id}/members`: one page of the current members.
 */
export type MemberPage = {
  members: Array<MemberInfo>,
  /**
   * Pass as `after` for the next page; absent on the last one.
   */
  next?: string,
};

export type Announcement = {
  text: string,
  seq: number,
  by: UserId,
  /**
   * Unix milliseconds.
   */
  ts: number,
};

/**
 * Who may reach you in some way (a privacy setting).
 */
export type Audience = "everyone" | "contacts" | string & {};

/**
 * A request to become contacts, as its sender or its recipient sees it.
 */
export type ContactRequest = {
  /**
   * The other side: who asked (incoming) or whom you asked (outgoing).
   */
  user: UserProfile,
  /**
   * The note the sender wrote (may be empty).
   */
  note: string,
  /**
   * Unix milliseconds.
   */
  created_at: number,
};

/**
 * What happened to your contacts, in a `contact` frame.
 */
export type ContactChange = "requested" | "added" | "removed" | string & {};

/**
 * `POST /contacts/requests`: ask `user` to become your contact.
 */
export type ContactRequestBody = {
  user: UserId,
  /**
   * A short note for them (at most 200 characters).
   */
  note: string,
};

/**
 * `GET /contacts/requests`: the requests waiting for an answer.
 */
export type ContactRequests = {
  /**
   * Others asking you, newest first.
   */
  incoming: Array<ContactRequest>,
  /**
   * You asking others, newest first.
   */
  outgoing: Array<ContactRequest>,
};

/** WebSocket close codes (docs/PROTOCOL.md, section 5). */
export const CloseCode = {
  NORMAL: 1000,
  INVALID_DATA: 1007,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL: 1011,
  RESTARTING: 1012,
  TRY_AGAIN_LATER: 1013,
  UNAUTHORIZED: 4001,
  HEARTBEAT_TIMEOUT: 4002,
  TOO_SLOW: 4008,
} as const;
