// A manual clock: timers fire only when a test advances time, in due order.

import type { TimerHandle, Timers } from "../../src/timers.js";

interface Scheduled {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeTimers implements Timers {
  private time = 1_700_000_000_000;
  private nextId = 0;
  private queue: Scheduled[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const entry = { id: ++this.nextId, at: this.time + Math.max(0, ms), callback };
    this.queue.push(entry);
    return entry.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.queue = this.queue.filter((e) => e.id !== handle);
  }

  /** Moves the clock forward, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.queue.filter((e) => e.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.queue = this.queue.filter((e) => e !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = end;
  }

  /** The delay until the next timer, for asserting backoff. */
  pendingDelays(): number[] {
    return this.queue.map((e) => e.at - this.time).sort((a, b) => a - b);
  }
}
