// The SDK against a real tern process: the same delivery contract the scripted tests check,
// now with the server's actual frames, timing and idempotency.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TernClient } from "../src/client.js";
import type { Event, UserProfile } from "../src/protocol.js";
import { Api } from "../src/rest.js";
import { MemoryStorage } from "../src/storage.js";
import { account, client, lossyFactory, until, wsFactory } from "./support/live.js";
import { TERN_BIN, freePort, startTern, ternAvailable, type Tern } from "./support/tern.js";

const skip = ternAvailable() ? false : `no tern binary at ${TERN_BIN} (set TERN_BIN)`;

function texts(events: Event[], conv: number): string[] {
  return events.filter((e) => e.conv === conv && e.content.type === "text").map((e) => String((e.content as { text: string }).text));
}

function collect(c: TernClient): Event[] {
  const events: Event[] = [];
  c.on("event", (e) => events.push(e));
  return events;
}

describe("against a real tern", { skip }, () => {
  let tern: Tern;
  const clients: TernClient[] = [];
  const track = (c: TernClient) => (clients.push(c), c);

  before(async () => {
    tern = await startTern();
  });

  after(async () => {
    for (const c of clients) c.close();
    await tern?.stop();
  });

  test("accounts: register, refuse a taken name and a wrong password, log in, look up", async () => {
    const api = new Api({ baseUrl: tern.url });
    const alice = await account(tern.url, "alice", "爱丽丝 🌸");
    assert.equal(alice.user.display_name, "爱丽丝 🌸");
    await assert.rejects(api.register(alice.user.username, "another password"), { code: "username_taken", status: 409 });
    await assert.rejects(api.login(alice.user.username, "wrong password"), { code: "invalid_credentials", status: 401 });
    assert.equal((await alice.api.me()).id, alice.user.id);
    assert.equal((await alice.api.user(alice.user.username.toUpperCase())).id, alice.user.id);
    await assert.rejects(alice.api.user("nobody_here"), { code: "not_found" });
  });

  test("users: one by id or username, many by ids (deduplicated, split into requests), unknown ids left out", async () => {
    const alice = await account(tern.url, "alice");
    const bob = await account(tern.url, "bob", "Bob 李");
    const carol = await account(tern.url, "carol");
    const byId = (profiles: UserProfile[]) => [...profiles].sort((x, y) => x.id - y.id);
    const missing = 900_000_000;

    assert.deepEqual(await alice.api.user(bob.user.id), bob.user);
    assert.deepEqual(await alice.api.user(bob.user.username), bob.user);
    await assert.rejects(alice.api.user(missing), { code: "not_found", status: 404 });

    const requests: string[] = [];
    const counting = new Api({
      baseUrl: tern.url,
      token: alice.token,
      fetch: (input, init) => (requests.push(input), fetch(input, init)),
    });
    assert.deepEqual(byId(await counting.users([carol.user.id, bob.user.id, carol.user.id, missing])), byId([bob.user, carol.user]));
    assert.equal(requests.length, 1);
    assert.match(requests[0] ?? "", /\/api\/v1\/users\?ids=\d+,\d+,\d+$/, "each id once");
    requests.length = 0;
    assert.deepEqual(await counting.users([]), []);
    assert.equal(requests.length, 0, "nothing to ask, no request");

    // Up to max_users_per_request (1000) ids in one request; more are split.
    const many = Array.from({ length: 2500 }, (_, i) => missing + i);
    many[1700] = bob.user.id;
    assert.deepEqual(await counting.users(many), [bob.user]);
    assert.equal(requests.length, 3);
    assert.deepEqual(byId(await counting.users([alice.user.id, bob.user.id, carol.user.id], 2)), byId([alice.user, bob.user, carol.user]));
    assert.equal(requests.length, 5);
    await assert.rejects(counting.users(many, 1001), { code: "bad_request", status: 400 }, "the server takes at most 1000");
    await assert.rejects(new Api({ baseUrl: tern.url }).users([bob.user.id]), { code: "unauthorized", status: 401 });

    // The limits behind it are announced in hello.
    const a = track(client(tern.url, alice));
    await until(() => a.status === "online", "online");
    assert.equal(a.limits.max_users_per_request, 1000);
    assert.equal(a.limits.max_group_members, 10_000);
  });

  test("1:1: delivered once to the peer, unread counted, read on one device clears the other", async () => {
    const alice = await account(tern.url, "alice");
    const bob = await account(tern.url, "bob");
    const a = track(client(tern.url, alice));
    const b1 = track(client(tern.url, bob));
    const b2 = track(client(tern.url, bob));
    await until(() => [a, b1, b2].every((c) => c.status === "online"), "all online");
    const bobEvents = collect(b1);

    const direct = await alice.api.openDirect({ username: bob.user.username });
    a.adoptConversation(direct);
    const ack = await a.sendText(direct.id, "hi bob 👋").acked;
    assert.equal(ack.duplicate, false);
    // The count can come from the summary of the sync that introduces the conversation, a moment
    // before the catch-up delivers the event itself.
    await until(() => b1.conversation(direct.id)?.unread === 1 && b2.conversation(direct.id)?.unread === 1, "unread 1 on both devices");
    await until(() => bobEvents.length > 0, "the event");
    assert.deepEqual(texts(bobEvents, direct.id), ["hi bob 👋"]);
    assert.equal(b1.conversation(direct.id)?.peer?.id, alice.user.id);

    await b1.markRead(direct.id, ack.seq);
    assert.equal(b1.conversation(direct.id)?.unread, 0);
    await until(() => b2.conversation(direct.id)?.unread === 0, "the other device hears of the read");
    assert.equal(a.conversation(direct.id)?.unread, 0, "own messages are never unread");
  });

  test("a sync of more conversations than one reply carries reads every page before it is done", async () => {
    const alice = await account(tern.url, "pager-alice");
    const bob = await account(tern.url, "pager-bob");
    const groups = new Set<number>();
    for (let i = 0; i < 230; i++) {
      const group = await alice.api.createGroup(`g${i}`, [bob.user.id]);
      groups.add(group.id);
    }
    const b = track(client(tern.url, bob));
    await until(() => b.status === "online", "bob synced");
    const known = new Set(b.conversations().map((c) => c.id));
    for (const id of groups) assert.ok(known.has(id), `conversation ${id} missing after sync`);
  });

  test("offline: everything sent meanwhile arrives once, in order, after reconnecting", async () => {
    const alice = await account(tern.url, "alice");
    const bob = await account(tern.url, "bob");
    const direct = await alice.api.openDirect({ username: bob.user.username });
    const b = track(client(tern.url, bob));
    await until(() => b.status === "online", "bob online");
    const events = collect(b);
    b.goOffline();
    for (const n of [1, 2, 3]) {
      await alice.api.send(direct.id, `offline-${n}`, { type: "text", text: `while away ${n}` });
    }
    const tokenBefore = b.syncToken;
    b.goOnline();
    await until(() => texts(events, direct.id).length === 3 && b.status === "online", "catch-up");
    assert.deepEqual(texts(events, direct.id), ["while away 1", "while away 2", "while away 3"]);
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
    assert.notEqual(b.syncToken, tokenBefore);
    assert.equal(b.conversation(direct.id)?.unread, 3);
  });

  test("a lost live event is noticed at the next one and fetched; nothing twice", async () => {
    const alice = await account(tern.url, "alice");
    const bob = await account(tern.url, "bob");
    const direct = await alice.api.openDirect({ username: bob.user.username });
    let dropped = 0;
    const b = track(
      client(tern.url, bob, {
        socketFactory: lossyFactory((f) => f.type === "event" && f.conv === direct.id && dropped++ === 0),
      }),
    );
    await until(() => b.status === "online", "bob online");
    const events = collect(b);
    for (const n of [1, 2, 3]) await alice.api.send(direct.id, `gap-${n}`, { type: "text", text: `gap ${n}` });
    await until(() => texts(events, direct.id).length === 3, "all three");
    assert.equal(dropped, 3, "the first event really was lost on the way");
    assert.deepEqual(texts(events, direct.id), ["gap 1", "gap 2", "gap 3"]);
  });

  test("a send queued before a reload is stored exactly once by the next page", async () => {
    const alice = await account(tern.url, "alice");
    const bob = await account(tern.url, "bob");
    const direct = await alice.api.openDirect({ username: bob.user.username });
    const storage = new MemoryStorage();
    const first = track(client(tern.url, alice, { storage, outboxKey: "o" }));
    await until(() => first.status === "online", "online");
    first.goOffline();
    const { cmid } = first.sendText(direct.id, "sent while the train was in a tunnel");
    first.close();

    const second = track(client(tern.url, alice, { storage, outboxKey: "o" }));
    await until(() => second.pending().length === 0, "the reloaded page's outbox drains");
    const resend = await alice.api.send(direct.id, cmid, { type: "text", text: "sent while the train was in a tunnel" });
    assert.equal(resend.duplicate, true, "a resend of the same cmid is answered with the original");
    const page = await alice.api.history(direct.id);
    assert.equal(page.events.filter((e) => e.cmid === cmid).length, 1);
  });

  test("history pages back to the first message without holes", async () => {
    const alice = await account(tern.url, "alice");
    const bob = await account(tern.url, "bob");
    const direct = await alice.api.openDirect({ username: bob.user.username });
    for (let n = 1; n <= 120; n++) await alice.api.send(direct.id, `h-${n}`, { type: "text", text: `#${n}` });
    const b = track(client(tern.url, bob, { historyPageSize: 50 }));
    await until(() => b.conversation(direct.id) !== undefined, "bob knows the conversation");
    await b.openTimeline(direct.id);
    assert.equal(b.timeline(direct.id)?.events.length, 50);
    while (await b.loadOlder(direct.id)) {
      // Each call loads one page.
    }
    const seqs = b.timeline(direct.id)?.events.map((e) => e.seq) ?? [];
    assert.deepEqual(seqs, Array.from({ length: 120 }, (_, i) => i + 1));
    assert.equal(b.conversation(direct.id)?.unread, 120);
    await b.markRead(direct.id, 100);
    assert.equal(b.conversation(direct.id)?.unread, 20);
    const server = await bob.api.conversations();
    assert.equal(server.find((c) => c.id === direct.id)?.unread, 20, "the same number as the server's");
  });

  test("groups: new members learn the conversation live; typing reaches the others", async () => {
    const alice = await account(tern.url, "alice");
    const bob = await account(tern.url, "bob");
    const carol = await account(tern.url, "carol");
    const b = track(client(tern.url, bob));
    const c = track(client(tern.url, carol));
    const a = track(client(tern.url, alice));
    await until(() => [a, b, c].every((x) => x.status === "online"), "online");
    const group = await alice.api.createGroup("Launch 🚀", [bob.user.id]);
    a.adoptConversation(group);
    await until(() => b.conversation(group.id)?.name === "Launch 🚀", "bob sees the group");
    await alice.api.addMembers(group.id, [carol.user.id]);
    await until(() => c.conversation(group.id)?.active === true, "carol sees the group");
    await a.sendText(group.id, "welcome").acked;
    await until(() => b.conversation(group.id)?.unread === 1 && c.conversation(group.id)?.unread === 1, "unread for both");

    a.typing(group.id);
    await until(() => b.typingUsers(group.id).includes(alice.user.id), "bob sees alice typing");
    await until(() => c.typingUsers(group.id).includes(alice.user.id), "carol sees alice typing");

    await alice.api.removeMember(group.id, carol.user.id);
    await until(() => c.conversation(group.id)?.active === false, "carol is out");
    const refused = c.sendText(group.id, "still here?");
    await assert.rejects(refused.acked, { code: "not_member" });
    assert.equal(c.pending(group.id)[0]?.state, "failed");
  });

  test("a server restart: the client reconnects by itself, sends what was queued, catches up", async () => {
    // A second tern on a fixed port, so it can come back at the same address.
    const port = await freePort();
    let server = await startTern({ listen: `127.0.0.1:${port}` });
    try {
      const alice = await account(server.url, "alice");
      const bob = await account(server.url, "bob");
      const direct = await alice.api.openDirect({ username: bob.user.username });
      const b = track(client(server.url, bob));
      await until(() => b.status === "online", "online");
      const events = collect(b);
      const closeCodes: (number | undefined)[] = [];
      b.on("disconnected", (e) => closeCodes.push(e.code));

      await server.stop(true);
      await until(() => b.status === "reconnecting", "the client notices");
      // Then attempts to reconnect fail (1006) until it is back.
      assert.equal(closeCodes[0], 1012, "tern says it is restarting");
      const queued = b.sendText(direct.id, "written while the server was down");

      server = await startTern({ listen: `127.0.0.1:${port}`, dataDir: server.dataDir });
      const ack = await queued.acked;
      assert.equal(ack.seq, 1);
      await alice.api.send(direct.id, "after-restart", { type: "text", text: "back up" });
      await until(() => texts(events, direct.id).length === 2, "both messages");
      assert.deepEqual(texts(events, direct.id), ["written while the server was down", "back up"]);
    } finally {
      await server.stop();
    }
  });

  test("logging out elsewhere closes the connection with 4001: the client stops", async () => {
    const bob = await account(tern.url, "bob");
    const b = track(client(tern.url, bob));
    await until(() => b.status === "online", "online");
    let reason = "";
    b.on("loggedOut", (e) => (reason = e.reason));
    await bob.api.logout();
    await until(() => b.status === "logged_out", "logged out");
    assert.ok(reason.length > 0);
    const stranger = track(client(tern.url, { ...bob }, { socketFactory: wsFactory }));
    await until(() => stranger.status === "logged_out", "a revoked token is refused at connect");
  });
});
