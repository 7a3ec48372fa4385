// A small client for tern's HTTP API under /api/v1. Stateless apart from the token, so an app
// can use it before it has a WebSocket (register, log in) and for membership administration.

import { TernError } from "./errors.js";
import type {
  ChangeResult,
  Content,
  ContactRequests,
  ConversationDetail,
  ConversationSummary,
  ConvId,
  Event,
  EventPage,
  FileId,
  FileLink,
  GroupInfoRequest,
  LinkList,
  LinkRequest,
  LoginResponse,
  MemberPage,
  NotifyLevel,
  Preferences,
  Pinned,
  ReadPosition,
  Receipt,
  ReceiptList,
  SessionId,
  SessionInfo,
  SettingsRequest,
  UserId,
  UserProfile,
  UploadedFile,
  UserSettings,
  Version,
} from "./protocol.js";

/** The server's default `max_users_per_request` (the `limits` of `hello`). */
export const MAX_USERS_PER_REQUEST = 1000;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiOptions {
  /** `http://host:port`, or "" for the page's own origin (the web client). */
  baseUrl?: string;
  token?: string;
  /** Injectable for tests and for platforms without a global fetch. */
  fetch?: FetchLike;
}

export class Api {
  readonly baseUrl: string;
  token: string | undefined;
  private readonly fetcher: FetchLike;

  constructor(options: ApiOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "").replace(/\/+$/, "");
    this.token = options.token;
    // Bound so a window.fetch is not called with the Api as `this` (browsers refuse that).
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** A copy of this client that sends `token`. */
  withToken(token: string): Api {
    return new Api({ baseUrl: this.baseUrl, token, fetch: this.fetcher });
  }

  register(username: string, password: string, displayName?: string): Promise<UserProfile> {
    const body: Record<string, string> = { username, password };
    if (displayName !== undefined && displayName.trim() !== "") body.display_name = displayName;
    return this.call("POST", "/register", body);
  }

  login(username: string, password: string, device?: string): Promise<LoginResponse> {
    const body: Record<string, string> = { username, password };
    if (device !== undefined) body.device = device.slice(0, 64);
    return this.call("POST", "/login", body);
  }

  logout(): Promise<void> {
    return this.call("POST", "/logout");
  }

  me(): Promise<UserProfile> {
    return this.call("GET", "/me");
  }

  updateMe(displayName: string): Promise<UserProfile> {
    return this.call("PATCH", "/me", { display_name: displayName });
  }

  /** Sets a group's picture (owner or admin) to a picture you uploaded, or removes it (`null`). */
  setGroupAvatar(id: ConvId, file: FileId | null): Promise<number[]> {
    return this.change("PUT", `/conversations/${id}/avatar`, { avatar: file });
  }

  // --- contacts, blocks and privacy -------------------------------------------------------------

  /** Asks `user` to become your contact; true when you are contacts now (they had asked you). */
  async askContact(user: UserId, note = ""): Promise<boolean> {
    return (await this.call<{ added: boolean }>("POST", "/contacts/requests", { user, note })).added;
  }

  /** Accepts or declines `from`'s request. */
  answerContact(from: UserId, accept: boolean): Promise<void> {
    return this.call("POST", `/contacts/requests/${from}/${accept ? "accept" : "decline"}`);
  }

  removeContact(user: UserId): Promise<void> {
    return this.call("DELETE", `/contacts/${user}`);
  }

  contacts(): Promise<UserProfile[]> {
    return this.call("GET", "/contacts");
  }

  contactRequests(): Promise<ContactRequests> {
    return this.call("GET", "/contacts/requests");
  }

  /** Blocks `user` (true) or lifts the block. */
  block(user: UserId, blocked: boolean): Promise<void> {
    return this.call(blocked ? "PUT" : "DELETE", `/me/blocks/${user}`);
  }

  blocked(): Promise<UserProfile[]> {
    return this.call("GET", "/me/blocks");
  }

  // --- administering a group: each answers with the seqs of its system events ---------------

  /** Changes a group's name, description or announcement (owner or admin; "" takes down). */
  changeGroup(id: ConvId, info: GroupInfoRequest): Promise<number[]> {
    return this.change("PATCH", `/conversations/${id}`, info);
  }

  /** Makes a member an admin or a plain member again (owner only). */
  setRole(id: ConvId, user: UserId, role: "admin" | "member"): Promise<number[]> {
    return this.change("PUT", `/conversations/${id}/members/${user}/role`, { role });
  }

  /** Hands the group to another member (owner only); you stay on as an admin. */
  transfer(id: ConvId, user: UserId): Promise<number[]> {
    return this.change("POST", `/conversations/${id}/transfer`, { user });
  }

  /** Mutes a member for `durationS` seconds, or until lifted (undefined). */
  mute(id: ConvId, user: UserId, durationS?: number): Promise<number[]> {
    return this.change("PUT", `/conversations/${id}/members/${user}/mute`, durationS === undefined ? {} : { duration_s: durationS });
  }

  unmute(id: ConvId, user: UserId): Promise<number[]> {
    return this.change("DELETE", `/conversations/${id}/members/${user}/mute`);
  }

  /** Lets only the owner and admins post (true), or everyone again. */
  muteAll(id: ConvId, muted: boolean): Promise<number[]> {
    return this.change("PUT", `/conversations/${id}/mute_all`, { muted });
  }

  /** Your nickname in a group (null: dropped). */
  setNickname(id: ConvId, nickname: string | null): Promise<number[]> {
    return this.change("PUT", `/conversations/${id}/nickname`, { nickname });
  }

  /** Dissolves a group (owner only): everyone is removed, the history stays readable. */
  dissolve(id: ConvId): Promise<number[]> {
    return this.change("POST", `/conversations/${id}/dissolve`);
  }

  /** One page of a group's members (`after`: the `next` of the page before; `q`: a name to find). */
  members(id: ConvId, page: { after?: string; limit?: number; q?: string } = {}): Promise<MemberPage> {
    const query = new URLSearchParams();
    if (page.after !== undefined) query.set("after", page.after);
    if (page.limit !== undefined) query.set("limit", String(page.limit));
    if (page.q !== undefined && page.q !== "") query.set("q", page.q);
    const qs = query.toString();
    return this.call("GET", `/conversations/${id}/members${qs === "" ? "" : `?${qs}`}`);
  }

  /** Sets your profile picture to a picture you uploaded, or removes it (`null`). */
  setAvatar(file: FileId | null): Promise<UserProfile> {
    return this.call("PATCH", "/me", { avatar: file });
  }

  /** Your account settings. */
  settings(): Promise<UserSettings> {
    return this.call("GET", "/me/settings");
  }

  /** Changes the settings given; your connected devices hear of it (`settings` frame). */
  updateSettings(settings: SettingsRequest): Promise<UserSettings> {
    return this.call("PATCH", "/me/settings", settings);
  }

  /** The read positions of the members of `conv` who share theirs (none when you do not). */
  async receipts(conv: ConvId): Promise<Receipt[]> {
    const list = await this.call<ReceiptList>("GET", `/conversations/${conv}/receipts`);
    return list.receipts;
  }

  sessions(): Promise<SessionInfo[]> {
    return this.call("GET", "/sessions");
  }

  revokeSession(id: SessionId): Promise<void> {
    return this.call("DELETE", `/sessions/${id}`);
  }

  /** One user's profile, by id or by username (case-insensitive); `not_found` if none. */
  user(key: UserId | string): Promise<UserProfile> {
    const path = typeof key === "number" ? String(key) : encodeURIComponent(key.trim());
    return this.call("GET", `/users/${path}`);
  }

  /**
   * The profiles of those of `ids` that exist, in no particular order (unknown ids are simply
   * absent): anyone met in a conversation, including people who have left it since. Repeated
   * ids are asked for once; more than the server takes per request (`max_users_per_request`,
   * `perRequest` here) are split over several requests.
   */
  async users(ids: Iterable<UserId>, perRequest = MAX_USERS_PER_REQUEST): Promise<UserProfile[]> {
    const unique = [...new Set(ids)];
    const chunks: UserId[][] = [];
    for (let i = 0; i < unique.length; i += perRequest) chunks.push(unique.slice(i, i + perRequest));
    const pages = await Promise.all(chunks.map((chunk) => this.call<UserProfile[]>("GET", `/users?ids=${chunk.join(",")}`)));
    return pages.flat();
  }

  conversations(): Promise<ConversationSummary[]> {
    return this.call("GET", "/conversations");
  }

  openDirect(peer: { user: UserId } | { username: string }): Promise<ConversationDetail> {
    return this.call("POST", "/conversations/direct", peer);
  }

  createGroup(name: string, members: UserId[]): Promise<ConversationDetail> {
    return this.call("POST", "/conversations/group", { name, members });
  }

  conversation(id: ConvId): Promise<ConversationDetail> {
    return this.call("GET", `/conversations/${id}`);
  }

  addMembers(id: ConvId, users: UserId[]): Promise<ConversationDetail> {
    return this.call("POST", `/conversations/${id}/members`, { users });
  }

  removeMember(id: ConvId, user: UserId): Promise<void> {
    return this.call("DELETE", `/conversations/${id}/members/${user}`);
  }

  leave(id: ConvId): Promise<void> {
    return this.call("POST", `/conversations/${id}/leave`);
  }

  history(id: ConvId, before?: number, limit?: number): Promise<EventPage> {
    const query = new URLSearchParams();
    if (before !== undefined) query.set("before", String(before));
    if (limit !== undefined) query.set("limit", String(limit));
    const encoded = query.toString();
    const suffix = encoded === "" ? "" : `?${encoded}`;
    return this.call("GET", `/conversations/${id}/messages${suffix}`);
  }

  send(id: ConvId, cmid: string, content: Content): Promise<{ event: Event; duplicate: boolean }> {
    return this.call("POST", `/conversations/${id}/messages`, { cmid, content });
  }

  markRead(id: ConvId, seq: number): Promise<ReadPosition> {
    return this.call("POST", `/conversations/${id}/read`, { seq });
  }

  /** Replaces the text of your message at `seq`; the seqs of the events stored. */
  async edit(id: ConvId, seq: number, text: string): Promise<number[]> {
    return this.change("PATCH", `/conversations/${id}/messages/${seq}`, { text });
  }

  /** Recalls (撤回) the message at `seq`. */
  async recall(id: ConvId, seq: number): Promise<number[]> {
    return this.change("DELETE", `/conversations/${id}/messages/${seq}`);
  }

  /** Adds (`added`) or takes off your reaction `emoji` on the message at `seq`. */
  async react(id: ConvId, seq: number, emoji: string, added: boolean): Promise<number[]> {
    const body = { emoji, added };
    return this.change("POST", `/conversations/${id}/messages/${seq}/reactions`, body);
  }

  /** Pins (`pinned`) or unpins the message at `seq`. */
  async pin(id: ConvId, seq: number, pinned: boolean): Promise<number[]> {
    return this.change(pinned ? "PUT" : "DELETE", `/conversations/${id}/pins/${seq}`);
  }

  pins(id: ConvId): Promise<Pinned[]> {
    return this.call("GET", `/conversations/${id}/pins`);
  }

  /** Every version of the text of the message at `seq`, the original first. */
  versions(id: ConvId, seq: number): Promise<Version[]> {
    return this.call("GET", `/conversations/${id}/messages/${seq}/versions`);
  }

  /** Your own preferences for a conversation; either may be left out. */
  preferences(id: ConvId, preferences: { notify?: NotifyLevel; top?: boolean }): Promise<Preferences> {
    return this.call("PATCH", `/conversations/${id}/preferences`, preferences);
  }

  /** Copies the messages at `seqs` of `from` into `id`; idempotent by `cmid`. */
  async forward(id: ConvId, from: ConvId, seqs: number[], cmid: string): Promise<number[]> {
    return this.change("POST", `/conversations/${id}/forward`, { from, seqs, cmid });
  }

  /** Uploads a whole file in one request (`Upload` in files.ts resumes large ones instead). */
  upload(file: Blob, name: string): Promise<UploadedFile> {
    return this.call("POST", `/files?name=${encodeURIComponent(name)}`, file);
  }

  /** A file's details. */
  fileInfo(id: FileId): Promise<UploadedFile> {
    return this.call("GET", `/files/${id}/info`);
  }

  /** Signed links to files you may read (the others are left out), for `<img src>` and the like. */
  async fileLinks(files: LinkRequest[]): Promise<FileLink[]> {
    return (await this.call<LinkList>("POST", "/files/links", { files })).links;
  }

  /**
   * One request of the resumable upload protocol (tus 1.0, docs/PROTOCOL.md "Files"): the
   * answer's status and headers, or a TernError for an error status or no answer.
   */
  async tus(method: string, path: string, headers: Record<string, string>, body?: Blob): Promise<Response> {
    const all: Record<string, string> = { "tus-resumable": "1.0.0", ...headers };
    if (this.token !== undefined) all.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}${path}`, { method, headers: all, body });
    } catch (e) {
      throw new TernError("network", `cannot reach the server: ${String(e)}`, true);
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  private async change(method: string, path: string, body?: unknown): Promise<number[]> {
    return (await this.call<ChangeResult>(method, path, body)).seqs;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const raw = body instanceof Blob;
    if (body !== undefined && !raw) headers["content-type"] = "application/json";
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      });
    } catch (e) {
      throw new TernError("network", `cannot reach the server: ${String(e)}`, true);
    }
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }
}

/** The TernError an error answer stands for (its JSON body, or its status alone). */
async function errorOf(response: Response): Promise<TernError> {
  let err: { code?: TernError["code"]; message?: string; retryable?: boolean } | undefined;
  try {
    err = JSON.parse(await response.text());
  } catch {
    err = undefined;
  }
  return new TernError(
    err?.code ?? (response.status >= 500 ? "unavailable" : "bad_request"),
    err?.message ?? `HTTP ${response.status}`,
    err?.retryable ?? response.status >= 500,
    response.status,
  );
}
