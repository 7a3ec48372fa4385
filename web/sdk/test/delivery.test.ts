// Exactly-once, in-order delivery: dedupe by seq, gap repair with buffering, catch-up after a
// reconnect, and the rule that a sync token is kept only once its catch-up completed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { BOB, answerSync, connect, eventFrame, harness, hello, seqs, summary, text } from "./support/scripted.js";

test("the first sync lists conversations and tracks them from their last seq", () => {
  const h = harness();
  h.client.connect();
  assert.equal(h.client.status, "connecting");
  const socket = h.net.current;
  assert.equal(socket.url, "ws://tern.test/ws?token=tern_test");
  socket.push(hello());
  assert.equal(h.client.status, "syncing");
  assert.deepEqual(socket.last("sync").since, undefined, "no token on the first sync");
  answerSync(socket, "v1.5", [summary(3, 40, 38, 2)]);
  assert.equal(h.client.status, "online");
  assert.equal(h.seen.synced.length, 1);
  assert.equal(h.client.syncToken, "v1.5");
  assert.equal(h.client.conversation(3)?.unread, 2);
  assert.equal(socket.framesOf("fetch").length, 0, "old history is paged in on demand, not fetched");
});

test("live events are delivered once, in order; repeats are dropped by seq", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 10, 10, 0)]);
  socket.push(eventFrame(text(3, 11, BOB.id)));
  socket.push(eventFrame(text(3, 11, BOB.id)));
  socket.push(eventFrame(text(3, 10, BOB.id)));
  socket.push(eventFrame(text(3, 12, BOB.id)));
  assert.deepEqual(seqs(h.seen.event), [11, 12]);
  assert.equal(socket.framesOf("fetch").length, 0);
});

test("a gap is repaired: later live events wait in a buffer while the missing range is fetched", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 5, 5, 0)]);
  socket.push(eventFrame(text(3, 8, BOB.id)));
  const fetch = socket.last("fetch");
  assert.deepEqual({ conv: fetch.conv, after: fetch.after }, { conv: 3, after: 5 });
  socket.push(eventFrame(text(3, 9, BOB.id)));
  assert.deepEqual(seqs(h.seen.event), [], "nothing is delivered out of order");
  socket.push({ type: "events", rid: fetch.rid, conv: 3, events: [6, 7, 8, 9].map((s) => text(3, s, BOB.id)), has_more: false });
  assert.deepEqual(seqs(h.seen.event), [6, 7, 8, 9], "the buffered copies of 8 and 9 are not repeated");
  socket.push(eventFrame(text(3, 10, BOB.id)));
  assert.deepEqual(seqs(h.seen.event), [6, 7, 8, 9, 10]);
});

test("gaps in different conversations are repaired independently", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 1, 1, 0), summary(4, 1, 1, 0)]);
  socket.push(eventFrame(text(3, 3, BOB.id)));
  socket.push(eventFrame(text(4, 2, BOB.id)));
  assert.deepEqual(seqs(h.seen.event, 4), [2], "conversation 4 is not held up by 3's gap");
  const fetch = socket.last("fetch");
  socket.push({ type: "events", rid: fetch.rid, conv: 3, events: [text(3, 2, BOB.id), text(3, 3, BOB.id)], has_more: false });
  assert.deepEqual(seqs(h.seen.event, 3), [2, 3]);
});

test("a catch-up fetches page after page until has_more is false", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 2, 2, 0)]);
  h.client.dropConnection();
  h.timers.advance(1_000);
  const again = h.net.current;
  assert.notEqual(again, socket);
  again.push(hello());
  answerSync(again, "v1.9", [summary(3, 6, 2, 4)]);
  const first = again.last("fetch");
  assert.equal(first.after, 2);
  assert.equal(first.limit, 100, "pages as large as the server allows");
  again.push({ type: "events", rid: first.rid, conv: 3, events: [3, 4].map((s) => text(3, s, BOB.id)), has_more: true });
  const second = again.last("fetch");
  assert.equal(second.after, 4);
  assert.equal(h.client.syncToken, "v1.1", "not adopted while the catch-up runs");
  again.push({ type: "events", rid: second.rid, conv: 3, events: [5, 6].map((s) => text(3, s, BOB.id)), has_more: false });
  assert.deepEqual(seqs(h.seen.event), [3, 4, 5, 6]);
  assert.equal(h.client.syncToken, "v1.9");
  assert.equal(h.client.status, "online");
});

test("a connection lost mid catch-up resumes from the old token, and nothing is skipped", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 2, 2, 0)], "v1.1");
  socket.serverClose(1012);
  h.timers.advance(1_000);
  let s = h.net.current;
  s.push(hello());
  assert.equal(s.last("sync").since, "v1.1");
  answerSync(s, "v1.2", [summary(3, 4, 2, 2)]);
  const fetch = s.last("fetch");
  s.push({ type: "events", rid: fetch.rid, conv: 3, events: [text(3, 3, BOB.id)], has_more: true });
  s.serverClose(1006);
  h.timers.advance(2_000);
  s = h.net.current;
  s.push(hello());
  assert.equal(s.last("sync").since, "v1.1", "the half-done catch-up's token was not kept");
  answerSync(s, "v1.3", [summary(3, 4, 2, 2)]);
  assert.equal(s.last("fetch").after, 3, "resumes after what was delivered");
  s.push({ type: "events", rid: s.last("fetch").rid, conv: 3, events: [text(3, 4, BOB.id)], has_more: false });
  assert.deepEqual(seqs(h.seen.event), [3, 4]);
  assert.equal(h.client.syncToken, "v1.3");
});

test("the resync frame runs a sync with the current token", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 2, 2, 0)], "v1.4");
  const before = socket.framesOf("sync").length;
  socket.push({ type: "resync" });
  assert.equal(socket.framesOf("sync").length, before + 1);
  assert.equal(socket.last("sync").since, "v1.4");
  answerSync(socket, "v1.5", [summary(3, 3, 2, 1)]);
  socket.push({ type: "events", rid: socket.last("fetch").rid, conv: 3, events: [text(3, 3, BOB.id)], has_more: false });
  assert.deepEqual(seqs(h.seen.event), [3]);
  assert.equal(h.client.syncToken, "v1.5");
});

test("a resync during a sync is run right after it", () => {
  const h = harness();
  h.client.connect();
  const socket = h.net.current;
  socket.push(hello());
  socket.push({ type: "resync" });
  assert.equal(socket.framesOf("sync").length, 1, "one sync at a time");
  answerSync(socket, "v1.1", []);
  assert.equal(socket.framesOf("sync").length, 2);
  assert.equal(socket.last("sync").since, "v1.1");
});

test("events of a conversation not yet known wait for the sync that introduces it", () => {
  const h = harness();
  const socket = connect(h, []);
  socket.push(eventFrame({ ...text(9, 1, BOB.id), content: { type: "system", event: "group_created", name: "Team", members: [2, 1] } }));
  socket.push(eventFrame(text(9, 2, BOB.id)));
  assert.deepEqual(h.seen.event, []);
  const sync = socket.last("sync");
  assert.equal(sync.since, "v1.1");
  socket.push({ type: "sync", rid: sync.rid, token: "v1.2", conversations: [summary(9, 2, 1, 1, { kind: "group", name: "Team" })] });
  assert.equal(h.client.syncToken, "v1.1", "not caught up yet");
  // Delivered from the first live event on, through a fetch that covers anything in between.
  const fetch = socket.last("fetch");
  assert.deepEqual({ conv: fetch.conv, after: fetch.after }, { conv: 9, after: 0 });
  socket.push({ type: "events", rid: fetch.rid, conv: 9, events: [], has_more: false });
  assert.deepEqual(seqs(h.seen.event), [1, 2]);
  assert.equal(h.client.syncToken, "v1.2");
  assert.equal(h.client.conversation(9)?.unread, 1);
});

test("a refused catch-up fetch (removed meanwhile) does not block the sync", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 1, 1, 0)]);
  socket.push({ type: "resync" });
  answerSync(socket, "v1.2", [summary(3, 3, 1, 1)]);
  const fetch = socket.last("fetch");
  socket.push({ type: "error", rid: fetch.rid, code: "not_member", message: "no", retryable: false });
  assert.equal(h.client.syncToken, "v1.2");
});

test("a catch-up fetch refused for a passing reason is tried again, even with no event to follow", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 1, 1, 0)]);
  socket.push({ type: "resync" });
  answerSync(socket, "v1.2", [summary(3, 3, 1, 1)]);
  const fetch = socket.last("fetch");
  socket.push({ type: "error", rid: fetch.rid, code: "unavailable", message: "restarting", retryable: true });
  // Nothing else arrives for this conversation; the next tick asks again.
  h.timers.advance(1_000);
  answerSync(socket, "v1.3", [summary(3, 3, 1, 1)]);
  const again = socket.last("fetch");
  assert.notEqual(again.rid, fetch.rid);
  socket.push({ type: "events", rid: again.rid, conv: 3, events: [text(3, 2, BOB.id), text(3, 3, BOB.id)], has_more: false });
  assert.deepEqual(seqs(h.seen.event, 3), [2, 3]);
});

test("a sync token the server does not know is dropped and a full sync follows", () => {
  const h = harness();
  const socket = connect(h, [], "v1.1");
  h.client.resync();
  const sync = socket.last("sync");
  socket.push({ type: "error", rid: sync.rid, code: "bad_request", message: "sync token is not one this server issued", retryable: false });
  h.timers.advance(1_000);
  assert.equal(socket.last("sync").since, undefined);
});

test("unknown content types are delivered, never dropped or fatal", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 1, 1, 0)]);
  socket.push(eventFrame({ ...text(3, 2, BOB.id), content: { type: "hologram", size: 3 } }));
  socket.push({ type: "brand_new_frame", x: 1 });
  socket.push(eventFrame(text(3, 3, BOB.id)));
  assert.deepEqual(seqs(h.seen.event), [2, 3]);
  assert.equal(h.client.conversation(3)?.unread, 1, "only text counts as unread");
});
