// What people do to messages once sent, in two browsers: reply with a quote, react, edit (the
// other side sees the new text and the "edited" mark, and the quote follows), recall (erased on
// both sides, the quote says so), in English and in Chinese.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { bubble, conversationItem, createGroup, message, openConversation, send, signUp, startDirectChat, uniqueName } from "./src/app.js";
import { eventually, expectEqual } from "./src/poll.js";
import { suite } from "./src/suite.js";

/** Opens the action menu of the message `text` and picks `action`. */
async function act(page: Page, text: string, action: string | RegExp): Promise<void> {
  const target = bubble(page, text);
  await target.hover();
  await target.getByRole("button", { name: /Message actions|消息操作/ }).click();
  await page.getByRole("menuitem", { name: action }).click();
}

function chip(page: Page, text: string, emoji: string): Locator {
  return bubble(page, text).locator('[data-testid="reaction"]', { hasText: emoji });
}

describe("changes to messages", () => {
  const { person, pair, noProblems } = suite();

  test("reply, react, edit and recall reach the other side", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "Lunch at noon?");
    await openConversation(bob.page, a.display);
    await message(bob.page, "Lunch at noon?").waitFor();

    // Bob replies: his message carries the quote, on both sides.
    await act(bob.page, "Lunch at noon?", "Reply");
    await bob.page.locator(".composer-context .quote", { hasText: "Lunch at noon?" }).waitFor();
    await send(bob.page, "Yes!");
    for (const p of [alice.page, bob.page]) {
      await bubble(p, "Yes!").locator('[data-testid="quote"]', { hasText: "Lunch at noon?" }).waitFor();
    }

    // Alice reacts from the menu; Bob adds his own by pressing the chip.
    await act(alice.page, "Lunch at noon?", "React with 👍");
    await chip(bob.page, "Lunch at noon?", "👍").waitFor();
    await chip(bob.page, "Lunch at noon?", "👍").click();
    await eventually(async () => expectEqual(await chip(alice.page, "Lunch at noon?", "👍").textContent(), "👍2"), "two reactions");
    assert.equal(await chip(alice.page, "Lunch at noon?", "👍").getAttribute("aria-pressed"), "true");

    // Alice edits: the new text and the mark on both sides; Bob's quote follows.
    await act(alice.page, "Lunch at noon?", "Edit");
    const box = alice.page.getByLabel("Message text");
    await eventually(async () => expectEqual(await box.inputValue(), "Lunch at noon?", "composer"), "editing to start from the message's text");
    await box.fill("Lunch at 12:30?");
    await box.press("Enter");
    await message(bob.page, "Lunch at 12:30?").waitFor();
    await bubble(bob.page, "Lunch at 12:30?").locator(".meta .edited", { hasText: "edited" }).waitFor();
    await bob.page.locator('[data-testid="quote"]', { hasText: "Lunch at 12:30?" }).first().waitFor();
    assert.equal(await box.inputValue(), "", "the composer is empty again");
    // Every version stays viewable.
    await bubble(bob.page, "Lunch at 12:30?").locator('[data-testid="edit-history"]').click();
    const versions = bob.page.getByRole("dialog").locator('[data-testid="versions"] .version-text');
    await eventually(async () => expectEqual(await versions.allInnerTexts(), ["Lunch at noon?", "Lunch at 12:30?"], "versions"), "the versions");
    await bob.page.keyboard.press("Escape");

    // Alice recalls it: erased on both sides, and the quote says so.
    await act(alice.page, "Lunch at 12:30?", "Recall");
    await alice.page.locator('[data-testid="recalled"]', { hasText: "You recalled a message" }).waitFor();
    await bob.page.locator('[data-testid="recalled"]', { hasText: `${a.display} recalled a message` }).waitFor();
    await bob.page.locator('[data-testid="quote"]', { hasText: "Message recalled" }).waitFor();
    assert.equal(await message(bob.page, "Lunch at 12:30?").count(), 0);
    // Bob cannot recall or edit Alice's messages: the menu does not offer it.
    await send(alice.page, "One more");
    await message(bob.page, "One more").waitFor();
    const last = bubble(bob.page, "One more");
    await last.hover();
    await last.getByRole("button", { name: "Message actions" }).click();
    await bob.page.getByRole("menuitem", { name: "Reply" }).waitFor();
    assert.equal(await bob.page.getByRole("menuitem", { name: "Recall" }).count(), 0);
    assert.equal(await bob.page.getByRole("menuitem", { name: "Edit" }).count(), 0);
    await bob.page.keyboard.press("Escape");
    noProblems();
  });

  test("in Chinese: 回复 and 撤回", async () => {
    const { alice, bob, a, b } = await pair();
    await bob.page.getByRole("button", { name: "Settings" }).click();
    await bob.page.getByRole("menuitem", { name: "简体中文" }).click();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "明天开会");
    await openConversation(bob.page, a.display);
    await act(bob.page, "明天开会", "回复");
    await send(bob.page, "好的", "消息内容");
    await act(bob.page, "好的", "撤回");
    await bob.page.locator('[data-testid="recalled"]', { hasText: "你撤回了一条消息" }).waitFor();
    await alice.page.locator('[data-testid="recalled"]', { hasText: `${b.display} recalled a message` }).waitFor();
    noProblems();
  });

  test("@ offers the group's members, Chinese names too; the mentioned one is flagged", async () => {
    const { alice, bob, b } = await pair();
    const carol = await person();
    const c = { name: uniqueName("carol"), display: "陈小明" };
    await signUp(carol.page, c.name, c.display);
    await createGroup(alice.page, "周会", [b.name, c.name]);
    await send(alice.page, "hello");
    await openConversation(bob.page, "周会");
    const box = bob.page.getByLabel("Message text");
    await box.pressSequentially("@小明");
    await bob.page.getByRole("option", { name: /陈小明/ }).waitFor();
    await box.press("Enter");
    assert.equal(await box.inputValue(), "@陈小明 ", "the pick replaces what was typed");
    await box.pressSequentially("开会了");
    await box.press("Enter");
    // Carol's list says she was mentioned; in the conversation the message stands out.
    await conversationItem(carol.page, "周会").locator('[data-testid="mentioned"]').waitFor();
    await openConversation(carol.page, "周会");
    await carol.page.locator(".msg.mentions-me", { hasText: "@陈小明 开会了" }).waitFor();
    await conversationItem(carol.page, "周会").locator('[data-testid="mentioned"]').waitFor({ state: "detached" });
    // Bob is no owner: no @all for him.
    await box.pressSequentially("@al");
    assert.equal(await bob.page.getByRole("option", { name: "all" }).count(), 0);
    noProblems();
  });

  test("a pinned message shows in the bar on both sides until it is unpinned", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "The plan: ship on Friday");
    await send(alice.page, "something else");
    await openConversation(bob.page, a.display);
    await message(bob.page, "something else").waitFor();
    await act(alice.page, "The plan: ship on Friday", "Pin");
    for (const p of [alice.page, bob.page]) {
      await p.locator('[data-testid="pinned-bar"]', { hasText: "The plan: ship on Friday" }).waitFor();
    }
    // In a direct conversation either side may unpin it.
    await bob.page.locator('[data-testid="pinned-bar"]').getByRole("button", { name: "Unpin" }).click();
    for (const p of [alice.page, bob.page]) {
      await p.locator('[data-testid="pinned-bar"]').waitFor({ state: "detached" });
    }
    noProblems();
  });

  test("forward: the copy lands in the other conversation, attributed to its author", async () => {
    const { alice, bob, a, b } = await pair();
    const carol = await person();
    const c = { name: uniqueName("carol"), display: "Carol" };
    await signUp(carol.page, c.name, c.display);
    await startDirectChat(bob.page, a.name, a.display);
    await send(bob.page, "Minutes are in the wiki");
    await startDirectChat(alice.page, c.name, c.display);
    await openConversation(alice.page, b.display);
    await act(alice.page, "Minutes are in the wiki", "Forward");
    await alice.page.getByRole("dialog").getByRole("button", { name: c.display }).click();
    await openConversation(carol.page, a.display);
    const copy = bubble(carol.page, "Minutes are in the wiki");
    await copy.locator(".forwarded", { hasText: `Forwarded from ${b.display}` }).waitFor();
    noProblems();
  });
});

describe("the recall window", () => {
  // Two seconds instead of two minutes, so that the test can see it close.
  const { pair, noProblems } = suite(["--messages.recall-window-s", "2"]);

  test("a message is recalled within the window; after it, the menu no longer offers it", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "wrong chat, sorry");
    await act(alice.page, "wrong chat, sorry", "Recall");
    await openConversation(bob.page, a.display);
    await bob.page.locator('[data-testid="recalled"]', { hasText: `${a.display} recalled a message` }).waitFor();
    assert.equal(await message(bob.page, "wrong chat, sorry").count(), 0);

    await send(alice.page, "this one stays");
    await message(bob.page, "this one stays").waitFor();
    // Once the window has passed (the very thing checked, hence the polling), the sender's own
    // menu offers no recall.
    const target = bubble(alice.page, "this one stays");
    await eventually(async () => {
      await target.hover();
      await target.getByRole("button", { name: "Message actions" }).click();
      await alice.page.getByRole("menuitem", { name: "Reply" }).waitFor();
      const offered = await alice.page.getByRole("menuitem", { name: "Recall" }).count();
      await alice.page.keyboard.press("Escape");
      assert.equal(offered, 0, "recall still offered");
    }, "the recall window to close");
    assert.equal(await message(bob.page, "this one stays").count(), 1);
    noProblems();
  });
});
