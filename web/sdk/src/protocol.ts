// The wire types of tern: generated from crates/proto into wire.ts (never edit that file; run
// `UPDATE_WIRE=1 cargo test -p tern-proto wire`), plus the names and helpers the SDK adds.
// Ids are plain numbers: user, conversation and session ids are integers far below 2^53.
//
// Every value a newer server may add to has a catch-all: a content `type`, an error code, a
// conversation kind and a member role accept any string (`string & {}` in their unions); code
// that meets one it does not know treats it as docs/PROTOCOL.md says (unknown content shown as
// "unsupported", an unknown kind like a group, an unknown role like a member, an unknown error
// code by its message) and never drops the frame. A frame `type` the SDK does not know is ignored.

import type { Content, Event, Forwarded, ServerFrame, SystemEvent } from "./wire.js";

export * from "./wire.js";

export type TextContent = Extract<Content, { type: "text" }>;
export type ImageContent = Extract<Content, { type: "image" }>;
export type FileContent = Extract<Content, { type: "file" }>;
export type VoiceContent = Extract<Content, { type: "voice" }>;
export type VideoContent = Extract<Content, { type: "video" }>;
/** A message that shows an uploaded file. */
export type MediaContent = ImageContent | FileContent | VoiceContent | VideoContent;
export type RecalledContent = Extract<Content, { type: "recalled" }>;
type ChangeContent = Extract<Content, { type: "edit" | "recall" | "reaction" | "pin" }>;

// A content `type` this build knows still matches the catch-all variant in TypeScript's eyes;
// these narrow by checking the fields, never trusting the tag alone.

/** The content as a text message, if it is one. */
export function asText(content: Content): TextContent | undefined {
  return content.type === "text" && typeof (content as { text?: unknown }).text === "string" ? (content as TextContent) : undefined;
}

/** The content as a media message (image, file, voice, video), if it is one. */
export function asMedia(content: Content): MediaContent | undefined {
  const { type } = content;
  if (type !== "image" && type !== "file" && type !== "voice" && type !== "video") return undefined;
  const file = (content as { file?: { id?: unknown } }).file;
  return typeof file?.id === "string" ? (content as MediaContent) : undefined;
}

/** Who wrote the original of a forwarded message (text or media), if it is a forward. */
export function forwardedOf(content: Content): Forwarded | undefined {
  const forwarded = (asText(content) ?? asMedia(content))?.forwarded;
  return forwarded === undefined ? undefined : forwarded;
}

/** The content as what is left of a recalled message, if it is that. */
export function asRecalled(content: Content): RecalledContent | undefined {
  return content.type === "recalled" && typeof (content as { by?: unknown }).by === "number" ? (content as RecalledContent) : undefined;
}

export type HelloFrame = Extract<ServerFrame, { type: "hello" }>;
export type AckFrame = Extract<ServerFrame, { type: "ack" }>;
export type EventFrame = { type: "event" } & Event;
export type SyncFrame = Extract<ServerFrame, { type: "sync" }>;
export type EventsFrame = Extract<ServerFrame, { type: "events" }>;
export type ReadFrame = Extract<ServerFrame, { type: "read" }>;
export type ErrorFrame = Extract<ServerFrame, { type: "error" }>;

/** Whether an event's content makes it count as unread for the other members: a message, or a
 * group announcement (which also counts as mentioning everyone). */
export function countsAsUnread(content: Content): boolean {
  return asText(content) !== undefined || asMedia(content) !== undefined || isAnnouncement(content);
}

/** Whether the content is a group announcement that says something (not one taken down). */
export function isAnnouncement(content: Content): boolean {
  const system = systemEventOf(content);
  return system?.event === "announced" && system.text !== "";
}

/** The text of a text event, or undefined for any other content. */
export function textOf(content: Content): string | undefined {
  return content.type === "text" && typeof content.text === "string" ? content.text : undefined;
}

/** Narrows content to a system event, if it is one of the kinds this build knows. */
export function systemEventOf(content: Content): SystemEvent | undefined {
  if (content.type !== "system") return undefined;
  const known = [
    "group_created",
    "members_added",
    "member_removed",
    "member_left",
    "picture_changed",
    "renamed",
    "description_changed",
    "announced",
    "role_changed",
    "owner_changed",
    "member_muted",
    "member_unmuted",
    "all_muted",
    "nickname_changed",
    "dissolved",
  ];
  const event = (content as { event?: unknown }).event;
  return typeof event === "string" && known.includes(event) ? (content as unknown as SystemEvent) : undefined;
}

/** The seq of the message a change (edit, recall, reaction, pin) applies to; undefined otherwise. */
export function targetOf(content: Content): number | undefined {
  return asChange(content)?.target;
}

function asChange(content: Content): ChangeContent | undefined {
  const { type } = content;
  if (type !== "edit" && type !== "recall" && type !== "reaction" && type !== "pin") return undefined;
  return typeof (content as { target?: unknown }).target === "number" ? (content as ChangeContent) : undefined;
}

/**
 * The message as it stands after `change` (docs/PROTOCOL.md, "Changes to messages"), or
 * undefined when the change does not alter it: a pin (conversation state, not the message's),
 * or a change the message already reflects (its `rev` is at or past the change's seq).
 */
export function applyChange(message: Event, change: Event): Event | undefined {
  const c = asChange(change.content);
  if ((message.rev ?? 0) >= change.seq || c === undefined || c.target !== message.seq) return undefined;
  switch (c.type) {
    case "edit": {
      const text = asText(message.content);
      if (text === undefined) return undefined;
      return { ...message, content: { ...text, text: c.text }, edited: change.ts, rev: change.seq };
    }
    case "recall":
      return { ...message, content: { type: "recalled", by: change.sender }, reactions: undefined, rev: change.seq };
    case "reaction": {
      const reactions = (message.reactions ?? []).map((r) => ({ ...r, users: [...r.users] }));
      const entry = reactions.find((r) => r.emoji === c.emoji);
      if (c.added && entry === undefined) reactions.push({ emoji: c.emoji, users: [change.sender] });
      else if (c.added && entry !== undefined && !entry.users.includes(change.sender)) entry.users.push(change.sender);
      else if (!c.added && entry !== undefined) entry.users = entry.users.filter((u) => u !== change.sender);
      const kept = reactions.filter((r) => r.users.length > 0);
      return { ...message, reactions: kept.length > 0 ? kept : undefined, rev: change.seq };
    }
    default:
      return undefined;
  }
}

/** Whether an event is a message people wrote (shown as a bubble), not a change or system event. */
export function isMessage(content: Content): boolean {
  return asText(content) !== undefined || asMedia(content) !== undefined || asRecalled(content) !== undefined;
}
