// Sends not yet acknowledged by the server. Every change is written to storage before the app
// hears of it, so a reload (or a crash of the tab) never loses a message the user sent: the next
// page resends it with the same cmid, and the server's idempotency makes that safe.
//
// Writes are deltas applied to what is stored (read, change one entry, write), not a dump of
// this tab's memory: two tabs of the same account share the key, and a dump from one would
// erase the other's unacknowledged sends.

import type { Content, ConvId, ErrorCode } from "./protocol.js";
import type { KeyValueStorage } from "./storage.js";

export type PendingState = "sending" | "failed";

export interface PendingMessage {
  cmid: string;
  conv: ConvId;
  content: Content;
  /** When the user sent it (local clock), for ordering and display. */
  createdAt: number;
  state: PendingState;
  /** Why it failed: a non-retryable error from the server. */
  error?: { code: ErrorCode | string; message: string };
}

/** The stored form; versioned so a future layout can migrate instead of misreading. */
interface Stored {
  v: 1;
  pending: PendingMessage[];
}

export class Outbox {
  private readonly entries = new Map<string, PendingMessage>();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly key: string,
  ) {
    this.load();
  }

  /** Everything pending, oldest first. */
  all(): PendingMessage[] {
    return [...this.entries.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Pending messages of one conversation, oldest first. */
  forConversation(conv: ConvId): PendingMessage[] {
    return this.all().filter((p) => p.conv === conv);
  }

  get(cmid: string): PendingMessage | undefined {
    return this.entries.get(cmid);
  }

  get size(): number {
    return this.entries.size;
  }

  add(message: PendingMessage): void {
    this.entries.set(message.cmid, message);
    this.persist(message.cmid);
  }

  /** Removes an entry (acknowledged, or discarded by the user); returns it if it was there. */
  remove(cmid: string): PendingMessage | undefined {
    const entry = this.entries.get(cmid);
    if (entry === undefined) return undefined;
    this.entries.delete(cmid);
    this.persist(cmid);
    return entry;
  }

  update(cmid: string, change: Partial<Pick<PendingMessage, "state" | "error">>): void {
    const entry = this.entries.get(cmid);
    if (entry === undefined) return;
    const next: PendingMessage = { ...entry, ...change };
    if (change.state === "sending") delete next.error;
    this.entries.set(cmid, next);
    this.persist(cmid);
  }

  private load(): void {
    for (const p of this.readStored()) this.entries.set(p.cmid, p);
  }

  private readStored(): PendingMessage[] {
    try {
      const raw = this.storage.getItem(this.key);
      if (raw === null) return [];
      const stored = JSON.parse(raw) as Stored;
      if (stored.v !== 1 || !Array.isArray(stored.pending)) return [];
      return stored.pending.filter(
        (p) => typeof p?.cmid === "string" && typeof p.conv === "number" && p.content !== undefined,
      );
    } catch {
      // A corrupt entry must not stop the app from starting; nothing in it is readable anyway.
      return [];
    }
  }

  /** Writes this tab's view of one entry (present or gone) into the stored list. */
  private persist(cmid: string): void {
    const stored = this.readStored().filter((p) => p.cmid !== cmid);
    const mine = this.entries.get(cmid);
    if (mine !== undefined) stored.push(mine);
    try {
      if (stored.length === 0) {
        this.storage.removeItem(this.key);
      } else {
        const value: Stored = { v: 1, pending: stored };
        this.storage.setItem(this.key, JSON.stringify(value));
      }
    } catch {
      // Quota exceeded or storage gone: the messages stay pending in memory and are still sent.
    }
  }
}
