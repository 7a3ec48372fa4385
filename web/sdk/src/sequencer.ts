// Per-conversation ordering: turns the server's at-least-once stream (live events, acks, fetch
// pages, sync summaries) into exactly-once, in-order delivery, the client side of clauses 5 and
// 6 of the delivery contract. It mirrors the Rust SDK's driver (crates/sdk/src/client/driver.rs).
//
// One difference, made for a client that cannot hold every history in memory: a conversation
// the client has never seen starts being tracked at the seq of the server's summary (first sync
// after a page load), or at the first live event that made it known (a new direct conversation,
// being added to a group); its earlier history is paged in on demand. From then on every event
// is delivered exactly once, in seq order, with no gaps.

import type { ClientFrame, ConversationSummary, ConvId, ErrorCode, Event } from "./protocol.js";

export interface SequencerHooks {
  /** Writes a request frame; returns the rid it was given. */
  request(frame: ClientFrame): number;
  /** The next event of a conversation, exactly once and in order. */
  deliver(event: Event): void;
  /** A summary from a sync reply, before any of that conversation's missing events. */
  summary(summary: ConversationSummary, firstSeen: boolean): void;
  /** A catch-up completed: everything committed before the sync was delivered. */
  synced(): void;
  /** Something unexpected the app may want to log. */
  warn(message: string): void;
}

export class Sequencer {
  /** Highest seq delivered per conversation; everything from the tracking point up to it too. */
  private readonly delivered = new Map<ConvId, number>();
  /** Conversations being caught up, with the live events that arrived meanwhile. */
  private readonly catchingUp = new Map<ConvId, Event[]>();
  /** Live events of conversations not tracked yet; the next sync tells where they start. */
  private readonly untracked = new Map<ConvId, Event[]>();
  /** Catch-up fetches in flight: rid → conversation. */
  private readonly fetches = new Map<number, ConvId>();
  /** Fetches that brought nothing new, per conversation (see `finishCatchUp`). */
  private readonly stalled = new Map<ConvId, number>();
  private syncRid: number | undefined;
  private needSync = false;
  /** Conversations the current sync found behind; the catch-up is done when this empties. */
  private readonly syncPending = new Set<ConvId>();
  /** The token of a sync whose catch-up is not finished; adopted only once it is. */
  private pendingToken: string | undefined;
  /** The token of the last completed catch-up. */
  private token: string | undefined;

  constructor(
    private readonly hooks: SequencerHooks,
    private readonly pageSize: () => number,
  ) {}

  get syncToken(): string | undefined {
    return this.token;
  }

  isTracked(conv: ConvId): boolean {
    return this.delivered.has(conv);
  }

  deliveredSeq(conv: ConvId): number {
    return this.delivered.get(conv) ?? 0;
  }

  isCatchingUp(conv: ConvId): boolean {
    return this.catchingUp.has(conv);
  }

  /** A new connection: whatever was in flight on the old one is gone. Starts the catch-up. */
  connected(): void {
    this.catchingUp.clear();
    this.fetches.clear();
    this.syncPending.clear();
    this.pendingToken = undefined;
    this.syncRid = undefined;
    this.startSync();
  }

  /** Forget everything (another account, or the app wants a clean slate). */
  reset(): void {
    this.delivered.clear();
    this.untracked.clear();
    this.stalled.clear();
    this.catchingUp.clear();
    this.fetches.clear();
    this.syncPending.clear();
    this.pendingToken = undefined;
    this.token = undefined;
    this.syncRid = undefined;
    this.needSync = false;
  }

  /** The `resync` frame, or the app asking: run a sync now (or right after the current one). */
  requestSync(): void {
    if (this.syncRid === undefined) this.startSync();
    else this.needSync = true;
  }

  /** Called periodically: retries a sync that failed or was asked for during another. */
  tick(): void {
    if (this.needSync && this.syncRid === undefined) this.startSync();
  }

  /**
   * Starts tracking a conversation from a server snapshot obtained elsewhere (the REST answer to
   * creating a group or opening a direct conversation). No-op if it is tracked already.
   */
  track(summary: ConversationSummary): void {
    if (this.delivered.has(summary.id)) return;
    this.delivered.set(summary.id, summary.last_seq);
    this.replayUntracked(summary.id);
  }

  /** A live event, or our own message rebuilt from its ack. */
  onEvent(event: Event): void {
    const buffer = this.catchingUp.get(event.conv);
    if (buffer !== undefined) {
      buffer.push(event);
      return;
    }
    const delivered = this.delivered.get(event.conv);
    if (delivered === undefined) {
      const waiting = this.untracked.get(event.conv);
      if (waiting !== undefined) {
        // The sync asked for by the first of these will introduce the conversation.
        waiting.push(event);
      } else {
        this.untracked.set(event.conv, [event]);
        this.requestSync();
      }
      return;
    }
    if (event.seq <= delivered) return;
    if (event.seq === delivered + 1) {
      this.deliver(event);
    } else {
      this.startCatchUp(event.conv, [event]);
    }
  }

  /** An ack for a send already settled: only learn that the seq exists. */
  onSeqSeen(conv: ConvId, seq: number): void {
    const delivered = this.delivered.get(conv);
    if (delivered === undefined) {
      this.requestSync();
    } else if (seq > delivered && !this.catchingUp.has(conv)) {
      this.startCatchUp(conv, []);
    }
  }

  /** A `sync` reply; false if it answers no sync of ours. */
  onSync(rid: number | undefined, token: string, conversations: ConversationSummary[], next?: string): boolean {
    if (rid === undefined || rid !== this.syncRid) return false;
    this.syncRid = undefined;
    this.pendingToken = token;
    for (const summary of conversations) {
      const conv = summary.id;
      const firstSeen = !this.delivered.has(conv);
      this.hooks.summary(summary, firstSeen);
      const waiting = this.untracked.get(conv);
      if (firstSeen && waiting !== undefined) {
        // It became known through live events (a new direct conversation, being added to a
        // group): deliver from the first of them, fetching whatever lies between.
        this.untracked.delete(conv);
        const first = Math.min(...waiting.map((e) => e.seq));
        this.delivered.set(conv, Math.min(first - 1, summary.last_seq));
        this.syncPending.add(conv);
        this.startCatchUp(conv, waiting);
      } else if (firstSeen) {
        this.delivered.set(conv, summary.last_seq);
      } else if (summary.last_seq > this.deliveredSeq(conv)) {
        this.syncPending.add(conv);
        if (!this.catchingUp.has(conv)) this.startCatchUp(conv, []);
      }
    }
    // More pages: the sync is complete only after the last one.
    if (next !== undefined) {
      this.requestSyncPage(next);
      return true;
    }
    // Events of conversations this sync did not mention: it started before they existed.
    if (this.untracked.size > 0) this.needSync = true;
    this.checkSynced();
    return true;
  }

  /** An `events` reply; false if it answers no fetch of ours (it is the app's history page). */
  onEvents(rid: number | undefined, conv: ConvId, events: Event[], hasMore: boolean): boolean {
    if (rid === undefined || !this.fetches.has(rid)) return false;
    this.fetches.delete(rid);
    const before = this.deliveredSeq(conv);
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      if (event.seq === this.deliveredSeq(conv) + 1) this.deliver(event);
    }
    const progressed = this.deliveredSeq(conv) > before;
    if (hasMore && progressed) {
      this.requestFetch(conv);
      return true;
    }
    this.finishCatchUp(conv, progressed);
    return true;
  }

  /** An `error` frame; false if it answers no request of ours. */
  onError(rid: number | undefined, code: ErrorCode, retryable = false): boolean {
    if (rid === undefined) return false;
    const conv = this.fetches.get(rid);
    if (conv !== undefined) {
      // Cannot read this conversation (e.g. removed meanwhile): stop until the next sync says
      // otherwise, as the Rust SDK does. A passing failure is tried again by a sync at the next
      // tick: waiting for the next event could wait for ever when the missed one was the last.
      this.fetches.delete(rid);
      this.catchingUp.delete(conv);
      this.syncPending.delete(conv);
      if (retryable) this.needSync = true;
      this.hooks.warn(`catch-up of conversation ${conv} refused: ${code}`);
      this.checkSynced();
      return true;
    }
    if (rid === this.syncRid) {
      this.syncRid = undefined;
      // A token this server did not issue (another deployment, a wiped database): start over.
      if (code === "bad_request") this.token = undefined;
      this.needSync = true;
      return true;
    }
    return false;
  }

  private finishCatchUp(conv: ConvId, progressed: boolean): void {
    const buffered = (this.catchingUp.get(conv) ?? []).sort((a, b) => a.seq - b.seq);
    this.catchingUp.delete(conv);
    this.syncPending.delete(conv);
    const stalls = progressed ? 0 : (this.stalled.get(conv) ?? 0) + 1;
    this.stalled.set(conv, stalls);
    const first = buffered.find((e) => e.seq > this.deliveredSeq(conv));
    if (first !== undefined && first.seq > this.deliveredSeq(conv) + 1 && stalls >= 2) {
      // The server twice had nothing to fill the hole with. That cannot happen under the
      // contract; rather than loop on fetches for ever, skip the hole and say so.
      this.hooks.warn(`conversation ${conv}: seqs ${this.deliveredSeq(conv) + 1}..${first.seq - 1} unavailable`);
      this.delivered.set(conv, first.seq - 1);
    }
    for (const event of buffered) this.onEvent(event);
    this.checkSynced();
  }

  private deliver(event: Event): void {
    this.delivered.set(event.conv, event.seq);
    this.hooks.deliver(event);
  }

  private replayUntracked(conv: ConvId): void {
    const waiting = this.untracked.get(conv);
    if (waiting === undefined) return;
    this.untracked.delete(conv);
    for (const event of waiting.sort((a, b) => a.seq - b.seq)) this.onEvent(event);
  }

  private startCatchUp(conv: ConvId, buffered: Event[]): void {
    this.catchingUp.set(conv, buffered);
    this.requestFetch(conv);
  }

  private requestFetch(conv: ConvId): void {
    const rid = this.hooks.request({
      type: "fetch",
      conv,
      after: this.deliveredSeq(conv),
      limit: this.pageSize(),
    });
    this.fetches.set(rid, conv);
  }

  private startSync(): void {
    this.needSync = false;
    this.requestSyncPage(undefined);
  }

  /** Asks for one page of a sync (the first for `undefined`). */
  private requestSyncPage(page: string | undefined): void {
    const frame: ClientFrame = { type: "sync" };
    if (this.token !== undefined) frame.since = this.token;
    if (page !== undefined) frame.page = page;
    this.syncRid = this.hooks.request(frame);
  }

  private checkSynced(): void {
    if (this.syncRid === undefined && this.syncPending.size === 0 && this.pendingToken !== undefined) {
      this.token = this.pendingToken;
      this.pendingToken = undefined;
      this.hooks.synced();
    }
    this.tick();
  }
}
