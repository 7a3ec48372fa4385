// The web client in a real browser against a real tern: people in separate browser contexts
// chatting 1:1 and in groups, unread badges, going offline and coming back, reloads (still
// naming people who left), hostile message text, and screenshots of the chat screen at desktop
// and phone width.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { conversationItem, createGroup, message, openConversation, removeMember, send, signUp, startDirectChat, unreadBadge, uniqueName } from "./src/app.js";
import { eventually, expectEqual } from "./src/poll.js";
import { suite } from "./src/suite.js";

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

describe("web client", () => {
  const { person, pair, noProblems } = suite();

  test("tern serves the client with its CSP, a manifest and icons", async () => {
    const page = (await person()).page;
    const response = await page.request.get("/");
    assert.equal(response.status(), 200);
    assert.match(response.headers()["content-security-policy"] ?? "", /script-src 'self'/);
    const manifest = await (await page.request.get("/manifest.webmanifest")).json();
    assert.equal(manifest.display, "standalone");
    for (const icon of manifest.icons as { src: string }[]) {
      assert.equal((await page.request.get(icon.src)).status(), 200, icon.src);
    }
    const deepLink = await page.request.get("/c/42");
    assert.equal(deepLink.status(), 200, "client routes fall back to index.html");
    noProblems();
  });

  test("1:1: message, unread badge that clears on reading, reply, typing, reload keeps history", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "Hi Bob 👋 how are you?");
    await message(alice.page, "Hi Bob 👋 how are you?").waitFor();
    await alice.page.locator('.msg.own .meta .state.sent').first().waitFor();

    // Bob is on the list: the conversation appears, unread.
    await unreadBadge(bob.page, a.display).waitFor();
    assert.equal(await unreadBadge(bob.page, a.display).textContent(), "1");
    await eventually(async () => expectEqual(await bob.page.title(), "(1) tern"), "the unread count in the title");

    await openConversation(bob.page, a.display);
    await message(bob.page, "Hi Bob 👋 how are you?").waitFor();
    await unreadBadge(bob.page, a.display).waitFor({ state: "detached" });
    assert.ok(await bob.page.locator(".msg.other").filter({ hasText: "Hi Bob" }).isVisible(), "others' messages are styled as others'");

    // Typing shows on the other side, then the reply arrives.
    await bob.page.getByLabel("Message text").pressSequentially("Gre");
    await alice.page.locator(".chat-subtitle.typing", { hasText: `${b.display} is typing…` }).waitFor();
    await bob.page.getByLabel("Message text").fill("Great, thanks!");
    await bob.page.getByLabel("Message text").press("Shift+Enter");
    await bob.page.getByLabel("Message text").pressSequentially("And you?");
    await bob.page.getByLabel("Message text").press("Enter");
    await alice.page.locator(".msg.other .text", { hasText: "Great, thanks!" }).waitFor();
    assert.equal(await alice.page.locator(".msg.other .text", { hasText: "Great, thanks!" }).innerText(), "Great, thanks!\nAnd you?", "Shift+Enter inserts a newline, Enter sends");

    // A reload keeps the session, the open conversation and its history.
    await alice.page.reload();
    await message(alice.page, "Hi Bob 👋 how are you?").waitFor();
    await alice.page.locator(".msg.other .text", { hasText: "Great, thanks!" }).waitFor();
    assert.equal(await unreadBadge(alice.page, b.display).count(), 0, "read while looking at it");
    noProblems();
  });

  test("groups: create, everyone receives, sender names, add and remove members", async () => {
    const { alice, bob, a, b } = await pair();
    const carol = await person();
    const c = { name: uniqueName("carol"), display: "Carol" };
    const dave = { name: uniqueName("dave"), display: "Dave" };
    await signUp(carol.page, c.name, c.display);
    const davePerson = await person();
    await signUp(davePerson.page, dave.name, dave.display);

    await createGroup(alice.page, "Weekend trip 🏕️", [b.name, c.name]);
    await alice.page.locator(".system-line", { hasText: "created the group" }).waitFor();
    await send(alice.page, "Who is in?");
    for (const p of [bob, carol]) {
      await unreadBadge(p.page, "Weekend trip 🏕️").waitFor();
      await openConversation(p.page, "Weekend trip 🏕️");
      await message(p.page, "Who is in?").waitFor();
    }
    await send(carol.page, "Me! 🙋");
    await alice.page.locator(".msg.other", { hasText: "Me! 🙋" }).locator(".sender", { hasText: c.display }).waitFor();
    await bob.page.locator(".msg.other", { hasText: "Me! 🙋" }).waitFor();

    // The owner adds Dave and removes Carol.
    await alice.page.getByRole("button", { name: "Group info", exact: true }).click();
    const info = alice.page.getByRole("dialog", { name: "Group info" });
    await info.getByLabel("Usernames to add").fill(dave.name);
    await info.getByRole("button", { name: "Add", exact: true }).click();
    await info.locator(".member-name", { hasText: dave.display }).waitFor();
    // Carol writes while offline; by the time she is back she has been removed.
    await carol.offline();
    await send(carol.page, "count me in for Sunday");
    await removeMember(info, c.display);
    await info.locator(".member-name", { hasText: c.display }).waitFor({ state: "detached" });
    await info.getByRole("button", { name: "Close" }).click();
    await carol.online();
    const failed = carol.page.locator(".msg.failed", { hasText: "count me in for Sunday" });
    await failed.locator(".failed-reason", { hasText: "You are not a member of this conversation." }).waitFor();
    await failed.getByRole("button", { name: "Retry" }).waitFor();
    await failed.getByRole("button", { name: "Delete" }).click();
    await failed.waitFor({ state: "detached" });

    await conversationItem(davePerson.page, "Weekend trip 🏕️").waitFor();
    await carol.page.getByText("You are no longer a member of this group").waitFor();
    await alice.page.locator(".system-line", { hasText: `removed ${c.display}` }).waitFor();
    noProblems();
  });

  test("people who left or were removed keep their names after a reload", async () => {
    const { alice, bob, b } = await pair();
    const carol = await person();
    const c = { name: uniqueName("carol"), display: "Carol Díaz" };
    await signUp(carol.page, c.name, c.display);
    // Every user lookup alice's page gets answered, to check they are batched and never repeated.
    const lookups: string[][] = [];
    alice.page.on("response", (r) => {
      const url = new URL(r.url());
      if (url.pathname === "/api/v1/users" && r.ok()) lookups.push((url.searchParams.get("ids") ?? "").split(","));
    });

    await createGroup(alice.page, "Book club 📚", [b.name, c.name]);
    for (const [p, text] of [
      [carol, "See you all on Friday"],
      [bob, "Count me in"],
    ] as const) {
      await openConversation(p.page, "Book club 📚");
      await send(p.page, text);
    }
    await alice.page.locator(".msg.other", { hasText: "Count me in" }).locator(".sender", { hasText: b.display }).waitFor();

    // Carol leaves on her own; alice removes bob.
    await carol.page.getByRole("button", { name: "Group info", exact: true }).click();
    const carolInfo = carol.page.getByRole("dialog", { name: "Group info" });
    await carolInfo.getByRole("button", { name: "Leave group" }).click();
    await carolInfo.getByRole("button", { name: "Leave group" }).click();
    await carol.page.getByText("You are no longer a member of this group").waitFor();
    await alice.page.getByRole("button", { name: "Group info", exact: true }).click();
    const info = alice.page.getByRole("dialog", { name: "Group info" });
    await removeMember(info, b.display);
    await info.locator(".member-name", { hasText: b.display }).waitFor({ state: "detached" });
    await info.getByRole("button", { name: "Close" }).click();

    // After a reload alice's page knows only the current members (herself), yet names the others:
    // after a placeholder while the first lookup fails, once it is retried.
    let refused = 0;
    await alice.page.route(/\/api\/v1\/users\?/, (route) =>
      refused++ === 0
        ? route.fulfill({ status: 503, contentType: "application/json", body: '{"code":"unavailable","message":"test","retryable":true}' })
        : route.continue(),
    );
    await alice.page.reload();
    await alice.page.getByText(/User \d+/).first().waitFor();
    await alice.page.locator(".msg.other", { hasText: "See you all on Friday" }).locator(".sender", { hasText: c.display }).waitFor();
    await alice.page.locator(".msg.other", { hasText: "Count me in" }).locator(".sender", { hasText: b.display }).waitFor();
    await alice.page.locator(".system-line", { hasText: `${c.display} left the group` }).waitFor();
    await alice.page.locator(".system-line", { hasText: `removed ${b.display}` }).waitFor();
    await conversationItem(alice.page, "Book club 📚").locator(".conversation-preview", { hasText: `removed ${b.display}` }).waitFor();
    assert.equal(await alice.page.getByText(/User \d+/).count(), 0, "no placeholder names left");
    assert.ok(refused >= 2, "the refused lookup, then its retry");
    const requested = lookups.flat();
    assert.ok(requested.length > 0, "the names were looked up");
    assert.equal(new Set(requested).size, requested.length, `no id looked up twice: ${JSON.stringify(lookups)}`);

    // The same in Chinese.
    await alice.page.getByRole("button", { name: "Settings" }).click();
    await alice.page.getByRole("menuitem", { name: "简体中文" }).click();
    await alice.page.locator(".system-line", { hasText: `${c.display} 退出了群组` }).waitFor();
    await alice.page.locator(".system-line", { hasText: `将 ${b.display} 移出了群组` }).waitFor();
    assert.equal(await alice.page.getByText(/用户 \d+/).count(), 0, "no placeholder names in Chinese either");
    noProblems();
  });

  test("offline: a person cut off gets everything sent meanwhile when back, without reloading", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "before the tunnel");
    await openConversation(bob.page, a.display);
    await message(bob.page, "before the tunnel").waitFor();

    await bob.offline();
    // The network is gone: the banner says so, not a "Reconnecting…" that cannot come true.
    await bob.page.locator(".connection-banner", { hasText: "Offline. Messages will be sent when you are back." }).first().waitFor();
    await send(alice.page, "while you were away 1");
    await send(alice.page, "while you were away 2");
    // Bob writes too: it waits in his outbox, shown as sending.
    await send(bob.page, "typed in the tunnel");
    await bob.page.locator(".msg.pending", { hasText: "typed in the tunnel" }).locator(".meta .state.sending").waitFor();
    assert.equal(await message(bob.page, "while you were away 1").count(), 0);

    await bob.online();
    await message(bob.page, "while you were away 1").waitFor();
    await message(bob.page, "while you were away 2").waitFor();
    await bob.page.locator(".connection-banner").waitFor({ state: "detached" });
    await message(alice.page, "typed in the tunnel").waitFor();
    await bob.page.locator(".msg.pending").waitFor({ state: "detached" });
    const texts = await bob.page.locator('[data-testid="message"] .text').allInnerTexts();
    assert.deepEqual(texts, ["before the tunnel", "while you were away 1", "while you were away 2", "typed in the tunnel"], "in order, each once");
    noProblems();
  });

  test("message text is never HTML: markup shows as typed, links are safe", async () => {
    const { alice, bob, a, b } = await pair();
    const hostile = "<img src=x onerror=alert(1)>";
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, hostile);
    await send(alice.page, "docs at https://example.com/guide, and javascript:alert(2)");
    await openConversation(bob.page, a.display);
    for (const p of [alice, bob]) {
      await message(p.page, hostile).waitFor();
      assert.equal(await p.page.locator(".messages img").count(), 0, "no <img> element was created");
      const link = p.page.locator(".messages a", { hasText: "https://example.com/guide" });
      assert.equal(await link.getAttribute("href"), "https://example.com/guide");
      assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
      assert.equal(await link.getAttribute("target"), "_blank");
      assert.equal(await p.page.locator('.messages a[href^="javascript"]').count(), 0);
    }
    noProblems();
  });

  test("Chinese interface: chosen in the menu, kept after a reload", async () => {
    const alice = await person();
    await signUp(alice.page, uniqueName("lang"), "小明");
    await alice.page.getByRole("button", { name: "Settings" }).click();
    await alice.page.getByRole("menuitem", { name: "简体中文" }).click();
    await alice.page.getByRole("heading", { name: "选择一个会话" }).waitFor();
    await alice.page.reload();
    await alice.page.getByRole("heading", { name: "选择一个会话" }).waitFor();
    assert.equal(await alice.page.evaluate(() => document.documentElement.lang), "zh-CN");
    noProblems();
  });

  test("screenshots of the chat screen at desktop and phone width", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const { alice, bob, a, b } = await pair();
    const maya = await person();
    const m = { name: uniqueName("maya"), display: "Maya Chen 陈" };
    await signUp(maya.page, m.name, m.display);

    await createGroup(alice.page, "Design review", [b.name, m.name]);
    await send(alice.page, "Morning! The new onboarding flow is up on staging 🎉");
    await openConversation(bob.page, "Design review");
    await send(bob.page, "Nice. The spacing on the sign-up card feels much calmer now.");
    await openConversation(maya.page, "Design review");
    await send(maya.page, "Agreed 👍 Notes are in https://example.com/notes/onboarding");
    await send(maya.page, "中文界面我也检查过了，没有问题。");
    await message(alice.page, "中文界面我也检查过了，没有问题。").waitFor();
    await send(alice.page, "Great, shipping it this afternoon.");
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "Lunch at 12:30?");
    await openConversation(alice.page, "Design review");
    await send(bob.page, "👍");
    await message(alice.page, "👍").waitFor();
    await alice.page.mouse.move(0, 0);
    await alice.page.screenshot({ path: `${ARTIFACTS}chat-desktop.png` });

    // The same person on a phone: the chat is its own screen, with a back button to the list.
    const phone = await person({ width: 390, height: 844 });
    await phone.page.goto("/");
    await phone.page.getByLabel("Username").fill(a.name);
    await phone.page.getByLabel("Password").fill("correct horse battery");
    await phone.page.getByRole("button", { name: "Sign in" }).click();
    await conversationItem(phone.page, "Design review").waitFor();
    assert.equal(await phone.page.locator(".chat").count(), 0, "the list alone on a phone");
    await openConversation(phone.page, "Design review");
    await message(phone.page, "👍").waitFor();
    assert.equal(await phone.page.locator(".sidebar").isVisible(), false, "the chat alone on a phone");
    await phone.page.screenshot({ path: `${ARTIFACTS}chat-phone.png` });
    await phone.page.getByRole("button", { name: "Back to conversations" }).click();
    await conversationItem(phone.page, "Design review").waitFor();
    noProblems();
  });
});
