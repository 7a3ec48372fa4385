// The loaded part of a conversation: a contiguous run of events ending at the newest one the
// client has received in order. It grows at the end with live and caught-up events, and at the
// start with history pages, so it never has holes; older pages are fetched with `before` set to
// its first seq, which cannot overlap what is already there.

import { mentions, type UnreadCount } from "./conversations.js";
import { applyChange, countsAsUnread, targetOf, type ConvId, type Event, type UserId } from "./protocol.js";

export interface TimelineView {
  conv: ConvId;
  /** Oldest first, contiguous by seq. */
  events: readonly Event[];
  /** Older events exist on the server (scroll up to load them). */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The pages asked for when it was opened are still loading (see `openTimeline`). */
  opening: boolean;
}

export class Timeline {
  events: Event[] = [];
  hasOlder: boolean;
  loadingOlder = false;
  opening = false;
  /** The seq the window starts at (its first event's, or the next expected one while empty). */
  private start: number;

  constructor(
    readonly conv: ConvId,
    delivered: number,
  ) {
    this.start = delivered + 1;
    this.hasOlder = delivered > 0;
  }

  /** The newest seq it holds (or the one before the next expected while empty). */
  get endSeq(): number {
    return this.events[this.events.length - 1]?.seq ?? this.start - 1;
  }

  /** The seq to pass as `before` for the next older page. */
  get startSeq(): number {
    return this.events[0]?.seq ?? this.start;
  }

  /**
   * The next event in order (the caller guarantees seq = last + 1). A change to a message also
   * updates that message if it is loaded (a page read later already reflects the change).
   */
  append(event: Event): void {
    const last = this.endSeq;
    if (event.seq <= last) return;
    // A new array on every change, so views can compare by reference.
    const events = [...this.events, event];
    const target = targetOf(event.content);
    const at = target === undefined ? -1 : target - (events[0]?.seq ?? 0);
    const message = at >= 0 ? events[at] : undefined;
    const changed = message === undefined ? undefined : applyChange(message, event);
    if (changed !== undefined) events[at] = changed;
    this.events = events;
  }

  /** The loaded event at `seq`, if any. */
  at(seq: number): Event | undefined {
    const first = this.events[0]?.seq;
    return first === undefined ? undefined : this.events[seq - first];
  }

  /** A history page: keeps only the events that extend the window downwards without a hole. */
  prepend(page: Event[], hasMore: boolean): void {
    let expected = this.startSeq - 1;
    const older: Event[] = [];
    for (const event of [...page].sort((a, b) => b.seq - a.seq)) {
      if (event.seq !== expected) continue;
      older.push(event);
      expected -= 1;
    }
    older.reverse();
    this.events = older.concat(this.events);
    this.hasOlder = hasMore && this.startSeq > 1;
  }

  /** Drops the oldest events beyond `max`, so a long session does not grow without bound. */
  trim(max: number): void {
    if (this.events.length <= max) return;
    this.events = this.events.slice(this.events.length - max);
    this.hasOlder = true;
  }

  /**
   * Text events from others in (after, upTo], and those of them that mention `me`, or undefined
   * if that range is not all loaded.
   */
  countUnread(after: number, upTo: number, me: UserId): UnreadCount | undefined {
    if (upTo <= after) return { unread: 0, mentions: 0 };
    const first = this.events[0]?.seq;
    const last = this.events[this.events.length - 1]?.seq;
    if (first === undefined || last === undefined || first > after + 1 || last < upTo) return undefined;
    const count = { unread: 0, mentions: 0 };
    for (const e of this.events) {
      if (e.seq > after && e.seq <= upTo && e.sender !== me && countsAsUnread(e.content)) {
        count.unread += 1;
        if (mentions(e, me)) count.mentions += 1;
      }
    }
    return count;
  }

  view(): TimelineView {
    return {
      conv: this.conv,
      events: this.events,
      hasOlder: this.hasOlder,
      loadingOlder: this.loadingOlder,
      opening: this.opening,
    };
  }
}
