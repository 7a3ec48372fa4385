// Read receipts ("seen by") in the SDK: the list a client loads, the moves it is told of live
// and by sync, who has and has not read a message, and the setting that hides them both ways.
// Scripted, then against a real tern.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TernClient } from "../src/client.js";
import { seenBy } from "../src/receipts.js";
import { account, client, until } from "./support/live.js";
import { ALICE, BOB, connect, eventFrame, harness, hello, summary, text } from "./support/scripted.js";
import { TERN_BIN, startTern, ternAvailable, type Tern } from "./support/tern.js";

const CAROL = 3;

test("a loaded list follows live moves and sync, and is dropped when sync says it is partial", async () => {
  const h = harness();
  const socket = connect(h, [summary(5, 9, 9, 0, { kind: "group", peer: undefined })]);
  assert.equal(h.client.receipts.loaded(5), false);
  const loading = h.client.receipts.load(5);
  const asked = socket.last("receipts");
  socket.push({ type: "receipts", rid: asked.rid, conv: 5, receipts: [{ user: BOB.id, seq: 4 }, { user: CAROL, seq: 9 }] });
  await loading;
  assert.deepEqual(h.client.receipts.seenBy(5, 5, ALICE.id), { read: [CAROL], unread: [BOB.id] });
  // Pushed moves merge; a position never goes back.
  socket.push({ type: "receipts", conv: 5, receipts: [{ user: BOB.id, seq: 7 }] });
  socket.push({ type: "receipts", conv: 5, receipts: [{ user: CAROL, seq: 6 }] });
  assert.equal(h.client.receipts.position(5, BOB.id), 7);
  assert.equal(h.client.receipts.position(5, CAROL), 9);
  assert.deepEqual(h.seen.receipts.map((r) => r.conv), [5, 5, 5]);
  // A member's own message says they read up to it; no receipt comes for that.
  socket.push(eventFrame(text(5, 10, BOB.id)));
  assert.equal(h.client.receipts.position(5, BOB.id), 10);
  socket.push(eventFrame(text(5, 11, 9)));
  assert.equal(h.client.receipts.position(5, 9), undefined, "not for someone not listed (not sharing)");
  // A reconnect's sync brings what moved meanwhile; a partial list is no longer trusted.
  h.client.dropConnection();
  h.timers.advance(60_000);
  const again = h.net.current;
  again.push(hello());
  const sync = again.last("sync");
  again.push({ type: "sync", rid: sync.rid, token: "v1.2", conversations: [], receipts: [{ conv: 5, receipts: [{ user: BOB.id, seq: 12 }] }] });
  assert.equal(h.client.receipts.position(5, BOB.id), 12);
  h.client.resync();
  const third = again.last("sync");
  again.push({ type: "sync", rid: third.rid, token: "v1.3", conversations: [], receipts: [{ conv: 5, receipts: [], partial: true }] });
  assert.equal(h.client.receipts.loaded(5), false);
});

test("not sharing one's own, one sees nobody's: the settings frame clears what was known", async () => {
  const h = harness();
  const socket = connect(h, [summary(5, 9, 9, 0)]);
  assert.equal(h.client.settings.share_receipts, true);
  const loading = h.client.receipts.load(5);
  socket.push({ type: "receipts", rid: socket.last("receipts").rid, conv: 5, receipts: [{ user: BOB.id, seq: 4 }] });
  await loading;
  socket.push({ type: "settings", settings: { share_receipts: false } });
  assert.deepEqual(h.seen.settings, [{ share_receipts: false }]);
  assert.equal(h.client.settings.share_receipts, false);
  assert.equal(h.client.receipts.position(5, BOB.id), undefined);
});

test("a move heard while the list loads is kept; a member announced hidden is forgotten; counts", async () => {
  const h = harness();
  const socket = connect(h, [summary(5, 9, 9, 0, { kind: "group", peer: undefined })]);
  const loading = h.client.receipts.load(5);
  const asked = socket.last("receipts");
  // Bob's read reaches the client after the server read the list, before its answer.
  socket.push({ type: "receipts", conv: 5, receipts: [{ user: BOB.id, seq: 8 }] });
  socket.push({ type: "receipts", rid: asked.rid, conv: 5, receipts: [{ user: BOB.id, seq: 4 }, { user: CAROL, seq: 9 }, { user: ALICE.id, seq: 9 }] });
  await loading;
  assert.equal(h.client.receipts.position(5, BOB.id), 8);
  assert.deepEqual(h.client.receipts.counts(5, 9, ALICE.id), { read: 1, unread: 1 });
  assert.deepEqual(h.client.receipts.counts(5, 5, ALICE.id), { read: 2, unread: 0 });
  socket.push({ type: "receipts", conv: 5, receipts: [{ user: CAROL, seq: 0, hidden: true }] });
  assert.equal(h.client.receipts.position(5, CAROL), undefined);
  assert.deepEqual(h.client.receipts.seenBy(5, 9, ALICE.id), { read: [], unread: [BOB.id] });
  assert.deepEqual(h.client.receipts.counts(5, 9, ALICE.id), { read: 0, unread: 1 });
});

test("a list that arrives after one stopped sharing is dropped", async () => {
  const h = harness();
  const socket = connect(h, [summary(5, 9, 9, 0)]);
  const loading = h.client.receipts.load(5);
  const asked = socket.last("receipts");
  socket.push({ type: "settings", settings: { share_receipts: false } });
  socket.push({ type: "receipts", rid: asked.rid, conv: 5, receipts: [{ user: BOB.id, seq: 4 }] });
  assert.deepEqual(await loading, []);
  assert.equal(h.client.receipts.loaded(5), false);
});

test("seenBy leaves the sender out and splits the others by position", () => {
  const list = [
    { user: ALICE.id, seq: 3 },
    { user: BOB.id, seq: 8 },
    { user: CAROL, seq: 7 },
  ];
  assert.deepEqual(seenBy(list, 8, ALICE.id), { read: [BOB.id], unread: [CAROL] });
});

const skip = ternAvailable() ? false : `no tern binary at ${TERN_BIN} (set TERN_BIN)`;

describe("against a real tern", { skip }, () => {
  let tern: Tern;
  const clients: TernClient[] = [];

  before(async () => {
    tern = await startTern();
  });

  after(async () => {
    for (const c of clients) c.close();
    await tern?.stop();
  });

  test("the sender sees the peer's read mark arrive, and a hidden setting reaches every device", async () => {
    const alice = await account(tern.url, "rc-alice");
    const bob = await account(tern.url, "rc-bob");
    const a = client(tern.url, alice);
    const b = client(tern.url, bob);
    const bobsPhone = client(tern.url, bob);
    clients.push(a, b, bobsPhone);
    await until(() => [a, b, bobsPhone].every((c) => c.status === "online"), "all online");
    const direct = await alice.api.openDirect({ username: bob.user.username });
    a.adoptConversation(direct);
    await a.receipts.load(direct.id);
    const ack = await a.sendText(direct.id, "读了吗？").acked;
    await until(() => b.conversation(direct.id)?.lastSeq === ack.seq, "bob has the message");
    await b.markRead(direct.id, ack.seq);
    await until(() => (a.receipts.position(direct.id, bob.user.id) ?? 0) >= ack.seq, "alice sees bob read it");
    assert.deepEqual(a.receipts.seenBy(direct.id, ack.seq, alice.user.id), { read: [bob.user.id], unread: [] });

    await bob.api.updateSettings({ share_receipts: false });
    await until(() => !b.settings.share_receipts && !bobsPhone.settings.share_receipts, "both of bob's devices know");
    assert.deepEqual(await bob.api.receipts(direct.id), []);
    const shown = await alice.api.receipts(direct.id);
    assert.equal(shown.some((r) => r.user === bob.user.id), false);
  });
});
