// The connection's life: reconnect with exponential backoff and jitter, close codes (4001 stops
// for good, the others reconnect), the liveness probe, the hello timeout, going offline.

import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay } from "../src/timers.js";
import { connect, harness, hello, summary } from "./support/scripted.js";

test("backoff doubles per failure up to the cap, with 50-100% jitter", () => {
  const min = 250;
  const max = 15_000;
  assert.equal(backoffDelay(1, min, max, () => 0), 250);
  assert.equal(backoffDelay(1, min, max, () => 0.999999), 500);
  assert.equal(backoffDelay(3, min, max, () => 0.5), 1_500);
  assert.equal(backoffDelay(10, min, max, () => 0.999999), 15_000);
  assert.equal(backoffDelay(60, min, max, () => 0), 7_500, "no overflow for long outages");
});

test("failed attempts back off further and further; a healthy connection resets the backoff", () => {
  const h = harness({ minBackoffMs: 100, maxBackoffMs: 10_000 });
  connect(h, []);
  // random() is 0.5 in the harness: 75% of 100·2^n.
  for (const delay of [150, 300, 600, 1_200]) {
    h.net.current.serverClose(1011);
    const count = h.net.sockets.length;
    h.timers.advance(delay - 1);
    assert.equal(h.net.sockets.length, count, `no attempt before ${delay} ms`);
    h.timers.advance(1);
    assert.equal(h.net.sockets.length, count + 1, `an attempt at ${delay} ms`);
  }
  const socket = h.net.current;
  socket.push(hello());
  socket.push({ type: "sync", rid: socket.last("sync").rid, token: "v1.2", conversations: [] });
  socket.serverClose(1012);
  assert.ok(h.timers.pendingDelays().includes(150), "back to the first step after a completed catch-up");
});

test("4001 stops reconnecting and reports the logout; pending work is failed", async () => {
  const h = harness();
  const socket = connect(h, [summary(3, 1, 1, 0)]);
  const history = h.client.history(3, undefined, 10);
  socket.serverClose(4001);
  await assert.rejects(history, { code: "logged_out" });
  assert.equal(h.client.status, "logged_out");
  assert.equal(h.seen.loggedOut.length, 1);
  h.timers.advance(600_000);
  assert.equal(h.net.sockets.length, 1, "never reconnects with a refused token");
});

test("an unauthorized error before hello is a logout too", () => {
  const h = harness();
  h.client.connect();
  h.net.current.push({ type: "error", code: "unauthorized", message: "unknown token", retryable: false });
  assert.equal(h.client.status, "logged_out");
  assert.equal(h.seen.loggedOut[0]?.reason, "unknown token");
  h.net.current.serverClose(4001);
  assert.equal(h.seen.loggedOut.length, 1);
});

for (const code of [1000, 1006, 1009, 1011, 1012, 1013, 4002, 4008]) {
  test(`close ${code} reconnects and catches up`, () => {
    const h = harness();
    connect(h, [summary(3, 1, 1, 0)]);
    h.net.current.serverClose(code);
    assert.equal(h.client.status, "reconnecting");
    h.timers.advance(1_000);
    assert.equal(h.net.sockets.length, 2);
    h.net.current.push(hello());
    assert.equal(h.net.current.last("sync").since, "v1.1");
  });
}

test("a silent connection is probed with ping and dropped when nothing answers", () => {
  const h = harness({ pingIntervalMs: 20_000, pongTimeoutMs: 5_000 });
  const socket = connect(h, []);
  h.timers.advance(19_000);
  assert.equal(socket.framesOf("ping").length, 0);
  h.timers.advance(2_000);
  assert.equal(socket.framesOf("ping").length, 1);
  socket.push({ type: "pong", rid: socket.last("ping").rid });
  h.timers.advance(10_000);
  assert.equal(h.net.sockets.length, 1, "an answered ping keeps the connection");
  h.timers.advance(15_000);
  assert.equal(socket.framesOf("ping").length, 2);
  h.timers.advance(5_000);
  assert.equal(h.client.status, "reconnecting");
  assert.ok(socket.closedByClient !== undefined);
});

test("no hello within the timeout: the attempt is abandoned and retried", () => {
  const h = harness({ helloTimeoutMs: 3_000 });
  h.client.connect();
  h.timers.advance(3_000);
  assert.equal(h.client.status, "reconnecting");
  h.timers.advance(1_000);
  assert.equal(h.net.sockets.length, 2);
});

test("goOffline stays offline, keeps sends queued, and goOnline catches up", () => {
  const h = harness();
  connect(h, [summary(3, 1, 1, 0)]);
  h.client.goOffline();
  assert.equal(h.client.status, "offline");
  h.client.sendText(3, "later");
  h.timers.advance(120_000);
  assert.equal(h.net.sockets.length, 1);
  h.client.goOnline();
  const socket = h.net.current;
  assert.equal(h.net.sockets.length, 2);
  socket.push(hello());
  assert.equal(socket.framesOf("send").length, 1);
  assert.equal(socket.last("sync").since, "v1.1");
});

test("reconnectNow skips the backoff wait", () => {
  const h = harness({ minBackoffMs: 5_000 });
  connect(h, []);
  h.net.current.serverClose(1006);
  assert.equal(h.net.sockets.length, 1);
  h.client.reconnectNow();
  assert.equal(h.net.sockets.length, 2);
});

test("requests of the app are written again after a reconnect until answered", async () => {
  const h = harness();
  const socket = connect(h, [summary(3, 10, 10, 0)]);
  const page = h.client.history(3, 5, 2);
  assert.equal(socket.last("history").before, 5);
  socket.serverClose(1006);
  h.timers.advance(1_000);
  const again = h.net.current;
  again.push(hello());
  const history = again.last("history");
  assert.equal(history.before, 5);
  again.push({ type: "events", rid: history.rid, conv: 3, events: [], has_more: true });
  assert.deepEqual(await page, { events: [], has_more: true });
});

test("typing: shown for a while, cleared by the typist's message, and sent throttled", () => {
  const h = harness({ typingTtlMs: 6_000, typingThrottleMs: 3_000 });
  const socket = connect(h, [summary(3, 1, 1, 0)]);
  socket.push({ type: "typing", conv: 3, user: 2 });
  assert.deepEqual(h.client.typingUsers(3), [2]);
  h.timers.advance(6_001);
  assert.deepEqual(h.client.typingUsers(3), []);
  socket.push({ type: "typing", conv: 3, user: 2 });
  socket.push({ type: "event", conv: 3, seq: 2, id: "x", sender: 2, ts: 1, cmid: "p", content: { type: "text", text: "hi" } });
  assert.deepEqual(h.client.typingUsers(3), [], "the message replaces the indicator");

  h.client.typing(3);
  h.client.typing(3);
  assert.equal(socket.framesOf("typing").length, 1);
  h.timers.advance(3_000);
  h.client.typing(3);
  assert.equal(socket.framesOf("typing").length, 2);
  h.client.goOffline();
  h.client.typing(3);
  assert.equal(socket.framesOf("typing").length, 2, "never queued: stale by the time we are back");
});
