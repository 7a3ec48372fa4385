// Changes to messages (edit, recall, reactions, pins) in the SDK: applied to the loaded message
// once, never counted as unread nor shown as the preview; a recall takes its message out of the
// count; mentions counted exactly like unread. Scripted, then against a real tern.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TernClient } from "../src/client.js";
import type { Event } from "../src/protocol.js";
import { account, client, until } from "./support/live.js";
import { ALICE, BOB, connect, eventFrame, harness, summary, text } from "./support/scripted.js";
import { TERN_BIN, startTern, ternAvailable, type Tern } from "./support/tern.js";

function change(conv: number, seq: number, sender: number, content: Event["content"]): Event {
  return { conv, seq, id: `id-${conv}-${seq}`, sender, ts: 1_700_000_100_000 + seq, content };
}

async function opened(events: Event[], last: number) {
  const h = harness();
  const socket = connect(h, [summary(3, last, last, 0, { last_event: events[0] })]);
  const opening = h.client.openTimeline(3);
  const history = socket.last("history");
  socket.push({ type: "events", rid: history.rid, conv: 3, events, has_more: false });
  await opening;
  return { h, socket };
}

test("edits, reactions and recalls apply to the loaded message, once, in order", async () => {
  const { h, socket } = await opened([text(3, 1, BOB.id, "helo")], 1);
  socket.push(eventFrame(change(3, 2, BOB.id, { type: "edit", target: 1, text: "hello" })));
  socket.push(eventFrame(change(3, 3, ALICE.id, { type: "reaction", target: 1, emoji: "👍", added: true })));
  socket.push(eventFrame(change(3, 4, BOB.id, { type: "reaction", target: 1, emoji: "👍", added: true })));
  socket.push(eventFrame(change(3, 5, ALICE.id, { type: "reaction", target: 1, emoji: "👍", added: false })));
  let message = h.client.timeline(3)?.events[0];
  assert.deepEqual(message?.content, { type: "text", text: "hello" });
  assert.equal(message?.edited, 1_700_000_100_002);
  assert.deepEqual(message?.reactions, [{ emoji: "👍", users: [BOB.id] }]);
  assert.equal(message?.rev, 5);
  // The changes stay in the timeline (it has no holes) but the conversation is not unread.
  assert.deepEqual(h.client.timeline(3)?.events.map((e) => e.seq), [1, 2, 3, 4, 5]);
  assert.equal(h.client.conversation(3)?.unread, 0);
  assert.equal(h.client.conversation(3)?.lastEvent?.seq, 1, "a change is never the preview");
  socket.push(eventFrame(change(3, 6, BOB.id, { type: "recall", target: 1 })));
  message = h.client.timeline(3)?.events[0];
  assert.deepEqual(message?.content, { type: "recalled", by: BOB.id });
  assert.equal(message?.reactions, undefined);
  assert.deepEqual(h.client.conversation(3)?.lastEvent?.content, { type: "recalled", by: BOB.id }, "recalling the preview shows it recalled");
});

test("a page read after a change already reflects it: the change is not applied twice", async () => {
  const current: Event = { ...text(3, 1, BOB.id, "hello"), reactions: [{ emoji: "🎉", users: [ALICE.id] }], rev: 2 };
  const { h } = await opened([current, change(3, 2, ALICE.id, { type: "reaction", target: 1, emoji: "🎉", added: true })], 2);
  assert.deepEqual(h.client.timeline(3)?.events[0]?.reactions, [{ emoji: "🎉", users: [ALICE.id] }]);
});

test("a recall takes an unread message out of the count; one never loaded asks the server", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 10, 8, 2)]);
  socket.push(eventFrame(text(3, 11, BOB.id)));
  assert.equal(h.client.conversation(3)?.unread, 3);
  socket.push(eventFrame(change(3, 12, BOB.id, { type: "recall", target: 11 })));
  assert.equal(h.client.conversation(3)?.unread, 2, "live and recalled: no longer unread");
  const syncs = socket.sent.filter((f) => f.type === "sync").length;
  // Seq 9 was counted in the summary and this client never loaded it: only the server knows.
  socket.push(eventFrame(change(3, 13, BOB.id, { type: "recall", target: 9 })));
  assert.equal(socket.sent.filter((f) => f.type === "sync").length, syncs + 1, "a sync asks for the exact count");
});

test("unread mentions are counted like unread: from the summary, live, and cleared by reading", () => {
  const h = harness();
  const socket = connect(h, [summary(3, 10, 8, 2, { unread_mentions: 1 })]);
  assert.equal(h.client.conversation(3)?.unreadMentions, 1);
  socket.push(eventFrame({ ...text(3, 11, BOB.id), content: { type: "text", text: "@alice", mentions: [ALICE.id] } }));
  socket.push(eventFrame({ ...text(3, 12, BOB.id), content: { type: "text", text: "@all", mention_all: true } }));
  socket.push(eventFrame(text(3, 13, BOB.id)));
  assert.deepEqual([h.client.conversation(3)?.unread, h.client.conversation(3)?.unreadMentions], [5, 3]);
  socket.push({ type: "read", conv: 3, read_seq: 13, unread: 0, unread_mentions: 0 });
  assert.equal(h.client.conversation(3)?.unreadMentions, 0);
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

  test("edit, react, pin and recall: the other side's timeline follows; pins and versions read back", async () => {
    const alice = await account(tern.url, "ch-alice");
    const bob = await account(tern.url, "ch-bob");
    const a = client(tern.url, alice);
    const b = client(tern.url, bob);
    clients.push(a, b);
    await until(() => a.status === "online" && b.status === "online", "both online");
    const direct = await alice.api.openDirect({ username: bob.user.username });
    a.adoptConversation(direct);
    const ack = await a.sendText(direct.id, "helo").acked;
    await until(() => b.conversation(direct.id) !== undefined, "bob hears of the conversation");
    await b.openTimeline(direct.id);
    await until(() => b.timeline(direct.id)?.events.some((e) => e.seq === ack.seq) === true, "bob has the message");

    assert.equal((await a.changes.edit(direct.id, ack.seq, "hello")).length, 1);
    await b.changes.react(direct.id, ack.seq, "👍", true);
    await a.changes.pin(direct.id, ack.seq, true);
    const at = () => b.timeline(direct.id)?.events.find((e) => e.seq === ack.seq);
    await until(() => at()?.content.type === "text" && (at()?.content as { text: string }).text === "hello", "bob sees the edit");
    await until(() => at()?.reactions?.[0]?.users.includes(bob.user.id) === true, "bob sees his reaction");
    assert.deepEqual((await b.changes.pins(direct.id)).map((p) => p.event.seq), [ack.seq]);
    assert.deepEqual((await bob.api.versions(direct.id, ack.seq)).map((v) => v.text), ["helo", "hello"]);
    assert.deepEqual(await a.changes.recall(direct.id, ack.seq).then((s) => s.length), 1);
    await until(() => at()?.content.type === "recalled", "bob sees the recall");
    assert.equal(b.conversation(direct.id)?.unread, 0, "nothing of it is unread");
    await assert.rejects(b.changes.react(direct.id, ack.seq, "👍", false), (e: { code?: string }) => e.code === "invalid_target");
  });
});

test("preferences: on top first, muted left out of the total, mentions-only counts mentions", () => {
  const h = harness();
  const socket = connect(h, [
    summary(3, 10, 8, 2, { last_event: { ...text(3, 10, BOB.id), ts: 3_000 } }),
    summary(4, 10, 7, 3, { last_event: { ...text(4, 10, BOB.id), ts: 2_000 }, notify: "muted" }),
    summary(5, 10, 9, 1, { last_event: { ...text(5, 10, BOB.id), ts: 1_000 }, notify: "mentions", unread_mentions: 1, top: 500 }),
  ]);
  assert.deepEqual(h.client.conversations().map((c) => c.id), [5, 3, 4], "on top first, then by activity");
  assert.equal(h.client.totalUnread(), 2 + 1, "muted not counted; mentions-only counts its mention");
  const setting = h.client.setPreferences(3, { top: true });
  const frame = socket.last("preferences");
  assert.deepEqual({ conv: frame.conv, top: frame.top }, { conv: 3, top: true });
  socket.push({ type: "preferences", rid: frame.rid, conv: 3, notify: "all", top: 900 });
  assert.deepEqual(h.client.conversations().map((c) => c.id), [3, 5, 4], "most recently put on top first");
  // Another device muted it: this one follows.
  socket.push({ type: "preferences", conv: 3, notify: "muted", top: 900 });
  assert.equal(h.client.conversation(3)?.notify, "muted");
  assert.equal(h.client.totalUnread(), 1);
  return setting;
});
