// What a person does in the web client, written against its accessible names (labels, roles),
// the way a screen-reader user would find things.

import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { eventually, expectEqual } from "./poll.js";

export const PASSWORD = "correct horse battery";

let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${(Date.now() % 100000).toString(36)}${counter}`;
}

export async function signUp(page: Page, username: string, displayName: string): Promise<void> {
  await page.goto("/");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Display name").fill(displayName);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Choose a conversation" }).waitFor();
}

/** Opens the 1:1 with `username`; `title` is the name the chat header then shows. */
export async function startDirectChat(page: Page, username: string, title: string): Promise<void> {
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByRole("menuitem", { name: "New chat" }).click();
  await page.getByLabel("Their username").fill(username);
  await page.getByRole("button", { name: "Start chat" }).click();
  await page.locator(".chat-title", { hasText: title }).waitFor();
}

export async function createGroup(page: Page, name: string, members: string[]): Promise<void> {
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.getByRole("menuitem", { name: "New group" }).click();
  await page.getByLabel("Group name").fill(name);
  await page.getByLabel("Members", { exact: true }).fill(members.join(", "));
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.locator(".chat-title", { hasText: name }).waitFor();
}

/** Sends `text` from the composer (`label`: its accessible name in the page's language). */
export async function send(page: Page, text: string, label = "Message text"): Promise<void> {
  const box = page.getByLabel(label);
  await box.fill(text);
  await box.press("Enter");
  await eventually(async () => expectEqual(await box.inputValue(), "", "composer"), "the composer to clear");
}

/** The list entry of a conversation, by its title. */
export function conversationItem(page: Page, title: string): Locator {
  return page.locator(".conversation", { has: page.locator(".conversation-title", { hasText: title }) });
}

export async function openConversation(page: Page, title: string): Promise<void> {
  await conversationItem(page, title).click();
  await page.locator(".chat-title", { hasText: title }).waitFor();
}

/** Message bubbles whose text is exactly `text`. */
export function message(page: Page, text: string): Locator {
  return page.locator('[data-testid="message"] .text').filter({ hasText: new RegExp(`^${escapeRegExp(text)}$`) });
}

/** The whole message (bubble, reactions, actions) whose text is exactly `text`. */
export function bubble(page: Page, text: string): Locator {
  const exact = new RegExp(`^${escapeRegExp(text)}$`);
  return page.locator('[data-testid="message"]').filter({ has: page.locator(".text").filter({ hasText: exact }) });
}

export function unreadBadge(page: Page, title: string): Locator {
  return conversationItem(page, title).locator('[data-testid="unread-badge"]');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** What the page's signed-in session can do over the REST API. */
export async function api(page: Page) {
  const token = await page.evaluate(() => (JSON.parse(localStorage.getItem("tern.session") ?? "{}") as { token?: string }).token);
  assert.ok(token, "signed in");
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await page.request.fetch(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      data: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok(), `${method} ${path}: ${response.status()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  return { call };
}

export function conversationId(page: Page): number {
  const match = /\/c\/(\d+)/.exec(page.url());
  assert.ok(match, `a conversation is open: ${page.url()}`);
  return Number(match[1]);
}

/** Removes a member from the open Group info dialog: their actions menu, then the confirmation. */
export async function removeMember(info: Locator, display: string): Promise<void> {
  await info.locator(".member", { hasText: display }).getByRole("button", { name: `Actions for ${display}` }).click();
  await info.page().getByRole("menuitem", { name: "Remove" }).click();
  await info.getByRole("group", { name: `Remove ${display} from this group?` }).getByRole("button", { name: "Remove" }).click();
}
