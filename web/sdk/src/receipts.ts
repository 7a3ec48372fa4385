// Read receipts ("seen by"): how far the other members of each conversation have read, as far
// as this client knows. Filled by `load` (the whole list), live `receipts` frames (the reads,
// coalesced by the server), sync (what moved while away) and each member's own messages
// (sending reads up to one's own message; no receipt announces that). A member who stops
// sharing their position (or leaves) is announced as `hidden` and forgotten.

import { TernError } from "./errors.js";
import type { ClientFrame, ConvId, Receipt, ServerFrame, UserId } from "./protocol.js";

type Request = (frame: ClientFrame) => Promise<ServerFrame>;

/** Who has read a message and who has not (members who do not share theirs are in neither). */
export interface SeenBy {
  read: UserId[];
  unread: UserId[];
}

/** `seenBy` over any list of positions: the members at or past `seq`, and the others. */
export function seenBy(receipts: Iterable<Receipt>, seq: number, sender: UserId): SeenBy {
  const out: SeenBy = { read: [], unread: [] };
  for (const r of receipts) {
    if (r.user === sender || r.hidden === true) continue;
    (r.seq >= seq ? out.read : out.unread).push(r.user);
  }
  return out;
}

/** What the client knows of one conversation's positions. */
interface Known {
  positions: Map<UserId, number>;
  /** The positions, ascending, for counting (made again after a change). */
  sorted?: number[];
}

export class ReadReceipts {
  private readonly byConv = new Map<ConvId, Known>();
  /** Moves heard while a conversation's list is being loaded, merged into the answer. */
  private readonly loading = new Map<ConvId, Receipt[]>();
  /** Bumped by `clear`: a load answered after it is dropped. */
  private generation = 0;

  constructor(
    private readonly request: Request,
    private readonly changed: (conv: ConvId) => void,
  ) {}

  /** Fetches every position of `conv` the server shows you (none when you do not share yours). */
  async load(conv: ConvId): Promise<Receipt[]> {
    const generation = this.generation;
    if (!this.loading.has(conv)) this.loading.set(conv, []);
    let reply: ServerFrame;
    try {
      reply = await this.request({ type: "receipts", conv });
    } catch (e) {
      this.loading.delete(conv);
      throw e;
    }
    if (generation !== this.generation) return [];
    if (reply.type !== "receipts") {
      this.loading.delete(conv);
      throw new TernError("bad_frame", `unexpected ${reply.type}`, false);
    }
    const known: Known = { positions: new Map(reply.receipts.map((r) => [r.user, r.seq])) };
    this.byConv.set(conv, known);
    for (const r of this.loading.get(conv) ?? []) this.merge(known, r);
    this.loading.delete(conv);
    this.changed(conv);
    return reply.receipts;
  }

  /** Whether the whole list of `conv` is known (loaded, and not made partial since). */
  loaded(conv: ConvId): boolean {
    return this.byConv.has(conv);
  }

  /** Positions that moved (live or from sync). `partial`: more moved than listed, so the list
   * is no longer complete until the next `load`. */
  apply(conv: ConvId, receipts: readonly Receipt[], partial = false): void {
    this.loading.get(conv)?.push(...receipts);
    const known = this.byConv.get(conv);
    if (known === undefined) return;
    if (partial) {
      this.byConv.delete(conv);
    } else {
      for (const r of receipts) this.merge(known, r);
    }
    this.changed(conv);
  }

  /** `sender` sent the message at `seq`: sending reads up to one's own message (the server
   * announces no receipt for it). Only for members known to share theirs. */
  sent(conv: ConvId, sender: UserId, seq: number): void {
    const known = this.byConv.get(conv);
    const at = known?.positions.get(sender);
    if (known === undefined || at === undefined || at >= seq) return;
    this.merge(known, { user: sender, seq });
    this.changed(conv);
  }

  /** How far `user` has read `conv`, if known. */
  position(conv: ConvId, user: UserId): number | undefined {
    return this.byConv.get(conv)?.positions.get(user);
  }

  /** Who has and has not read the message at `seq` of `conv` sent by `sender`. */
  seenBy(conv: ConvId, seq: number, sender: UserId): SeenBy {
    const known = this.byConv.get(conv)?.positions ?? new Map<UserId, number>();
    return seenBy(
      Array.from(known, ([user, at]) => ({ user, seq: at })),
      seq,
      sender,
    );
  }

  /** How many have and have not read the message at `seq` (not counting its `sender`), in
   * logarithmic time: what a line under each of many messages of a large group needs. */
  counts(conv: ConvId, seq: number, sender: UserId): { read: number; unread: number } {
    const known = this.byConv.get(conv);
    if (known === undefined) return { read: 0, unread: 0 };
    known.sorted ??= [...known.positions.values()].sort((a, b) => a - b);
    const sorted = known.sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] ?? 0) < seq) lo = mid + 1;
      else hi = mid;
    }
    let read = sorted.length - lo;
    let unread = lo;
    const own = known.positions.get(sender);
    if (own !== undefined) {
      if (own >= seq) read -= 1;
      else unread -= 1;
    }
    return { read, unread };
  }

  /** Forgets everything (you stopped sharing yours, so you see nobody's). */
  clear(): void {
    this.generation += 1;
    this.loading.clear();
    const convs = [...this.byConv.keys()];
    this.byConv.clear();
    for (const conv of convs) this.changed(conv);
  }

  private merge(known: Known, r: Receipt): void {
    known.sorted = undefined;
    if (r.hidden === true) known.positions.delete(r.user);
    else known.positions.set(r.user, Math.max(known.positions.get(r.user) ?? 0, r.seq));
  }
}
