// Changes to messages once sent, over the client's connection: edit, recall (撤回), reactions,
// pins and forward, and reading a conversation's pins and a message's versions. Each change
// resolves with the seqs of the events it stored (empty when nothing changed); those events
// arrive like any other on every device, and the timelines apply them (see timeline.ts).

import { TernError } from "./errors.js";
import type { ClientFrame, ConvId, Pinned, ServerFrame, Version } from "./protocol.js";

type Request = (frame: ClientFrame) => Promise<ServerFrame>;

export class MessageChanges {
  constructor(
    private readonly request: Request,
    private readonly newCmid: () => string,
  ) {}

  /** Replaces the text of your message at `target` (within the server's `edit_window_s`). */
  edit(conv: ConvId, target: number, text: string): Promise<number[]> {
    return this.change({ type: "edit", conv, target, text });
  }

  /** Recalls your message at `target` (within `recall_window_s`), or any in a group you own. */
  recall(conv: ConvId, target: number): Promise<number[]> {
    return this.change({ type: "recall", conv, target });
  }

  /** Adds (`added`) or takes off your reaction `emoji` (one emoji) on the message at `target`. */
  react(conv: ConvId, target: number, emoji: string, added: boolean): Promise<number[]> {
    return this.change({ type: "react", conv, target, emoji, added });
  }

  /** Pins (`pinned`) or unpins the message at `target`. */
  pin(conv: ConvId, target: number, pinned: boolean): Promise<number[]> {
    return this.change({ type: "pin", conv, target, pinned });
  }

  /** Copies the messages at `seqs` of `from` into `conv`, attributed to their authors. */
  forward(conv: ConvId, from: ConvId, seqs: number[], cmid = this.newCmid().replace(/-/g, "")): Promise<number[]> {
    return this.change({ type: "forward", conv, from, seqs, cmid });
  }

  /** The pinned messages of `conv`, most recently pinned first. */
  async pins(conv: ConvId): Promise<Pinned[]> {
    const reply = await this.request({ type: "pins", conv });
    if (reply.type !== "pins") throw unexpected(reply);
    return reply.pins;
  }

  /** Every version of a message's text, the original first. */
  async versions(conv: ConvId, target: number): Promise<Version[]> {
    const reply = await this.request({ type: "versions", conv, target });
    if (reply.type !== "versions") throw unexpected(reply);
    return reply.versions;
  }

  private async change(frame: ClientFrame): Promise<number[]> {
    const reply = await this.request(frame);
    if (reply.type !== "done") throw unexpected(reply);
    return reply.seqs;
  }
}

function unexpected(reply: ServerFrame): TernError {
  return new TernError("bad_frame", `unexpected ${reply.type}`, false);
}
