// The WebSocket client: one object an app holds for a logged-in account. It owns the socket,
// reconnects with backoff and jitter, keeps the outbox of unacknowledged sends (persisted, so
// they survive reloads), and exposes the conversation list, timelines and typing state that its
// Sequencer keeps exactly-once and in order. See README.md for the guarantees.

import { MessageChanges } from "./changes.js";
import { Conversations, type ConversationView, type UnreadCount } from "./conversations.js";
import { Emitter } from "./emitter.js";
import { TernError } from "./errors.js";
import { Outbox, type PendingMessage } from "./outbox.js";
import { ReadReceipts } from "./receipts.js";
import { Requests } from "./requests.js";
import {
  CloseCode,
  countsAsUnread,
  type AckFrame,
  type ClientFrame,
  type Content,
  type ConversationSummary,
  type ConvId,
  type ErrorFrame,
  type Event,
  type EventPage,
  type Limits,
  type NotifyLevel,
  type ServerFrame,
  type SessionId,
  type UserId,
  type UserProfile,
  type UserSettings,
} from "./protocol.js";
import { Sequencer } from "./sequencer.js";
import { defaultSocketFactory, websocketUrl, type SocketLike } from "./socket.js";
import { MemoryStorage } from "./storage.js";
import { Timeline, type TimelineView } from "./timeline.js";
import { Typists } from "./typists.js";
import { DEFAULT_LIMITS, type Ack, type ClientEvents, type ClientOptions, type ConnectionStatus } from "./client-types.js";

export type { Ack, ClientEvents, ClientOptions, ConnectionStatus } from "./client-types.js";
import { backoffDelay, realTimers, type TimerHandle, type Timers } from "./timers.js";
import { randomUuid } from "./uuid.js";

export class TernClient extends Emitter<ClientEvents> {
  status: ConnectionStatus = "connecting";
  user: UserProfile | undefined;
  session: SessionId | undefined;
  limits: Limits = DEFAULT_LIMITS;
  /** Your account settings, from `hello` and kept current by the server. */
  settings: UserSettings = { share_receipts: true };
  /** Edit, recall, react, pin, forward; the pins and versions (see changes.ts). */
  readonly changes: MessageChanges;
  /** How far the other members have read ("seen by"; see receipts.ts). */
  readonly receipts: ReadReceipts;

  private readonly options: Required<Omit<ClientOptions, "server" | "storage" | "outboxKey">> & { server: string };
  private readonly timers: Timers;
  private readonly outbox: Outbox;
  private readonly sequencer: Sequencer;
  private readonly convs: Conversations;
  private readonly timelines = new Map<ConvId, Timeline>();
  /** Timelines asked for before their conversation was tracked, with their first page size. */
  private readonly wantedTimelines = new Map<ConvId, number | undefined>();
  private readonly profiles = new Map<UserId, UserProfile>();
  private readonly typists = new Typists();
  private readonly typingSent = new Map<ConvId, number>();

  private socket: SocketLike | null = null;
  /** Whether the current socket said hello. */
  private open = false;
  /** Why the client is not reconnecting on its own, if it is not. */
  private stopped: "no" | "offline" | "closed" | "logged_out" = "no";
  private started = false;
  private failures = 0;
  /** Whether the current connection completed a catch-up; only then does backoff start over. */
  private healthy = false;
  private reconnectTimer: TimerHandle | undefined;
  private helloTimer: TimerHandle | undefined;
  private tickTimer: TimerHandle | undefined;
  private lastHeard = 0;
  private pingSentAt: number | undefined;
  private clockOffset = 0;

  private readonly requests = new Requests();
  private readonly sendRids = new Map<string, number>();
  private readonly ridSends = new Map<number, string>();
  private readonly sentAt = new Map<string, number>();
  private readonly ackWaiters = new Map<string, { resolve(ack: Ack): void; reject(e: TernError): void }>();

  constructor(options: ClientOptions) {
    super();
    this.options = {
      token: options.token,
      server: options.server ?? "",
      socketFactory: options.socketFactory ?? defaultSocketFactory,
      timers: options.timers ?? realTimers,
      random: options.random ?? Math.random,
      newCmid: options.newCmid ?? randomUuid,
      minBackoffMs: options.minBackoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 15_000,
      resendAfterMs: options.resendAfterMs ?? 10_000,
      pingIntervalMs: options.pingIntervalMs ?? 20_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 10_000,
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
      historyPageSize: options.historyPageSize ?? 50,
      typingTtlMs: options.typingTtlMs ?? 6_000,
      typingThrottleMs: options.typingThrottleMs ?? 3_000,
      maxTimelineEvents: options.maxTimelineEvents ?? 5_000,
    };
    this.timers = this.options.timers;
    this.outbox = new Outbox(options.storage ?? new MemoryStorage(), options.outboxKey ?? "tern.outbox");
    this.convs = new Conversations(
      () => this.user?.id ?? 0,
      (conv, after, upTo) => this.timelines.get(conv)?.countUnread(after, upTo, this.user?.id ?? 0),
      (conv, seq) => this.timelines.get(conv)?.at(seq),
    );
    this.changes = new MessageChanges(
      (frame) => this.request(frame),
      () => this.options.newCmid(),
    );
    this.receipts = new ReadReceipts(
      (frame) => this.request(frame),
      (conv) => {
        this.emit("receipts", { conv });
        this.emit("change", undefined);
      },
    );
    this.sequencer = new Sequencer(
      {
        request: (frame) => this.writeInternal(frame),
        deliver: (event) => this.deliver(event),
        summary: (summary) => this.applySummary(summary),
        synced: () => this.onSynced(),
        warn: (message) => this.emit("problem", new Error(message)),
      },
      () => this.limits.max_page,
    );
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Starts connecting (and reconnecting for as long as the client lives). */
  connect(): this {
    if (this.started) return this;
    this.started = true;
    this.openSocket();
    this.scheduleTick();
    return this;
  }

  /** Disconnects and stays offline until `goOnline`; sends queue up meanwhile. */
  goOffline(): void {
    if (this.stopped !== "no") return;
    this.stopped = "offline";
    this.clearReconnect();
    this.dropSocket();
    this.setStatus("offline");
  }

  goOnline(): void {
    if (this.stopped !== "offline") return;
    this.stopped = "no";
    this.failures = 0;
    this.openSocket();
  }

  /** Skips the current backoff wait (the network came back, the tab became visible). */
  reconnectNow(): void {
    if (this.stopped !== "no" || !this.started || this.socket !== null) return;
    this.clearReconnect();
    this.failures = 0;
    this.openSocket();
  }

  /** Cuts the connection as a network failure would; the client reconnects and catches up. */
  dropConnection(): void {
    if (this.socket === null) return;
    this.dropSocket();
    this.scheduleReconnect();
  }

  /** Closes for good. Unacknowledged sends stay in storage for the next client of this account. */
  close(): void {
    if (this.stopped === "closed") return;
    this.stopped = "closed";
    this.clearReconnect();
    if (this.tickTimer !== undefined) this.timers.clearTimeout(this.tickTimer);
    this.dropSocket();
    this.failPending(new TernError("closed", "the client was closed", false));
    this.setStatus("closed");
  }

  // ---- what the app reads -----------------------------------------------------------------

  /** Conversations, most recent activity first, with exact unread counts. */
  conversations(): ConversationView[] {
    return this.convs.list();
  }

  conversation(conv: ConvId): ConversationView | undefined {
    return this.convs.get(conv);
  }

  /** Total unread messages over all conversations (for a title or a badge). */
  /** What the title and the app badge count: unread messages, except in muted conversations,
   * and only mentions in those set to mentions only. */
  totalUnread(): number {
    const counted = (c: ConversationView) => (c.notify === "muted" ? 0 : c.notify === "mentions" ? c.unreadMentions : c.unread);
    return this.convs.list().reduce((sum, c) => sum + counted(c), 0);
  }

  /** Your own preferences for `conv` (either may be left out); all your devices follow. */
  async setPreferences(conv: ConvId, preferences: { notify?: NotifyLevel; top?: boolean }): Promise<void> {
    const reply = await this.request({ type: "preferences", conv, ...preferences });
    if (reply.type !== "preferences") throw new TernError("bad_frame", `unexpected ${reply.type}`, false);
  }

  timeline(conv: ConvId): TimelineView | undefined {
    return this.timelines.get(conv)?.view();
  }

  /** Sends not yet acknowledged, oldest first (optionally of one conversation). */
  pending(conv?: ConvId): PendingMessage[] {
    return conv === undefined ? this.outbox.all() : this.outbox.forConversation(conv);
  }

  /** Who is typing in `conv` right now (never yourself). */
  typingUsers(conv: ConvId): UserId[] {
    return this.typists.typing(conv, this.timers.now());
  }

  profile(user: UserId): UserProfile | undefined {
    return this.profiles.get(user);
  }

  /** Profiles learnt elsewhere (member lists from the REST API), used to name senders. */
  rememberProfiles(profiles: Iterable<UserProfile>): void {
    for (const p of profiles) this.profiles.set(p.id, p);
    this.emit("change", undefined);
  }

  /** The server's clock, estimated from `hello` (timestamps of events are server time). */
  serverNow(): number {
    return this.timers.now() + this.clockOffset;
  }

  /** The token of the last completed catch-up (for diagnostics and tests). */
  get syncToken(): string | undefined {
    return this.sequencer.syncToken;
  }

  // ---- what the app does ------------------------------------------------------------------

  /**
   * Queues a message. It is in the outbox (and in storage) when this returns, and is resent
   * until the server acknowledges it or refuses it for good. `acked` settles then.
   */
  send(conv: ConvId, content: Content, cmid = this.options.newCmid()): { cmid: string; acked: Promise<Ack> } {
    const message: PendingMessage = { cmid, conv, content, createdAt: this.serverNow(), state: "sending" };
    this.outbox.add(message);
    const acked = this.waitForAck(cmid);
    this.convs.touch(conv, message.createdAt);
    // The others stop showing "typing" when the message arrives; the next keystroke must be
    // able to announce it again at once.
    this.typingSent.delete(conv);
    this.writeSend(message);
    this.outboxChanged();
    return { cmid, acked };
  }

  sendText(conv: ConvId, text: string): { cmid: string; acked: Promise<Ack> } {
    return this.send(conv, { type: "text", text });
  }

  /** Sends a failed message again (same cmid: it cannot be stored twice). */
  retry(cmid: string): Promise<Ack> | undefined {
    const message = this.outbox.get(cmid);
    if (message === undefined) return undefined;
    this.outbox.update(cmid, { state: "sending" });
    this.sentAt.delete(cmid);
    const acked = this.waitForAck(cmid);
    this.writeSend({ ...message, state: "sending" });
    this.outboxChanged();
    return acked;
  }

  /** Gives up on a pending or failed message (it may still have been stored if it was sent). */
  discard(cmid: string): void {
    if (this.outbox.remove(cmid) === undefined) return;
    this.ackWaiters.get(cmid)?.reject(new TernError("closed", "discarded", false));
    this.ackWaiters.delete(cmid);
    this.forgetSend(cmid);
    this.outboxChanged();
  }

  /**
   * Makes the client keep a timeline for `conv` with at least its newest `limit` events loaded
   * (e.g. enough to reach the first unread one), in as many pages as the server's `max_page`
   * requires; `opening` is true until then. Live and caught-up events are appended from then on.
   * On a timeline already open it loads back further if `limit` asks for more.
   */
  async openTimeline(conv: ConvId, limit = this.options.historyPageSize): Promise<void> {
    let timeline = this.timelines.get(conv);
    if (timeline === undefined) {
      if (!this.sequencer.isTracked(conv)) {
        this.wantedTimelines.set(conv, limit);
        return;
      }
      timeline = new Timeline(conv, this.sequencer.deliveredSeq(conv));
      this.timelines.set(conv, timeline);
    }
    if (timeline.opening) return;
    const reachBack = Math.max(1, timeline.endSeq - limit + 1);
    timeline.opening = true;
    this.timelineChanged(conv);
    try {
      // Each page either moves the start back or ends the loop (history exhausted, a failed
      // request, the timeline replaced).
      while (timeline.hasOlder && timeline.startSeq > reachBack && this.timelines.get(conv) === timeline) {
        const start = timeline.startSeq;
        await this.loadOlder(conv, start - reachBack);
        if (timeline.startSeq >= start) break;
      }
    } finally {
      timeline.opening = false;
      this.timelineChanged(conv);
    }
  }

  /** Loads the next older page; resolves to whether even older events exist. */
  async loadOlder(conv: ConvId, limit = this.options.historyPageSize): Promise<boolean> {
    const timeline = this.timelines.get(conv);
    if (timeline === undefined) return false;
    if (timeline.loadingOlder || !timeline.hasOlder) return timeline.hasOlder;
    timeline.loadingOlder = true;
    this.timelineChanged(conv);
    try {
      const before = timeline.startSeq;
      const page = await this.history(conv, before, Math.max(1, Math.min(limit, this.limits.max_page)));
      // The timeline may have been replaced while the request was out.
      if (this.timelines.get(conv) === timeline && timeline.startSeq === before) {
        timeline.prepend(page.events, page.has_more);
      }
    } catch (e) {
      this.emit("problem", e as Error);
    } finally {
      timeline.loadingOlder = false;
      this.timelineChanged(conv);
    }
    return timeline.hasOlder;
  }

  /** One page of older events (the newest before `before`), oldest first. */
  async history(conv: ConvId, before?: number, limit?: number): Promise<EventPage> {
    const frame: ClientFrame = { type: "history", conv };
    if (before !== undefined) frame.before = before;
    if (limit !== undefined) frame.limit = limit;
    const reply = await this.request(frame);
    if (reply.type !== "events") throw new TernError("bad_frame", `unexpected ${reply.type}`, false);
    return { events: reply.events, has_more: reply.has_more };
  }

  /**
   * Marks everything up to `seq` read. The count drops at once (derived from the seqs the client
   * holds) and the server's answer confirms it.
   */
  async markRead(conv: ConvId, seq: number): Promise<void> {
    const view = this.convs.get(conv);
    if (view === undefined) return;
    const upTo = Math.min(seq, Math.max(this.sequencer.deliveredSeq(conv), view.lastSeq));
    if (upTo <= view.readSeq) return;
    this.convs.applyLocalRead(conv, upTo);
    this.conversationChanged(conv);
    const reply = await this.request({ type: "read", conv, seq: upTo });
    if (reply.type !== "read") throw new TernError("bad_frame", `unexpected ${reply.type}`, false);
  }

  /** Tells the other members you are typing (throttled; dropped while disconnected). */
  typing(conv: ConvId): void {
    if (!this.open) return;
    const now = this.timers.now();
    if (now - (this.typingSent.get(conv) ?? -Infinity) < this.options.typingThrottleMs) return;
    this.typingSent.set(conv, now);
    this.write({ type: "typing", conv });
  }

  /**
   * A conversation the app got from the REST API (creating a group, opening a direct chat):
   * shown at once, and tracked from its current seq.
   */
  adoptConversation(summary: ConversationSummary): void {
    this.applySummary(summary);
    this.convs.touch(summary.id, this.serverNow());
    this.sequencer.track(summary);
    this.openWantedTimeline(summary.id);
    this.conversationChanged(summary.id);
  }

  /** Asks for a catch-up now (the `resync` frame does the same). */
  resync(): void {
    if (this.open) this.sequencer.requestSync();
  }

  // ---- the connection -------------------------------------------------------------------

  private openSocket(): void {
    if (this.stopped !== "no") return;
    this.setStatus(this.user === undefined && this.failures === 0 ? "connecting" : "reconnecting");
    let socket: SocketLike;
    try {
      socket = this.options.socketFactory(websocketUrl(this.options.server, this.options.token));
    } catch (e) {
      this.emit("problem", e as Error);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.open = false;
    this.lastHeard = this.timers.now();
    this.pingSentAt = undefined;
    socket.onmessage = (message) => {
      if (this.socket !== socket) return;
      this.lastHeard = this.timers.now();
      this.pingSentAt = undefined;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(message.data)) as ServerFrame;
      } catch {
        this.emit("problem", new Error("unreadable frame from the server"));
        return;
      }
      this.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.onDisconnected(event.code);
    };
    socket.onerror = () => {
      // A close always follows; that is where the client reacts.
    };
    this.helloTimer = this.timers.setTimeout(() => {
      if (this.socket === socket && !this.open) this.dropConnection();
    }, this.options.helloTimeoutMs);
  }

  /** Detaches and closes the socket without waiting for the close handshake. */
  private dropSocket(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket.onmessage = null;
    socket.onclose = null;
    try {
      socket.close(CloseCode.NORMAL);
    } catch {
      // Already closed.
    }
    this.onDisconnected(undefined, false);
  }

  private onDisconnected(code: number | undefined, reconnect = true): void {
    const wasOpen = this.open;
    this.open = false;
    if (this.helloTimer !== undefined) this.timers.clearTimeout(this.helloTimer);
    this.ridSends.clear();
    this.sendRids.clear();
    this.sentAt.clear();
    this.typingSent.clear();
    this.emit("disconnected", { code });
    if (code === CloseCode.UNAUTHORIZED) {
      this.logOut("the session was revoked or its token is not valid");
      return;
    }
    if (wasOpen) this.emit("change", undefined);
    if (reconnect) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped !== "no") return;
    if (this.healthy) this.failures = 0;
    this.healthy = false;
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.options.minBackoffMs, this.options.maxBackoffMs, this.options.random);
    this.setStatus("reconnecting");
    this.clearReconnect();
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.openSocket();
    }, delay);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== undefined) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private logOut(reason: string): void {
    this.stopped = "logged_out";
    this.clearReconnect();
    this.dropSocket();
    this.failPending(new TernError("logged_out", reason, false));
    this.setStatus("logged_out");
    this.emit("loggedOut", { reason });
  }

  /** Periodic work: resends, retried syncs, the liveness probe, typing expiry. */
  private scheduleTick(): void {
    this.tickTimer = this.timers.setTimeout(() => {
      if (this.stopped === "closed") return;
      this.tick();
      this.scheduleTick();
    }, Math.min(1000, this.options.resendAfterMs));
  }

  private tick(): void {
    const now = this.timers.now();
    if (this.open) {
      for (const message of this.outbox.all()) {
        const at = this.sentAt.get(message.cmid);
        if (message.state === "sending" && (at === undefined || now - at >= this.options.resendAfterMs)) {
          this.writeSend(message);
        }
      }
      this.sequencer.tick();
      if (this.pingSentAt !== undefined && now - this.pingSentAt >= this.options.pongTimeoutMs) {
        this.emit("problem", new Error("the server stopped answering; reconnecting"));
        this.dropConnection();
        return;
      }
      if (this.pingSentAt === undefined && now - this.lastHeard >= this.options.pingIntervalMs) {
        this.pingSentAt = now;
        this.writeInternal({ type: "ping" });
      }
    }
    const expired = this.typists.expire(now);
    if (expired) this.emit("change", undefined);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit("status", status);
    this.emit("change", undefined);
  }

  // ---- frames ---------------------------------------------------------------------------

  private onFrame(frame: ServerFrame): void {
    if (!this.open) {
      this.onFrameBeforeHello(frame);
      return;
    }
    switch (frame.type) {
      case "ack":
        this.onAck(frame);
        return;
      case "event": {
        const { type: _type, ...event } = frame;
        this.sequencer.onEvent(event);
        return;
      }
      case "sync":
        for (const moved of frame.receipts ?? []) this.receipts.apply(moved.conv, moved.receipts, moved.partial);
        if (!this.sequencer.onSync(frame.rid, frame.token, frame.conversations, frame.next)) this.requests.resolve(frame);
        return;
      case "events":
        if (!this.sequencer.onEvents(frame.rid, frame.conv, frame.events, frame.has_more)) this.requests.resolve(frame);
        return;
      case "read":
        this.onRead(frame.conv, frame.read_seq, { unread: frame.unread, mentions: frame.unread_mentions ?? 0 });
        this.requests.resolve(frame);
        return;
      case "preferences":
        this.convs.applyPreferences(frame.conv, frame.notify, frame.top);
        this.conversationChanged(frame.conv);
        this.requests.resolve(frame);
        return;
      case "receipts":
        if (frame.rid === undefined) this.receipts.apply(frame.conv, frame.receipts);
        this.requests.resolve(frame);
        return;
      case "settings":
        this.applySettings(frame.settings);
        return;
      case "contact":
        this.emit("contact", { change: frame.change, user: frame.user, note: frame.note });
        this.emit("change", undefined);
        return;
      case "done":
      case "pins":
      case "versions":
        this.requests.resolve(frame);
        return;
      case "typing":
        this.onTyping(frame.conv, frame.user);
        return;
      case "resync":
        this.sequencer.requestSync();
        return;
      case "error":
        this.onErrorFrame(frame);
        return;
      case "pong":
        this.requests.resolve(frame);
        return;
      case "hello":
        return;
      default:
        // Frames of a newer protocol: ignored, as the contract allows.
        return;
    }
  }

  private onFrameBeforeHello(frame: ServerFrame): void {
    if (frame.type === "hello") {
      this.open = true;
      if (this.helloTimer !== undefined) this.timers.clearTimeout(this.helloTimer);
      this.user = frame.user;
      this.session = frame.session;
      // Fields a server of an older version does not send keep their defaults.
      this.limits = { ...DEFAULT_LIMITS, ...frame.limits };
      this.clockOffset = frame.server_time - this.timers.now();
      this.profiles.set(frame.user.id, frame.user);
      if (frame.settings !== undefined) this.applySettings(frame.settings);
      this.setStatus("syncing");
      this.emit("connected", { user: frame.user, session: frame.session, limits: this.limits });
      this.sequencer.connected();
      for (const message of this.outbox.all()) {
        if (message.state === "sending") this.writeSend(message);
      }
      this.requests.rewrite((frame) => this.write(frame));
      return;
    }
    if (frame.type === "error" && frame.code === "unauthorized") {
      this.logOut(frame.message);
      return;
    }
    if (frame.type === "error") {
      // `unavailable` before hello: the server closes with 1013 and we come back later.
      this.emit("problem", new TernError(frame.code, frame.message, frame.retryable));
    }
  }

  private onAck(frame: AckFrame): void {
    const ack: Ack = {
      conv: frame.conv,
      cmid: frame.cmid,
      seq: frame.seq,
      id: frame.id,
      ts: frame.ts,
      duplicate: frame.duplicate,
    };
    const message = this.outbox.get(frame.cmid);
    if (message === undefined) {
      this.sequencer.onSeqSeen(frame.conv, frame.seq);
      return;
    }
    this.resolveSend(ack);
    // On the sending connection the ack stands in the place of the event.
    this.sequencer.onEvent({
      conv: frame.conv,
      seq: frame.seq,
      id: frame.id,
      sender: this.user?.id ?? 0,
      ts: frame.ts,
      cmid: frame.cmid,
      content: message.content,
    });
  }

  private onErrorFrame(frame: ErrorFrame): void {
    const error = new TernError(frame.code, frame.message, frame.retryable);
    if (frame.rid === undefined) {
      this.emit("problem", error);
      return;
    }
    if (this.requests.reject(frame.rid, error)) return;
    const cmid = this.ridSends.get(frame.rid);
    if (cmid !== undefined) {
      if (frame.retryable) {
        // Written again after the resend interval; sends are idempotent.
        this.sentAt.set(cmid, this.timers.now());
      } else {
        this.outbox.update(cmid, { state: "failed", error: { code: frame.code, message: frame.message } });
        this.ackWaiters.get(cmid)?.reject(error);
        this.ackWaiters.delete(cmid);
        this.forgetSend(cmid);
        this.outboxChanged();
      }
      return;
    }
    if (!this.sequencer.onError(frame.rid, frame.code, frame.retryable)) this.emit("problem", error);
  }

  private onRead(conv: ConvId, readSeq: number, count: UnreadCount): void {
    if (!this.convs.has(conv)) return;
    this.convs.applyRead(conv, readSeq, count, this.sequencer.deliveredSeq(conv));
    const view = this.convs.get(conv);
    if (view !== undefined) this.emit("read", { conv, readSeq: view.readSeq, unread: view.unread });
    this.conversationChanged(conv);
  }

  private applySettings(settings: UserSettings): void {
    const stoppedSharing = this.settings.share_receipts && !settings.share_receipts;
    this.settings = settings;
    // Not sharing yours, you see nobody's.
    if (stoppedSharing) this.receipts.clear();
    this.emit("settings", settings);
    this.emit("change", undefined);
  }

  private onTyping(conv: ConvId, user: UserId): void {
    if (user === this.user?.id) return;
    this.typists.started(conv, user, this.timers.now() + this.options.typingTtlMs);
    this.emit("typing", { conv, user });
    this.emit("change", undefined);
  }

  // ---- delivery -------------------------------------------------------------------------

  private deliver(event: Event): void {
    if (countsAsUnread(event.content)) this.receipts.sent(event.conv, event.sender, event.seq);
    // Our own message reached us as an event (sent from this account elsewhere, or a resend
    // raced a lost ack): that settles the send too.
    if (event.sender === this.user?.id && event.cmid !== undefined && this.outbox.get(event.cmid) !== undefined) {
      this.resolveSend({
        conv: event.conv,
        cmid: event.cmid,
        seq: event.seq,
        id: event.id,
        ts: event.ts,
        duplicate: true,
      });
    }
    // A recall of an unread message this client never loaded: the server has the count.
    if (!this.convs.applyEvent(event)) this.resync();
    const timeline = this.timelines.get(event.conv);
    if (timeline !== undefined) {
      timeline.append(event);
      timeline.trim(this.options.maxTimelineEvents);
      this.emit("timeline", { conv: event.conv });
    }
    this.typists.stopped(event.conv, event.sender);
    this.emit("event", event);
    this.conversationChanged(event.conv);
  }

  private applySummary(summary: ConversationSummary): void {
    if (summary.peer !== undefined) this.profiles.set(summary.peer.id, summary.peer);
    const members = (summary as { members?: { user: UserProfile }[] }).members;
    if (Array.isArray(members)) for (const m of members) this.profiles.set(m.user.id, m.user);
    this.convs.applySummary(summary, 0);
    // During a sync the sequencer starts tracking right after this hook returns.
    queueMicrotask(() => this.openWantedTimeline(summary.id));
    this.conversationChanged(summary.id);
  }

  private openWantedTimeline(conv: ConvId): void {
    if (!this.wantedTimelines.has(conv) || !this.sequencer.isTracked(conv)) return;
    const limit = this.wantedTimelines.get(conv);
    this.wantedTimelines.delete(conv);
    void this.openTimeline(conv, limit);
  }

  private onSynced(): void {
    this.healthy = true;
    for (const conv of [...this.wantedTimelines.keys()]) this.openWantedTimeline(conv);
    this.setStatus("online");
    this.emit("synced", undefined);
    this.emit("change", undefined);
  }

  private resolveSend(ack: Ack): void {
    if (this.outbox.remove(ack.cmid) === undefined) return;
    this.forgetSend(ack.cmid);
    this.ackWaiters.get(ack.cmid)?.resolve(ack);
    this.ackWaiters.delete(ack.cmid);
    this.emit("ack", ack);
    this.outboxChanged();
  }

  // ---- writing --------------------------------------------------------------------------

  private write(frame: ClientFrame): boolean {
    if (!this.open || this.socket === null) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      this.emit("problem", e as Error);
      this.dropConnection();
      return false;
    }
  }

  /** A frame of the client's own bookkeeping (sync, fetch, ping): only for this connection. */
  private writeInternal(frame: ClientFrame): number {
    const rid = this.requests.nextRid();
    this.write({ ...frame, rid });
    return rid;
  }

  private writeSend(message: PendingMessage): void {
    if (!this.open) return;
    let rid = this.sendRids.get(message.cmid);
    if (rid === undefined) {
      rid = this.requests.nextRid();
      this.sendRids.set(message.cmid, rid);
      this.ridSends.set(rid, message.cmid);
    }
    this.sentAt.set(message.cmid, this.timers.now());
    this.write({ type: "send", rid, conv: message.conv, cmid: message.cmid, content: message.content });
  }

  private forgetSend(cmid: string): void {
    const rid = this.sendRids.get(cmid);
    if (rid !== undefined) this.ridSends.delete(rid);
    this.sendRids.delete(cmid);
    this.sentAt.delete(cmid);
  }

  /** A request of the app; written again after a reconnect until it is answered. */
  private request(frame: ClientFrame): Promise<ServerFrame> {
    if (this.stopped === "closed" || this.stopped === "logged_out") {
      return Promise.reject(new TernError(this.stopped === "closed" ? "closed" : "logged_out", "not connected", false));
    }
    return this.requests.start(frame, (f) => this.write(f));
  }

  private waitForAck(cmid: string): Promise<Ack> {
    const acked = new Promise<Ack>((resolve, reject) => this.ackWaiters.set(cmid, { resolve, reject }));
    // The app may not await it (the outbox event tells the same story); no unhandled rejection.
    acked.catch(() => undefined);
    return acked;
  }

  private failPending(error: TernError): void {
    this.requests.failAll(error);
    for (const waiter of this.ackWaiters.values()) waiter.reject(error);
    this.ackWaiters.clear();
  }

  private outboxChanged(): void {
    this.emit("outbox", this.outbox.all());
    this.emit("change", undefined);
  }

  private conversationChanged(conv: ConvId): void {
    const view = this.convs.get(conv);
    if (view !== undefined) this.emit("conversation", view);
    this.emit("change", undefined);
  }

  private timelineChanged(conv: ConvId): void {
    this.emit("timeline", { conv });
    this.emit("change", undefined);
  }
}
