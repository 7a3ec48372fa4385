// What every browser test file shares: one tern and one browser for the file, people in their
// own browser contexts, and the check that nobody's page logged a problem or opened a dialog.

import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Browser } from "playwright-core";
import { signUp, uniqueName } from "./app.js";
import { launchBrowser, newPerson, type Person } from "./browser.js";
import { startTern, type Tern } from "./tern.js";

export interface Suite {
  tern(): Tern;
  person(viewport?: { width: number; height: number }): Promise<Person>;
  /** Two people who signed up, with their usernames and display names. */
  pair(): Promise<{ alice: Person; bob: Person; a: Account; b: Account }>;
  noProblems(): void;
}

export interface Account {
  name: string;
  display: string;
}

/** Registers the file's `before` and `after` hooks; call it at the top of a `describe`.
 * `settings`: extra flags for this tern (`--messages.recall-window-s`, "2"). */
export function suite(settings: string[] = []): Suite {
  let tern: Tern | undefined;
  let browser: Browser | undefined;
  const people: Person[] = [];

  before(async () => {
    tern = await startTern(settings);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await tern?.stop();
  });

  const person = async (viewport?: { width: number; height: number }) => {
    if (browser === undefined || tern === undefined) throw new Error("the suite has not started");
    const p = await newPerson(browser, tern.url, viewport);
    people.push(p);
    return p;
  };

  return {
    tern: () => {
      if (tern === undefined) throw new Error("the suite has not started");
      return tern;
    },
    person,
    pair: async () => {
      const alice = await person();
      const bob = await person();
      const a = { name: uniqueName("alice"), display: "Alice Martin" };
      const b = { name: uniqueName("bob"), display: "Bob 李" };
      await Promise.all([signUp(alice.page, a.name, a.display), signUp(bob.page, b.name, b.display)]);
      return { alice, bob, a, b };
    },
    noProblems: () => {
      for (const p of people) {
        assert.deepEqual(p.problems, [], "no CSP violations, page errors or console errors");
        assert.deepEqual(p.dialogs, [], "no native dialogs");
      }
    },
  };
}
