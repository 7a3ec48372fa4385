// The outbox: sends are resent until acknowledged, across reconnects and page reloads, with the
// same cmid (so the server stores each once); refusals mark them failed, with retry and discard.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Ack } from "../src/client.js";
import { MemoryStorage } from "../src/storage.js";
import { ALICE, BOB, answerSync, connect, eventFrame, harness, hello, seqs, summary, text } from "./support/scripted.js";

function ackFor(rid: number | undefined, cmid: string, seq: number, duplicate = false) {
  return { type: "ack" as const, rid, conv: 3, cmid, seq, id: `id-${seq}`, ts: 1_700_000_000_100 + seq, duplicate };
}

test("a send is written at once, and its ack delivers it as the next event", async () => {
  const h = harness();
  const socket = connect(h, [summary(3, 4, 4, 0)]);
  const { cmid, acked } = h.client.sendText(3, "hello");
  const send = socket.last("send");
  assert.deepEqual({ conv: send.conv, cmid: send.cmid, content: send.content }, { conv: 3, cmid, content: { type: "text", text: "hello" } });
  assert.equal(h.client.pending(3).length, 1);
  socket.push(ackFor(send.rid, cmid, 5));
  const ack: Ack = await acked;
  assert.equal(ack.seq, 5);
  assert.deepEqual(seqs(h.seen.event), [5]);
  assert.equal(h.seen.event[0]?.sender, ALICE.id);
  assert.equal(h.client.pending().length, 0);
  assert.equal(h.storage.getItem("tern.outbox"), null, "nothing left in storage");
});

test("sends made while disconnected queue up and go out, in order, once connected", () => {
  const h = harness();
  h.client.connect();
  h.client.sendText(3, "one");
  h.client.sendText(3, "two");
  const socket = h.net.current;
  assert.equal(socket.framesOf("send").length, 0, "nothing written before hello");
  socket.push(hello());
  assert.deepEqual(socket.framesOf("send").map((f) => f.cmid), ["c-1", "c-2"]);
});

test("an unacknowledged send is resent with the same cmid after a reconnect", () => {
  const h = harness();
  let socket = connect(h, [summary(3, 4, 4, 0)]);
  const { cmid } = h.client.sendText(3, "lost ack");
  socket.serverClose(1006);
  h.timers.advance(1_000);
  socket = h.net.current;
  socket.push(hello());
  const resent = socket.last("send");
  assert.equal(resent.cmid, cmid);
  answerSync(socket, "v1.2", [summary(3, 5, 5, 0)]);
  // The first attempt was stored: the server answers the resend with the original.
  socket.push(ackFor(resent.rid, cmid, 5, true));
  assert.equal(h.client.pending().length, 0);
  assert.deepEqual(seqs(h.seen.event), [], "seq 5 is already covered by the summary");
});

test("an unanswered send is written again on the same connection after resendAfterMs", () => {
  const h = harness({ resendAfterMs: 5_000 });
  const socket = connect(h, [summary(3, 4, 4, 0)]);
  h.client.sendText(3, "slow");
  h.timers.advance(4_000);
  assert.equal(socket.framesOf("send").length, 1);
  h.timers.advance(1_500);
  assert.equal(socket.framesOf("send").length, 2);
  assert.equal(socket.framesOf("send")[0]?.cmid, socket.framesOf("send")[1]?.cmid);
});

test("pending sends survive a reload: a new client on the same storage resends them", () => {
  const storage = new MemoryStorage();
  const first = harness({ storage, outboxKey: "tern.outbox.1" });
  connect(first, [summary(3, 4, 4, 0)]);
  const { cmid } = first.client.sendText(3, "typed just before the reload");
  first.client.close();
  assert.notEqual(storage.getItem("tern.outbox.1"), null);

  const second = harness({ storage, outboxKey: "tern.outbox.1" });
  assert.deepEqual(second.client.pending(3).map((p) => p.cmid), [cmid], "shown as pending before connecting");
  second.client.connect();
  const socket = second.net.current;
  socket.push(hello());
  const resent = socket.last("send");
  assert.equal(resent.cmid, cmid);
  answerSync(socket, "v1.1", [summary(3, 4, 4, 0)]);
  socket.push(ackFor(resent.rid, cmid, 5));
  assert.deepEqual(seqs(second.seen.event), [5]);
  assert.equal(storage.getItem("tern.outbox.1"), null);
});

test("two tabs sharing storage do not erase each other's pending sends", () => {
  const storage = new MemoryStorage();
  const a = harness({ storage, newCmid: () => "from-a" });
  const b = harness({ storage, newCmid: () => "from-b" });
  a.client.sendText(3, "a");
  b.client.sendText(3, "b");
  b.client.discard("from-b");
  const stored = JSON.parse(storage.getItem("tern.outbox") ?? "{}") as { pending: { cmid: string }[] };
  assert.deepEqual(stored.pending.map((p) => p.cmid), ["from-a"]);
});

test("a refused send is marked failed; retry resends the same cmid; discard drops it", async () => {
  const h = harness();
  const socket = connect(h, [summary(3, 4, 4, 0)]);
  const { cmid, acked } = h.client.sendText(3, "x".repeat(10));
  const send = socket.last("send");
  socket.push({ type: "error", rid: send.rid, code: "not_member", message: "not a member", retryable: false });
  await assert.rejects(acked, { code: "not_member" });
  assert.equal(h.client.pending(3)[0]?.state, "failed");
  assert.equal(h.client.pending(3)[0]?.error?.code, "not_member");
  h.timers.advance(15_000);
  assert.equal(socket.framesOf("send").length, 1, "failed sends are not resent on their own");

  const again = h.client.retry(cmid);
  assert.ok(again);
  assert.equal(h.client.pending(3)[0]?.state, "sending");
  assert.equal(socket.last("send").cmid, cmid);
  socket.push(ackFor(socket.last("send").rid, cmid, 5));
  assert.equal((await again).seq, 5);

  const other = h.client.sendText(3, "never mind");
  socket.push({ type: "error", rid: socket.last("send").rid, code: "text_too_long", message: "long", retryable: false });
  h.client.discard(other.cmid);
  assert.equal(h.client.pending().length, 0);
});

test("a retryable refusal (unavailable) is retried after the resend interval", () => {
  const h = harness({ resendAfterMs: 3_000 });
  const socket = connect(h, [summary(3, 4, 4, 0)]);
  h.client.sendText(3, "busy server");
  socket.push({ type: "error", rid: socket.last("send").rid, code: "unavailable", message: "busy", retryable: true });
  assert.equal(h.client.pending(3)[0]?.state, "sending");
  h.timers.advance(3_500);
  assert.equal(socket.framesOf("send").length, 2);
});

test("our message arriving as an event (catch-up) settles the pending send", async () => {
  const h = harness();
  const socket = connect(h, [summary(3, 4, 4, 0)]);
  const { cmid, acked } = h.client.sendText(3, "raced");
  socket.serverClose(1006);
  h.timers.advance(1_000);
  const s = h.net.current;
  s.push(hello());
  answerSync(s, "v1.2", [summary(3, 6, 5, 1)]);
  const fetch = s.last("fetch");
  s.push({ type: "events", rid: fetch.rid, conv: 3, events: [text(3, 5, ALICE.id, "raced", cmid), text(3, 6, BOB.id)], has_more: false });
  assert.equal((await acked).seq, 5);
  assert.equal(h.client.pending().length, 0);
  // The resend written at hello is answered as a duplicate later: nothing happens twice.
  s.push(ackFor(s.last("send").rid, cmid, 5, true));
  assert.deepEqual(seqs(h.seen.event), [5, 6]);
});

test("an ack whose seq skips ahead triggers a gap repair before it is delivered", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 4, 4, 0)]);
  const { cmid } = h.client.sendText(3, "mine");
  socket.push(ackFor(socket.last("send").rid, cmid, 6));
  assert.deepEqual(seqs(h.seen.event), []);
  const fetch = socket.last("fetch");
  assert.equal(fetch.after, 4);
  socket.push({ type: "events", rid: fetch.rid, conv: 3, events: [text(3, 5, BOB.id), text(3, 6, ALICE.id, "mine", cmid)], has_more: false });
  assert.deepEqual(seqs(h.seen.event), [5, 6]);
  socket.push(eventFrame(text(3, 7, BOB.id)));
  assert.deepEqual(seqs(h.seen.event), [5, 6, 7]);
});
