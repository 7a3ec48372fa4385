// The conversation list as the client knows it, with exact unread counts.
//
// Unread is never a counter bumped by the client. It is derived the way the server derives it
// (text events from others with seq above the read position), from two exact sources:
//   - a server snapshot (`base`): the sync summary or the `read` answer says how many unread
//     messages there were up to seq `base.seq` for read position `base.readSeq`;
//   - the seqs of text events from others the client has received above `base.seq` (`tail`).
//     Events arrive exactly once and without gaps (the client repairs them), so this set is
//     complete, and duplicates cannot inflate it because it is keyed by seq.
// When the read position moves below `base.seq` (reading only part of the unread messages),
// the loaded timeline supplies the count for the part in between; if it is not loaded, the
// server's own number from the `read` answer becomes the new base. Unread mentions are derived
// the same way, beside the unread count.
//
// Changes to messages (edit, recall, reaction, pin) never count and never become the preview;
// a recall takes its message out of the count (and shows the preview recalled if it was it).

import {
  asText,
  countsAsUnread,
  isAnnouncement,
  systemEventOf,
  targetOf,
  type ConversationKind,
  type ConversationSummary,
  type ConvId,
  type FileId,
  type MemberRole,
  type NotifyLevel,
  type Event,
  type UserId,
  type UserProfile,
} from "./protocol.js";

/** What the app shows for one conversation in the list. */
export interface ConversationView {
  id: ConvId;
  kind: ConversationKind;
  /** Group name; null for direct conversations (show `peer`). */
  name: string | null;
  peer?: UserProfile;
  /** A group's picture (a direct conversation shows `peer.avatar`). */
  avatar?: FileId;
  /** False after you left or were removed: history stays readable, sending is refused. */
  active: boolean;
  /** The highest seq known in this conversation. */
  lastSeq: number;
  readSeq: number;
  /** Exact: text events from others after `readSeq`. */
  unread: number;
  /** Exact: of those, the ones that mention you (or everyone). */
  unreadMentions: number;
  lastEvent?: Event;
  /** For sorting by activity: server time of the last event, or when it was opened here. */
  activity: number;
  /** Your notification level for it (your own preference, the same on all your devices). */
  notify: NotifyLevel;
  /** Since when you keep it on top of your list; undefined when you do not. */
  top?: number;
  /** Your role in a group: "owner", "admin" or "member". */
  role: MemberRole;
  /** Until when an admin muted you (Unix ms; `Number.MAX_SAFE_INTEGER` or more: until lifted). */
  mutedUntil?: number;
  /** Only the owner and admins may post ("mute all"). */
  allMuted: boolean;
}

/** Whether you may post in a conversation now (`now`: Unix ms), and if not, why. */
export function postingState(view: ConversationView, now: number): "ok" | "inactive" | "muted" | "all_muted" {
  if (!view.active) return "inactive";
  if (view.mutedUntil !== undefined && view.mutedUntil > now) return "muted";
  if (view.allMuted && view.role !== "owner" && view.role !== "admin") return "all_muted";
  return "ok";
}

interface ConvState {
  id: ConvId;
  kind: ConversationKind;
  name: string | null;
  peer?: UserProfile;
  avatar?: FileId;
  active: boolean;
  lastSeq: number;
  readSeq: number;
  lastEvent?: Event;
  touchedAt: number;
  notify: NotifyLevel;
  top?: number;
  role: MemberRole;
  mutedUntil?: number;
  allMuted: boolean;
  base: { seq: number; readSeq: number; unread: number; mentions: number };
  /** Seqs of received text events from others above `base.seq` and the read position. */
  tail: number[];
  /** Those of `tail` that mention you (or everyone). */
  mentionTail: number[];
  /** The server's count to show while the exact one cannot be derived (see the file comment). */
  fallbackUnread?: UnreadCount;
}

/** Counts text events from others in (after, upTo], and those that mention you, if the loaded
 * timeline covers that range. */
export type LoadedCounter = (conv: ConvId, after: number, upTo: number) => UnreadCount | undefined;
/** A loaded event, as received (before later changes were applied). */
export type LoadedEvent = (conv: ConvId, seq: number) => Event | undefined;

export interface UnreadCount {
  unread: number;
  mentions: number;
}

/** Whether `event` is a message from someone else that mentions `me` or everyone (an
 * announcement mentions everyone). */
export function mentions(event: Event, me: UserId): boolean {
  if (event.sender === me) return false;
  if (isAnnouncement(event.content)) return true;
  const c = asText(event.content);
  return c !== undefined && (c.mention_all === true || (c.mentions ?? []).includes(me));
}

export class Conversations {
  private readonly states = new Map<ConvId, ConvState>();

  constructor(
    private readonly me: () => UserId,
    private readonly countLoaded: LoadedCounter,
    private readonly loadedEvent: LoadedEvent,
  ) {}

  has(conv: ConvId): boolean {
    return this.states.has(conv);
  }

  get(conv: ConvId): ConversationView | undefined {
    const s = this.states.get(conv);
    return s === undefined ? undefined : this.view(s);
  }

  /** All conversations: those kept on top first (most recently put there first), then by most
   * recent activity. */
  list(): ConversationView[] {
    return [...this.states.values()]
      .map((s) => this.view(s))
      .sort((a, b) => (b.top ?? 0) - (a.top ?? 0) || b.activity - a.activity || b.id - a.id);
  }

  /** Your preferences for a conversation changed (your `preferences` answer, or another
   * device's). */
  applyPreferences(conv: ConvId, notify: NotifyLevel, top: number | undefined): void {
    const s = this.states.get(conv);
    if (s === undefined) return;
    s.notify = notify;
    s.top = top;
  }

  clear(): void {
    this.states.clear();
  }

  /** A consistent snapshot from the server (sync, or a REST ConversationDetail). */
  applySummary(summary: ConversationSummary, now: number): void {
    let s = this.states.get(summary.id);
    if (s === undefined) {
      s = {
        id: summary.id,
        kind: summary.kind,
        name: summary.name,
        active: summary.active,
        lastSeq: 0,
        readSeq: 0,
        touchedAt: now,
        notify: "all",
        role: "member",
        allMuted: false,
        base: { seq: 0, readSeq: 0, unread: 0, mentions: 0 },
        tail: [],
        mentionTail: [],
      };
      this.states.set(summary.id, s);
    }
    s.kind = summary.kind;
    s.name = summary.name;
    if (summary.peer !== undefined) s.peer = summary.peer;
    s.avatar = summary.avatar;
    s.active = summary.active;
    s.notify = summary.notify ?? "all";
    s.top = summary.top;
    if (summary.last_seq >= s.lastSeq) {
      // Role and mutes as of the summary's last seq; events after it adjust them.
      s.role = summary.role ?? "member";
      s.mutedUntil = summary.muted_until;
      s.allMuted = summary.all_muted ?? false;
    }
    s.lastSeq = Math.max(s.lastSeq, summary.last_seq);
    if (summary.last_event !== undefined && summary.last_event.seq >= (s.lastEvent?.seq ?? 0)) {
      s.lastEvent = summary.last_event;
    }
    // A snapshot can be older than what we hold (a reply overtaken by a read answer or by live
    // events): it becomes the base only if it is at least as new on both counts.
    if (summary.read_seq >= s.readSeq && summary.last_seq >= s.base.seq) {
      s.readSeq = summary.read_seq;
      const mentions = summary.unread_mentions ?? 0;
      s.base = { seq: summary.last_seq, readSeq: summary.read_seq, unread: summary.unread, mentions };
      s.fallbackUnread = undefined;
    } else if (summary.read_seq > s.readSeq) {
      s.readSeq = summary.read_seq;
      if (this.derive(s) === undefined) s.fallbackUnread = { unread: summary.unread, mentions: summary.unread_mentions ?? 0 };
    }
    this.prune(s);
  }

  /**
   * An event received in order (live or fetched). False when the count can no longer be
   * derived (a recall of an unread message the client never loaded): ask the server (sync).
   */
  applyEvent(event: Event): boolean {
    const s = this.states.get(event.conv);
    if (s === undefined) return true;
    s.lastSeq = Math.max(s.lastSeq, event.seq);
    const target = targetOf(event.content);
    if (target !== undefined) return this.applyChange(s, event, target);
    if (event.seq >= (s.lastEvent?.seq ?? 0)) s.lastEvent = event;
    const me = this.me();
    const system = systemEventOf(event.content);
    if (event.sender === me && event.cmid !== undefined) {
      // The server moves the sender's read position to a message they send.
      s.readSeq = Math.max(s.readSeq, event.seq);
    } else if (event.sender !== me && countsAsUnread(event.content) && event.seq > s.base.seq && event.seq > s.readSeq) {
      if (!s.tail.includes(event.seq)) s.tail.push(event.seq);
      if (mentions(event, me) && !s.mentionTail.includes(event.seq)) s.mentionTail.push(event.seq);
    }
    if (system !== undefined) {
      const joined =
        (system.event === "group_created" && system.members.includes(me)) ||
        (system.event === "members_added" && system.users.includes(me));
      const gone =
        ((system.event === "member_removed" || system.event === "member_left") && system.user === me) ||
        system.event === "dissolved";
      if (joined) {
        // New members start with everything before their joining event read.
        s.active = true;
        s.readSeq = Math.max(s.readSeq, event.seq);
      }
      if (gone) {
        s.active = false;
        s.role = "member";
        s.mutedUntil = undefined;
      }
      if (system.event === "group_created" || system.event === "renamed") s.name = system.name;
      this.applyAdministration(s, system, event, me);
      // Only when newer than what the list last said (a summary may already carry it).
      if (system.event === "picture_changed" && event.seq >= s.lastSeq) s.avatar = system.avatar;
    }
    this.prune(s);
    return true;
  }

  /** What a group administration event changes about you in this conversation. */
  private applyAdministration(s: ConvState, system: NonNullable<ReturnType<typeof systemEventOf>>, event: Event, me: UserId): void {
    switch (system.event) {
      case "role_changed":
        if (system.user === me) s.role = system.role;
        break;
      case "owner_changed":
        if (system.user === me) s.role = "owner";
        else if (event.sender === me) s.role = "admin";
        break;
      case "member_muted":
        if (system.user === me) s.mutedUntil = system.until ?? Number.MAX_SAFE_INTEGER;
        break;
      case "member_unmuted":
        if (system.user === me) s.mutedUntil = undefined;
        break;
      case "all_muted":
        s.allMuted = system.muted;
        break;
      default:
        break;
    }
  }

  /** A change to the message at `target`: only a recall matters here. */
  private applyChange(s: ConvState, change: Event, target: number): boolean {
    if (change.content.type !== "recall") return true;
    if (s.lastEvent?.seq === target) {
      s.lastEvent = { ...s.lastEvent, content: { type: "recalled", by: change.sender }, reactions: undefined };
    }
    if (s.tail.includes(target)) {
      s.tail = s.tail.filter((seq) => seq !== target);
      s.mentionTail = s.mentionTail.filter((seq) => seq !== target);
      return true;
    }
    if (target <= s.base.readSeq || target > s.base.seq) return true;
    // Counted in the server's snapshot, if it was unread and from someone else.
    const message = this.loadedEvent(s.id, target);
    if (message === undefined) return false;
    const me = this.me();
    if (message.sender !== me && countsAsUnread(message.content)) {
      s.base = {
        ...s.base,
        unread: Math.max(0, s.base.unread - 1),
        mentions: Math.max(0, s.base.mentions - (mentions(message, me) ? 1 : 0)),
      };
    }
    return true;
  }

  /**
   * The read position moved (a `read` frame, or the answer to ours). `delivered` is the highest
   * seq received in order, the point up to which the server's `unread` is known to be counted.
   */
  applyRead(conv: ConvId, readSeq: number, count: UnreadCount, delivered: number): void {
    const s = this.states.get(conv);
    if (s === undefined || readSeq < s.readSeq) return;
    s.readSeq = readSeq;
    if (this.derive(s) === undefined) {
      s.base = { seq: Math.max(delivered, readSeq), readSeq, ...count };
      s.tail = [];
      s.mentionTail = [];
      s.fallbackUnread = undefined;
    }
    this.prune(s);
  }

  /** Moves the read position ahead of the server's answer (the user saw these messages). */
  applyLocalRead(conv: ConvId, seq: number): void {
    const s = this.states.get(conv);
    if (s === undefined || seq <= s.readSeq) return;
    const before = this.countOf(s);
    s.readSeq = seq;
    if (this.derive(s) === undefined) s.fallbackUnread = { unread: before.unread, mentions: before.unreadMentions };
    this.prune(s);
  }

  /** Marks a conversation as just used here (opened or created), for sorting. */
  touch(conv: ConvId, now: number): void {
    const s = this.states.get(conv);
    if (s !== undefined) s.touchedAt = Math.max(s.touchedAt, now);
  }

  private view(s: ConvState): ConversationView {
    return {
      id: s.id,
      kind: s.kind,
      name: s.name,
      peer: s.peer,
      avatar: s.avatar,
      active: s.active,
      lastSeq: s.lastSeq,
      readSeq: s.readSeq,
      ...this.countOf(s),
      lastEvent: s.lastEvent,
      activity: Math.max(s.lastEvent?.ts ?? 0, s.touchedAt),
      notify: s.notify,
      top: s.top,
      role: s.role,
      mutedUntil: s.mutedUntil,
      allMuted: s.allMuted,
    };
  }

  private countOf(s: ConvState): { unread: number; unreadMentions: number } {
    const count = this.derive(s) ?? s.fallbackUnread ?? {
      unread: s.base.unread + s.tail.length,
      mentions: s.base.mentions + s.mentionTail.length,
    };
    return { unread: count.unread, unreadMentions: count.unread === 0 ? 0 : count.mentions };
  }

  /** The exact unread counts, if the information at hand determines them. */
  private derive(s: ConvState): UnreadCount | undefined {
    const r = s.readSeq;
    const above = (seqs: number[]) => seqs.filter((seq) => seq > r).length;
    if (r >= s.base.seq) return { unread: above(s.tail), mentions: above(s.mentionTail) };
    if (r === s.base.readSeq) {
      return { unread: s.base.unread + s.tail.length, mentions: s.base.mentions + s.mentionTail.length };
    }
    const between = this.countLoaded(s.id, r, s.base.seq);
    if (between === undefined) return undefined;
    return { unread: between.unread + s.tail.length, mentions: between.mentions + s.mentionTail.length };
  }

  private prune(s: ConvState): void {
    const floor = Math.max(s.base.seq, s.readSeq);
    if (s.tail.some((seq) => seq <= floor)) s.tail = s.tail.filter((seq) => seq > floor);
    if (s.mentionTail.some((seq) => seq <= floor)) s.mentionTail = s.mentionTail.filter((seq) => seq > floor);
  }
}
