// Reading a conversation as a new user would: a long backlog opens at the first unread message
// and only what was on screen counts as read; digits are text, not giant emoji; your own emoji
// keep a readable time; www. and mailto: addresses are links; a conversation kept on top and a
// muted one.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { api, bubble, conversationId, conversationItem, message, openConversation, send, startDirectChat, unreadBadge, uniqueName, signUp } from "./src/app.js";
import { eventually, expectEqual } from "./src/poll.js";
import { suite } from "./src/suite.js";

describe("reading", () => {
  const { person, pair, noProblems } = suite();

  test("a backlog of 1,200 opens at the first unread, and only what was seen is read", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "m0");
    const conv = conversationId(alice.page);
    await openConversation(bob.page, a.display);
    await message(bob.page, "m0").waitFor();
    // Bob leaves the conversation open in another list item while 1,200 messages arrive.
    await bob.page.goto("/");
    const alicesApi = await api(alice.page);
    const post = (n: number) => alicesApi.call("POST", `/conversations/${conv}/messages`, { cmid: `bulk-${n}`, content: { type: "text", text: `m${n}` } });
    // m1 first and alone, so that it is the first unread; the rest in parallel (in any order).
    await post(1);
    for (let start = 2; start <= 1200; start += 100) {
      await Promise.all(Array.from({ length: Math.min(100, 1201 - start) }, (_, i) => post(start + i)));
    }
    const bobsApi = await api(bob.page);
    const before = (await bobsApi.call("GET", `/conversations/${conv}`)) as { read_seq: number; unread: number };
    assert.equal(before.unread, 1200);
    // Bob's page has all of them too (they stream in live): only then does he open it.
    await eventually(
      async () => expectEqual(await unreadBadge(bob.page, a.display).getAttribute("aria-label"), "1200 unread", "badge"),
      "bob's page to count all 1,200",
    );

    await openConversation(bob.page, a.display);
    // The divider sits right above the first unread message, and that message is on screen.
    const divider = bob.page.locator(".unread-divider");
    await divider.waitFor();
    const firstAfter = bob.page.locator(".unread-divider + [data-testid='message'] .text");
    await eventually(async () => assert.equal(await firstAfter.textContent(), "m1"), "the first unread message after the divider");
    await message(bob.page, "m1").waitFor();
    // What was seen is read, and nothing beyond the screenful.
    let readSeq = 0;
    await eventually(async () => {
      readSeq = ((await bobsApi.call("GET", `/conversations/${conv}`)) as { read_seq: number }).read_seq;
      assert.ok(readSeq > before.read_seq, "reading started");
    }, "the read position to move");
    assert.ok(readSeq < before.read_seq + 100, `read up to ${readSeq}: only a screenful past ${before.read_seq}`);
    noProblems();
  });

  test("digits are text, own emoji keep a readable time, www. and mailto: are links", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    for (const text of ["666", "#", "1", "🎉"]) await send(alice.page, text);
    await send(alice.page, "see www.example.com or mailto:hi@example.com");
    await openConversation(bob.page, a.display);
    for (const text of ["666", "#", "1"]) {
      assert.equal(await message(bob.page, text).getAttribute("class"), "text ", `"${text}" is text, not a giant emoji`);
    }
    assert.match((await message(bob.page, "🎉").getAttribute("class")) ?? "", /emoji-only/);
    // Alice's own emoji-only message has no bubble: its time must not be white on white.
    const time = bubble(alice.page, "🎉").locator(".meta time");
    const color = await time.evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(color, "rgba(255, 255, 255, 0.78)", "the own-bubble white is not used without a bubble");
    const www = bob.page.locator(".messages a", { hasText: "www.example.com" });
    assert.equal(await www.getAttribute("href"), "https://www.example.com/");
    const mail = bob.page.locator(".messages a", { hasText: "mailto:hi@example.com" });
    assert.equal(await mail.getAttribute("href"), "mailto:hi@example.com");
    noProblems();
  });

  test("pin to top and mute, from the conversation's menu", async () => {
    const { alice, bob, a, b } = await pair();
    const carol = await person();
    const c = { name: uniqueName("carol"), display: "Carol" };
    await signUp(carol.page, c.name, c.display);
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "to bob");
    await startDirectChat(alice.page, c.name, c.display);
    await send(alice.page, "to carol");
    const titles = () => alice.page.locator(".conversation-title").allInnerTexts();
    await eventually(async () => assert.deepEqual(await titles(), [c.display, b.display]), "newest first");
    await openConversation(alice.page, b.display);
    await alice.page.getByRole("button", { name: "Conversation options" }).click();
    await alice.page.getByRole("menuitem", { name: "Pin to top" }).click();
    await conversationItem(alice.page, b.display).locator('[data-testid="on-top"]').waitFor();
    await eventually(async () => assert.deepEqual(await titles(), [b.display, c.display]), "the pinned one on top");
    // Muted: a message from Bob shows in the list, quietly, and not in the title's count.
    await alice.page.getByRole("button", { name: "Conversation options" }).click();
    await alice.page.getByRole("menuitem", { name: "Mute" }).click();
    await conversationItem(alice.page, b.display).locator('[data-testid="muted"]').waitFor();
    await openConversation(alice.page, c.display);
    await openConversation(bob.page, a.display);
    await send(bob.page, "are you there?");
    await conversationItem(alice.page, b.display).locator('[data-testid="unread-badge"].quiet').waitFor();
    assert.equal(await alice.page.title(), "tern", "a muted conversation is not in the title's count");
    // After a reload, the settings are still there (they are the server's, not the page's).
    await alice.page.reload();
    await conversationItem(alice.page, b.display).locator('[data-testid="muted"]').waitFor();
    await eventually(async () => assert.deepEqual(await titles(), [b.display, c.display]), "still on top");
    noProblems();
  });
});
