// The wire types of tern: generated from crates/proto into wire.ts (never edit that file; run
// `UPDATE_WIRE=1 cargo test -p tern-proto wire`), plus the names and helpers the SDK adds.
// Ids are plain numbers: user, conversation and session ids are integers far below 2^53.
//
// Every value a newer server may add to has a catch-all: a content `type`, an error code, a
// conversation kind and a member role accept any string (`string & {}` in their unions); code
// that meets one it does not know treats it as docs/PROTOCOL.md says (unknown content shown as
// "unsupported", an unknown kind like a group, an unknown role like a member, an unknown error
// code by its message) and never drops the frame. A frame `type` the SDK does not know is ignored.

import type { Content, Event, ServerFrame, SystemEvent } from "./wire.js";

export * from "./wire.js";

export type TextContent = Extract<Content, { type: "text" }>;

export type HelloFrame = Extract<ServerFrame, { type: "hello" }>;
export type AckFrame = Extract<ServerFrame, { type: "ack" }>;
export type EventFrame = { type: "event" } & Event;
export type SyncFrame = Extract<ServerFrame, { type: "sync" }>;
export type EventsFrame = Extract<ServerFrame, { type: "events" }>;
export type ReadFrame = Extract<ServerFrame, { type: "read" }>;
export type ErrorFrame = Extract<ServerFrame, { type: "error" }>;

/** Whether an event's content makes it count as unread for the other members. */
export function countsAsUnread(content: Content): boolean {
  return content.type === "text";
}

/** The text of a text event, or undefined for any other content. */
export function textOf(content: Content): string | undefined {
  return content.type === "text" && typeof content.text === "string" ? content.text : undefined;
}

/** Narrows content to a system event, if it is one of the kinds this build knows. */
export function systemEventOf(content: Content): SystemEvent | undefined {
  if (content.type !== "system") return undefined;
  const known = ["group_created", "members_added", "member_removed", "member_left"];
  const event = (content as { event?: unknown }).event;
  return typeof event === "string" && known.includes(event) ? (content as unknown as SystemEvent) : undefined;
}
