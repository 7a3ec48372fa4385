// Administering a group in the browser, as people do it: the owner makes a colleague admin from
// the member list; the admin mutes a noisy member for an hour and posts an announcement; the
// muted member sees why they cannot post, and the announcement; the admin mutes everyone, and
// lifts it. In Chinese, the muted member reads it all in Chinese.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createGroup, openConversation, send, signUp, uniqueName } from "./src/app.js";
import { eventually } from "./src/poll.js";
import { suite } from "./src/suite.js";

describe("groups", () => {
  const { pair, person, noProblems } = suite();

  test("the owner names an admin, who mutes a member and posts an announcement", async () => {
    const { alice, bob, a, b } = await pair();
    const carol = await person();
    const c = { name: uniqueName("carol"), display: "Carol 陈" };
    await signUp(carol.page, c.name, c.display);
    const group = "Release team";
    await createGroup(alice.page, group, [b.name, c.name]);

    // The owner makes bob an admin from the member list.
    await alice.page.getByRole("button", { name: "Group info" }).first().click();
    const bobRow = alice.page.getByTestId(`member-${b.name}`);
    await bobRow.getByRole("button", { name: `Actions for ${b.display}` }).click();
    await alice.page.getByRole("menuitem", { name: "Make admin" }).click();
    await bobRow.getByText("Admin", { exact: true }).waitFor();
    await alice.page.getByRole("button", { name: "Close" }).click();
    await alice.page.getByText(`${a.display} made ${b.display} an admin`).first().waitFor();

    // The admin mutes carol for an hour and posts an announcement.
    await openConversation(bob.page, group);
    await bob.page.getByRole("button", { name: "Group info" }).first().click();
    const carolRow = bob.page.getByTestId(`member-${c.name}`);
    await carolRow.getByRole("button", { name: `Actions for ${c.display}` }).click();
    await bob.page.getByRole("menuitem", { name: "Mute for 1 hour" }).click();
    await carolRow.getByText("Muted", { exact: true }).waitFor();
    // An admin may not act on the owner: no actions offered.
    assert.equal(await bob.page.getByTestId(`member-${a.name}`).getByRole("button").count(), 0);
    await bob.page.getByLabel("Announcement", { exact: true }).fill("发布周五下午三点开始 / Release on Friday 3pm");
    await bob.page.getByRole("button", { name: "Post" }).click();
    await bob.page.locator(".group-announcement").getByText("Release on Friday").waitFor();
    await bob.page.getByRole("button", { name: "Close" }).click();

    // Carol, in Chinese: the composer is replaced by the reason, the announcement is on top.
    await carol.page.evaluate(() => localStorage.setItem("tern.lang", "zh-CN"));
    await carol.page.reload();
    await openConversation(carol.page, group);
    await carol.page.getByTestId("muted-note").getByText(/你已被管理员禁言，至/).waitFor();
    assert.equal(await carol.page.getByLabel("消息内容").count(), 0, "no composer while muted");
    await carol.page.locator(".announcement-bar").getByText("发布周五下午三点开始").waitFor();
    await carol.page.getByText(/将 Carol 陈 禁言至/).first().waitFor();

    // Mute everyone: bob still speaks; after lifting it and carol's mute, carol speaks again.
    await bob.page.getByRole("button", { name: "Group info" }).first().click();
    // The box shows the group's state: it turns on once the server has done it.
    await bob.page.getByLabel("Mute everyone (only admins post)").click();
    await eventually(async () => assert.ok(await bob.page.getByLabel("Mute everyone (only admins post)").isChecked()), "mute all on");
    await bob.page.getByRole("button", { name: "Close" }).click();
    await send(bob.page, "Admins can still talk");
    await alice.page.getByText(`${b.display} muted everyone: only admins may post`).first().waitFor();
    await bob.page.getByRole("button", { name: "Group info" }).first().click();
    await bob.page.getByLabel("Mute everyone (only admins post)").click();
    await eventually(async () => assert.ok(!(await bob.page.getByLabel("Mute everyone (only admins post)").isChecked())), "mute all off");
    await carolRow.getByRole("button", { name: `Actions for ${c.display}` }).click();
    await bob.page.getByRole("menuitem", { name: "Unmute" }).click();
    await bob.page.getByRole("button", { name: "Close" }).click();
    await carol.page.getByLabel("消息内容").waitFor();
    await send(carol.page, "谢谢，我知道了", "消息内容");
    await bob.page.getByText("谢谢，我知道了").first().waitFor();
    noProblems();
  });
});
