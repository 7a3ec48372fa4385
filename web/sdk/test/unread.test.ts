// Exact unread counts, derived from the server's snapshots and from seqs, never from a counter
// the client bumps: duplicates and races cannot make them drift.

import assert from "node:assert/strict";
import { test } from "node:test";
import { postingState } from "../src/index.js";
import { ALICE, BOB, answerSync, connect, eventFrame, harness, summary, text } from "./support/scripted.js";

test("new text from others adds to the summary's count; system events and own messages do not", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 10, 8, 2)]);
  socket.push(eventFrame(text(3, 11, BOB.id)));
  assert.equal(h.client.conversation(3)?.unread, 3);
  socket.push(eventFrame({ ...text(3, 12, BOB.id), cmid: undefined, content: { type: "system", event: "members_added", users: [5] } }));
  assert.equal(h.client.conversation(3)?.unread, 3);
  // Sending moves our read position to our message: everything before is read.
  socket.push(eventFrame(text(3, 13, ALICE.id, "from my phone", "phone-1")));
  assert.equal(h.client.conversation(3)?.unread, 0);
  assert.equal(h.client.conversation(3)?.readSeq, 13);
});

test("an event the summary already counted is not counted again", () => {
  const h = harness();
  h.client.connect();
  const socket = h.net.current;
  socket.push({ type: "hello", user: ALICE, session: 1, server_time: 0, heartbeat_ms: 1, idle_timeout_ms: 1, limits: { max_text_chars: 1, max_frame_bytes: 1, max_page: 100, max_group_members: 10000, max_users_per_request: 1000 } });
  // The summary was taken after seq 11 was committed, but the live event arrives after it.
  answerSync(socket, "v1.1", [summary(3, 11, 9, 2)]);
  socket.push(eventFrame(text(3, 11, BOB.id)));
  socket.push(eventFrame(text(3, 11, BOB.id)));
  assert.equal(h.client.conversation(3)?.unread, 2);
});

test("a read frame from another device moves the position and sets the count", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 10, 5, 5)]);
  socket.push({ type: "read", conv: 3, read_seq: 8, unread: 2 });
  assert.equal(h.client.conversation(3)?.unread, 2);
  assert.deepEqual(h.seen.read.at(-1), { conv: 3, readSeq: 8, unread: 2 });
  socket.push(eventFrame(text(3, 11, BOB.id)));
  assert.equal(h.client.conversation(3)?.unread, 3);
  socket.push({ type: "read", conv: 3, read_seq: 6, unread: 4 });
  assert.equal(h.client.conversation(3)?.readSeq, 8, "read positions only move forward");
  assert.equal(h.client.conversation(3)?.unread, 3);
  socket.push({ type: "read", conv: 3, read_seq: 11, unread: 0 });
  assert.equal(h.client.conversation(3)?.unread, 0);
});

test("marking part of the unread messages read derives the rest from the loaded timeline", async () => {
  const h = harness({ historyPageSize: 50 });
  const socket = connect(h, [summary(3, 6, 2, 4)]);
  const opened = h.client.openTimeline(3);
  const history = socket.last("history");
  assert.deepEqual({ before: history.before, limit: history.limit }, { before: 7, limit: 6 }, "no more than there is");
  socket.push({ type: "events", rid: history.rid, conv: 3, events: [1, 2, 3, 4, 5, 6].map((s) => text(3, s, BOB.id)), has_more: false });
  await opened;
  const read = h.client.markRead(3, 4);
  assert.equal(h.client.conversation(3)?.unread, 2, "at once, from seqs 5 and 6");
  const frame = socket.last("read");
  assert.deepEqual({ conv: frame.conv, seq: frame.seq }, { conv: 3, seq: 4 });
  socket.push({ type: "read", rid: frame.rid, conv: 3, read_seq: 4, unread: 2 });
  await read;
  assert.equal(h.client.conversation(3)?.unread, 2);
  assert.equal(socket.framesOf("read").length, 1);
  await h.client.markRead(3, 3);
  assert.equal(socket.framesOf("read").length, 1, "marking an older position read is a no-op");
});

test("a newer summary replaces the base; a stale one cannot lower the read position", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 4, 4, 0)]);
  socket.push({ type: "read", conv: 3, read_seq: 4, unread: 0 });
  socket.push(eventFrame(text(3, 5, BOB.id)));
  socket.push(eventFrame(text(3, 6, BOB.id)));
  assert.equal(h.client.conversation(3)?.unread, 2);
  socket.push({ type: "resync" });
  answerSync(socket, "v1.2", [summary(3, 6, 6, 0)]);
  assert.equal(h.client.conversation(3)?.unread, 0);
  socket.push({ type: "resync" });
  answerSync(socket, "v1.3", [summary(3, 6, 4, 2)]);
  assert.equal(h.client.conversation(3)?.readSeq, 6);
  assert.equal(h.client.conversation(3)?.unread, 0);
});

test("being added to a group starts with its earlier history read", () => {
  const h = harness();
  const socket = connect(h, [summary(9, 3, 0, 2, { kind: "group", name: "G", active: false })]);
  socket.push(eventFrame({ ...text(9, 4, BOB.id), cmid: undefined, content: { type: "system", event: "members_added", users: [ALICE.id] } }));
  assert.equal(h.client.conversation(9)?.active, true);
  assert.equal(h.client.conversation(9)?.unread, 0);
  socket.push(eventFrame({ ...text(9, 5, BOB.id), cmid: undefined, content: { type: "system", event: "member_removed", user: ALICE.id } }));
  assert.equal(h.client.conversation(9)?.active, false);
});

test("the list is sorted by activity and the total adds up", () => {
  const h = harness();
  const older = { ...text(3, 1, BOB.id), ts: 100 };
  const newer = { ...text(4, 1, BOB.id), ts: 200 };
  connect(h, [summary(3, 1, 0, 1, { last_event: older }), summary(4, 1, 0, 1, { last_event: newer })]);
  assert.deepEqual(h.client.conversations().map((c) => c.id), [4, 3]);
  assert.equal(h.client.totalUnread(), 2);
  h.net.current.push(eventFrame({ ...text(3, 2, BOB.id), ts: 300 }));
  assert.deepEqual(h.client.conversations().map((c) => c.id), [3, 4]);
  assert.equal(h.client.totalUnread(), 3);
});

test("a group's picture follows its summary and the picture_changed events, which are not unread", () => {
  const h = harness();
  const picture = "a".repeat(32);
  const socket = connect(h, [summary(9, 3, 3, 0, { kind: "group", name: "Club", peer: undefined, avatar: picture })]);
  assert.equal(h.client.conversation(9)?.avatar, picture);
  socket.push(eventFrame({ ...text(9, 4, BOB.id), cmid: undefined, content: { type: "system", event: "picture_changed" } }));
  assert.equal(h.client.conversation(9)?.avatar, undefined, "removed");
  const next = "b".repeat(32);
  socket.push(eventFrame({ ...text(9, 5, BOB.id), cmid: undefined, content: { type: "system", event: "picture_changed", avatar: next } }));
  assert.equal(h.client.conversation(9)?.avatar, next);
  assert.equal(h.client.conversation(9)?.unread, 0);
});

test("administration events keep your role and mutes; an announcement is unread and mentions you", () => {
  const h = harness();
  const socket = connect(h, [summary(9, 3, 3, 0, { kind: "group", name: "Club", peer: undefined, all_muted: true })]);
  const system = (seq: number, sender: number, content: Record<string, unknown>) =>
    eventFrame({ ...text(9, seq, sender), cmid: undefined, content: { type: "system", ...content } as never });
  const view = () => h.client.conversation(9);
  assert.equal(postingState(view()!, 0), "all_muted");
  socket.push(system(4, BOB.id, { event: "role_changed", user: ALICE.id, role: "admin" }));
  assert.equal(view()?.role, "admin");
  assert.equal(postingState(view()!, 0), "ok", "admins post while everyone is muted");
  socket.push(system(5, BOB.id, { event: "member_muted", user: ALICE.id, until: 5_000 }));
  assert.equal(postingState(view()!, 4_999), "muted");
  assert.equal(postingState(view()!, 5_000), "ok", "a timed mute ends by itself");
  socket.push(system(6, BOB.id, { event: "member_muted", user: ALICE.id }));
  assert.equal(postingState(view()!, Date.now()), "muted", "until lifted");
  socket.push(system(7, BOB.id, { event: "member_unmuted", user: ALICE.id }));
  socket.push(system(8, BOB.id, { event: "renamed", name: "Chess club" }));
  assert.equal(view()?.name, "Chess club");
  assert.equal(view()?.unread, 0, "administration is not news");
  socket.push(system(9, BOB.id, { event: "announced", text: "Friday 3pm" }));
  assert.deepEqual([view()?.unread, view()?.unreadMentions], [1, 1]);
  socket.push(system(10, BOB.id, { event: "announced", text: "" }));
  assert.equal(view()?.unread, 1, "taking it down is not news either");
  socket.push(system(11, BOB.id, { event: "dissolved" }));
  assert.equal(postingState(view()!, 0), "inactive");
});
