// Read receipts as people see them: in a direct chat your message gets its read mark once the
// other side has it on screen; in a group, "Read by N" under your message opens who has and
// has not read it; someone who stops sharing theirs drops out of those lists (and in Chinese).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bubble, createGroup, message, openConversation, send, signUp, startDirectChat, uniqueName } from "./src/app.js";
import { suite } from "./src/suite.js";

describe("read receipts", () => {
  const { person, pair, noProblems } = suite();

  test("a direct message is marked read when the other side opens it", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "did you see this?");
    await bubble(alice.page, "did you see this?").locator(".meta .state.sent").waitFor();
    await openConversation(bob.page, a.display);
    await message(bob.page, "did you see this?").waitFor();
    await bubble(alice.page, "did you see this?").locator(".meta .state.read").waitFor();
    noProblems();
  });

  test("in a group, who read your message and who did not; one who stops sharing drops out", async () => {
    const { alice, bob, b } = await pair();
    const carol = await person();
    const c = { name: uniqueName("carol"), display: "陈小明" };
    await signUp(carol.page, c.name, c.display);
    await createGroup(alice.page, "读书会", [b.name, c.name]);
    await send(alice.page, "第一章读完了吗？");
    const line = bubble(alice.page, "第一章读完了吗？").locator('[data-testid="seen-by"]');
    await line.filter({ hasText: "Not read yet" }).waitFor();

    await openConversation(bob.page, "读书会");
    await message(bob.page, "第一章读完了吗？").waitFor();
    await line.filter({ hasText: "Read by 1" }).waitFor();
    await line.click();
    const read = alice.page.locator('[data-testid="seen-read"]');
    const unread = alice.page.locator('[data-testid="seen-unread"]');
    await read.filter({ hasText: b.display }).waitFor();
    await unread.filter({ hasText: c.display }).waitFor();
    await alice.page.keyboard.press("Escape");

    // Carol, in Chinese, stops sharing hers: she is listed nowhere, even after reading.
    await carol.page.getByRole("button", { name: "Settings" }).click();
    await carol.page.getByRole("menuitem", { name: "简体中文" }).click();
    await carol.page.getByRole("button", { name: "设置" }).click();
    const share = carol.page.getByRole("menuitemcheckbox", { name: "发送已读回执" });
    await share.and(carol.page.locator('[aria-checked="true"]')).waitFor();
    await share.click();
    await carol.page.getByRole("button", { name: "设置" }).click();
    await carol.page.getByRole("menuitemcheckbox", { name: "发送已读回执" }).and(carol.page.locator('[aria-checked="false"]')).waitFor();
    await carol.page.keyboard.press("Escape");
    await openConversation(carol.page, "读书会");
    await message(carol.page, "第一章读完了吗？").waitFor();
    // Carol sees nobody's: no "已读" line under her own message either.
    await send(carol.page, "读完了", "消息内容");
    // Alice's page learns who shares when it opens the conversation again.
    await alice.page.reload();
    await openConversation(alice.page, "读书会");
    await line.filter({ hasText: "Read by everyone" }).waitFor();
    await line.click();
    await read.filter({ hasText: b.display }).waitFor();
    await unread.waitFor({ state: "attached" });
    const listed = `${await read.textContent()} ${await unread.textContent()}`;
    assert.ok(!listed.includes(c.display), `carol is listed: ${listed}`);
    await alice.page.keyboard.press("Escape");
    await bubble(carol.page, "读完了").waitFor();
    assert.equal(await bubble(carol.page, "读完了").locator('[data-testid="seen-by"]').count(), 0, "carol, who does not share hers, sees no read line");
    noProblems();
  });
});
