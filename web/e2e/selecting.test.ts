// Reaching a message's actions without a mouse hover, and acting on several at once: a long
// press on a phone and a right click open the action menu; "Select" picks messages that are
// then forwarded together, in their order, each attributed to its author.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bubble, createGroup, message, openConversation, send, startDirectChat } from "./src/app.js";
import { suite } from "./src/suite.js";

describe("selecting messages", () => {
  const { pair, noProblems } = suite();

  test("a long press on a phone and a right click open the action menu", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "hold me");
    await openConversation(bob.page, a.display);
    const held = bubble(bob.page, "hold me");
    await held.waitFor();
    const box = await held.locator(".bubble").boundingBox();
    assert.ok(box, "the bubble is laid out");
    const at = { clientX: box.x + 10, clientY: box.y + 10, pointerType: "touch", isPrimary: true, bubbles: true };
    await held.dispatchEvent("pointerdown", at);
    await bob.page.getByRole("menuitem", { name: "Reply" }).waitFor();
    await held.dispatchEvent("pointerup", at);
    await bob.page.keyboard.press("Escape");
    await bob.page.getByRole("menuitem", { name: "Reply" }).waitFor({ state: "detached" });
    // A tap is no hold.
    await held.dispatchEvent("pointerdown", at);
    await held.dispatchEvent("pointerup", at);
    // Past the hold time (500 ms), nothing opened: the wait is the very thing checked.
    await bob.page.waitForTimeout(700);
    assert.equal(await bob.page.getByRole("menuitem", { name: "Reply" }).count(), 0, "a tap opens nothing");
    await held.locator(".bubble").click({ button: "right" });
    await bob.page.getByRole("menuitem", { name: "Reply" }).waitFor();
    noProblems();
  });

  test("several messages forwarded at once arrive in their order, each attributed", async () => {
    const { alice, bob, a, b } = await pair();
    await createGroup(alice.page, "Archive 存档", [b.name]);
    await startDirectChat(alice.page, b.name, b.display);
    for (const text of ["first", "second", "third"]) await send(alice.page, text);
    await openConversation(bob.page, a.display);
    await send(bob.page, "from bob");
    await message(alice.page, "from bob").waitFor();

    const second = bubble(alice.page, "second");
    await second.hover();
    await second.getByRole("button", { name: "Message actions" }).click();
    await alice.page.getByRole("menuitem", { name: "Select" }).click();
    await alice.page.getByText("1 selected").waitFor();
    // Picked out of order; they go in the conversation's order.
    await bubble(alice.page, "from bob").click();
    await alice.page.getByRole("checkbox", { name: "Select “first”" }).check();
    await alice.page.getByText("3 selected").waitFor();
    await alice.page.getByRole("checkbox", { name: "Select “second”" }).uncheck();
    await alice.page.getByText("2 selected").waitFor();
    await alice.page.getByRole("toolbar").getByRole("button", { name: "Forward" }).click();
    await alice.page.getByRole("button", { name: "Archive 存档" }).click();
    await alice.page.getByLabel("Message text").waitFor();

    await openConversation(bob.page, "Archive 存档");
    const copies = bob.page.locator('[data-testid="message"]').filter({ has: bob.page.locator(".forwarded") });
    await copies.nth(1).waitFor();
    const seen = await copies.evaluateAll((nodes) =>
      nodes.map((n) => `${n.querySelector(".forwarded")?.textContent} / ${n.querySelector(".text")?.textContent}`),
    );
    assert.deepEqual(seen, [`Forwarded from ${a.display} / first`, `Forwarded from ${b.display} / from bob`]);
    noProblems();
  });
});
