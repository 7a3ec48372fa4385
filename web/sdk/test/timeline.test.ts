// Timelines: the newest page on open, older pages on demand, live and caught-up events
// appended, never a hole or a repeat.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Timeline } from "../src/timeline.js";
import { BOB, answerSync, connect, eventFrame, harness, hello, summary, text } from "./support/scripted.js";

test("opening loads the newest page, then older pages until the beginning", async () => {
  const h = harness({ historyPageSize: 3 });
  const socket = connect(h, [summary(3, 7, 7, 0)]);
  const opened = h.client.openTimeline(3);
  let history = socket.last("history");
  assert.equal(history.before, 8);
  socket.push({ type: "events", rid: history.rid, conv: 3, events: [5, 6, 7].map((s) => text(3, s, BOB.id)), has_more: true });
  await opened;
  assert.deepEqual(h.client.timeline(3)?.events.map((e) => e.seq), [5, 6, 7]);
  assert.equal(h.client.timeline(3)?.hasOlder, true);

  const older = h.client.loadOlder(3);
  assert.equal(h.client.timeline(3)?.loadingOlder, true);
  history = socket.last("history");
  assert.equal(history.before, 5);
  socket.push({ type: "events", rid: history.rid, conv: 3, events: [2, 3, 4].map((s) => text(3, s, BOB.id)), has_more: true });
  assert.equal(await older, true);
  const last = h.client.loadOlder(3);
  history = socket.last("history");
  socket.push({ type: "events", rid: history.rid, conv: 3, events: [text(3, 1, BOB.id)], has_more: false });
  assert.equal(await last, false);
  assert.deepEqual(h.client.timeline(3)?.events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(h.client.timeline(3)?.hasOlder, false);
});

test("opening reaches back as far as asked, in pages of at most the server's max, and says so until done", async () => {
  const h = harness({ historyPageSize: 3 });
  const socket = connect(h, [summary(3, 250, 100, 150), summary(4, 10, 10, 0)]);
  const opened = h.client.openTimeline(3, 170);
  const page = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => text(3, from + i, BOB.id));
  let history = socket.last("history");
  assert.deepEqual([history.before, history.limit], [251, 100], "hello said max_page is 100");
  assert.equal(h.client.timeline(3)?.opening, true);
  socket.push({ type: "events", rid: history.rid, conv: 3, events: page(151, 250), has_more: true });
  await new Promise((r) => setImmediate(r));
  history = socket.last("history");
  assert.deepEqual([history.before, history.limit], [151, 70], "only what is still missing");
  assert.equal(h.client.timeline(3)?.opening, true, "still opening between pages");
  socket.push({ type: "events", rid: history.rid, conv: 3, events: page(81, 150), has_more: true });
  await opened;
  assert.equal(h.client.timeline(3)?.opening, false);
  assert.equal(h.client.timeline(3)?.events[0]?.seq, 81);
  assert.equal(socket.framesOf("history").length, 2);

  void h.client.openTimeline(4, 30);
  assert.equal(socket.last("history").limit, 10, "no more than there is");
});

test("opening stops at a failed page instead of retrying forever", async () => {
  const h = harness({ historyPageSize: 3 });
  const socket = connect(h, [summary(3, 250, 100, 150)]);
  const problems: Error[] = [];
  h.client.on("problem", (e) => problems.push(e));
  const opened = h.client.openTimeline(3, 170);
  socket.push({ type: "error", rid: socket.last("history").rid, code: "internal", message: "boom", retryable: false });
  await opened;
  assert.equal(h.client.timeline(3)?.opening, false);
  assert.equal(socket.framesOf("history").length, 1);
  assert.equal(problems.length, 1);
});

test("events arriving while the first page loads are kept, in order, without repeats", async () => {
  const h = harness();
  const socket = connect(h, [summary(3, 2, 2, 0)]);
  const opened = h.client.openTimeline(3);
  const history = socket.last("history");
  socket.push(eventFrame(text(3, 3, BOB.id)));
  socket.push({ type: "events", rid: history.rid, conv: 3, events: [1, 2].map((s) => text(3, s, BOB.id)), has_more: false });
  await opened;
  assert.deepEqual(h.client.timeline(3)?.events.map((e) => e.seq), [1, 2, 3]);
});

test("a timeline asked for before its conversation is known opens once the sync says where it stands", async () => {
  const h = harness();
  h.client.connect();
  void h.client.openTimeline(3);
  assert.equal(h.client.timeline(3), undefined);
  const socket = h.net.current;
  socket.push(hello());
  answerSync(socket, "v1.1", [summary(3, 2, 2, 0)]);
  await Promise.resolve();
  assert.ok(h.client.timeline(3));
  assert.equal(socket.last("history").before, 3);
});

test("an empty conversation has nothing older to load", async () => {
  const h = harness();
  const socket = connect(h, [summary(3, 0, 0, 0)]);
  await h.client.openTimeline(3);
  assert.equal(socket.framesOf("history").length, 0);
  assert.deepEqual(h.client.timeline(3)?.events, []);
  socket.push(eventFrame(text(3, 1, BOB.id)));
  assert.deepEqual(h.client.timeline(3)?.events.map((e) => e.seq), [1]);
});

test("Timeline.prepend keeps only what extends the window without a hole; trim bounds it", () => {
  const t = new Timeline(3, 10);
  t.append(text(3, 11, BOB.id));
  t.prepend([text(3, 7, BOB.id), text(3, 9, BOB.id), text(3, 10, BOB.id), text(3, 11, BOB.id)], true);
  assert.deepEqual(t.events.map((e) => e.seq), [9, 10, 11], "7 would leave a hole at 8");
  assert.equal(t.startSeq, 9);
  t.trim(2);
  assert.deepEqual(t.events.map((e) => e.seq), [10, 11]);
  assert.equal(t.hasOlder, true);
  assert.equal(t.countUnread(8, 11, 1), undefined, "seq 9 was trimmed away");
  assert.equal(t.countUnread(9, 11, 1)?.unread, 2);
  assert.equal(t.countUnread(9, 11, BOB.id)?.unread, 0, "own messages never count");
});
