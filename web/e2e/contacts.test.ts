// Contacts and blocks in the browser: a colleague asks to become a contact with a note, the other
// accepts, both see each other listed; one limits group invitations to contacts; then blocks
// the other from their conversation, whose messages then fail with the documented reason, and
// unblocks them again from Contacts.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { message, openConversation, send, startDirectChat } from "./src/app.js";
import { eventually } from "./src/poll.js";
import { suite } from "./src/suite.js";

async function openContacts(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("menuitem", { name: "Contacts" }).click();
  await page.getByRole("dialog", { name: "Contacts" }).waitFor();
}

describe("contacts", () => {
  const { pair, noProblems } = suite();

  test("a request with a note is accepted; a block makes sends fail with its reason, until lifted", async () => {
    const { alice, bob, a, b } = await pair();
    await openContacts(alice.page);
    const aliceContacts = alice.page.getByRole("dialog", { name: "Contacts" });
    await aliceContacts.getByLabel("Add a contact").fill(b.name);
    await aliceContacts.getByLabel("A note for them (optional)").fill("我是市场部的 Alice");
    await aliceContacts.getByRole("button", { name: "Send request" }).click();
    await aliceContacts.getByText(`Request sent to ${b.display}.`).waitFor();
    await aliceContacts.getByTestId(`person-${b.name}`).waitFor();

    await openContacts(bob.page);
    const bobContacts = bob.page.getByRole("dialog", { name: "Contacts" });
    const request = bobContacts.getByRole("region", { name: "Requests" }).getByTestId(`person-${a.name}`);
    await request.getByText("我是市场部的 Alice").waitFor();
    await request.getByRole("button", { name: "Accept" }).click();
    await bobContacts.getByRole("list", { name: "My contacts" }).getByTestId(`person-${a.name}`).waitFor();
    // Alice's list follows without a reload (the contact frame).
    await aliceContacts.getByRole("list", { name: "My contacts" }).getByTestId(`person-${b.name}`).waitFor();
    // Only contacts may add bob to groups from now on.
    await bobContacts.getByLabel("Who can add me to groups").selectOption("contacts");
    await eventually(async () => assert.equal(await bobContacts.getByLabel("Who can add me to groups").inputValue(), "contacts"), "the setting to stick");
    await bob.page.getByRole("button", { name: "Close" }).click();
    await alice.page.getByRole("button", { name: "Close" }).click();

    // Bob blocks alice from their conversation: her next message fails, saying why.
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "before the block");
    await openConversation(bob.page, a.display);
    await message(bob.page, "before the block").waitFor();
    await bob.page.getByRole("button", { name: "Conversation options" }).click();
    await bob.page.getByRole("menuitem", { name: "Block" }).click();
    await bob.page.getByText(`You blocked ${a.display}.`).waitFor();
    await send(alice.page, "are you there?");
    await alice.page.locator(".failed-reason", { hasText: "You cannot reach this person." }).waitFor();
    // Nothing reached bob; his copy of the history is as it was.
    assert.equal(await message(bob.page, "are you there?").count(), 0);

    // Unblocked from Contacts, alice's retry goes through.
    await openContacts(bob.page);
    const blockedList = bob.page.getByRole("list", { name: "Blocked" });
    await blockedList.getByTestId(`person-${a.name}`).getByRole("button", { name: "Unblock" }).click();
    await blockedList.waitFor({ state: "detached" });
    await bob.page.getByRole("button", { name: "Close" }).click();
    await alice.page.getByRole("button", { name: "Retry" }).click();
    await message(bob.page, "are you there?").waitFor();
    noProblems();
  });
});
