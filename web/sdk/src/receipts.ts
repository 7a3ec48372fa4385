// Read receipts ("seen by"): how far the other members of each conversation have read, as far
// as this client knows. Filled by `load` (the whole list), live `receipts` frames (the
// positions that moved, coalesced by the server) and sync (those that moved while away).
// Positions only move forward; a member who does not share theirs is never listed.

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
    if (r.user === sender) continue;
    (r.seq >= seq ? out.read : out.unread).push(r.user);
  }
  return out;
}

export class ReadReceipts {
  private readonly byConv = new Map<ConvId, Map<UserId, number>>();

  constructor(
    private readonly request: Request,
    private readonly changed: (conv: ConvId) => void,
  ) {}

  /** Fetches every position of `conv` the server shows you (none when you do not share yours). */
  async load(conv: ConvId): Promise<Receipt[]> {
    const reply = await this.request({ type: "receipts", conv });
    if (reply.type !== "receipts") throw new TernError("bad_frame", `unexpected ${reply.type}`, false);
    this.byConv.set(conv, new Map(reply.receipts.map((r) => [r.user, r.seq])));
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
    const known = this.byConv.get(conv);
    if (known === undefined) return;
    if (partial) {
      this.byConv.delete(conv);
    } else {
      for (const r of receipts) known.set(r.user, Math.max(known.get(r.user) ?? 0, r.seq));
    }
    this.changed(conv);
  }

  /** How far `user` has read `conv`, if known. */
  position(conv: ConvId, user: UserId): number | undefined {
    return this.byConv.get(conv)?.get(user);
  }

  /** Who has and has not read the message at `seq` of `conv` sent by `sender`. */
  seenBy(conv: ConvId, seq: number, sender: UserId): SeenBy {
    const known = this.byConv.get(conv) ?? new Map<UserId, number>();
    return seenBy(
      Array.from(known, ([user, at]) => ({ user, seq: at })),
      seq,
      sender,
    );
  }

  /** Forgets everything (you stopped sharing yours, so you see nobody's). */
  clear(): void {
    const convs = [...this.byConv.keys()];
    this.byConv.clear();
    for (const conv of convs) this.changed(conv);
  }
}
