// Who is typing where: `typing` frames are ephemeral, shown until they expire or until the
// typist's message arrives.

import type { ConvId, UserId } from "./protocol.js";

export class Typists {
  private readonly byConv = new Map<ConvId, Map<UserId, number>>();

  started(conv: ConvId, user: UserId, until: number): void {
    let map = this.byConv.get(conv);
    if (map === undefined) {
      map = new Map();
      this.byConv.set(conv, map);
    }
    map.set(user, until);
  }

  stopped(conv: ConvId, user: UserId): void {
    this.byConv.get(conv)?.delete(user);
  }

  typing(conv: ConvId, now: number): UserId[] {
    const map = this.byConv.get(conv);
    if (map === undefined) return [];
    return [...map.entries()].filter(([, until]) => until > now).map(([user]) => user);
  }

  /** Forgets expired entries; true if any were dropped (the UI must update). */
  expire(now: number): boolean {
    let expired = false;
    for (const map of this.byConv.values()) {
      for (const [user, until] of map) {
        if (until <= now) {
          map.delete(user);
          expired = true;
        }
      }
    }
    return expired;
  }
}
