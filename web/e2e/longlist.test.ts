// A conversation of 10,000 messages read back to its very first one, as someone catching up on
// a busy group would: the page keeps only a few screens of messages in the DOM however many are
// loaded, and frames stay smooth while loading back and while scrolling through all of them
// again: their 99th percentile under 50 ms, or, on a machine where even a short conversation
// (every message in the DOM) does not scroll that smoothly, within three times what that one does.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { api, conversationId, message, openConversation, send, startDirectChat } from "./src/app.js";
import { eventually } from "./src/poll.js";
import { suite } from "./src/suite.js";

const MESSAGES = 10_000;
/** Below the 300 rows from which the list is windowed: every message in the DOM. */
const SHORT = 250;

/** Starts recording the time between animation frames in the page. */
async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; recording_: boolean };
    w.frames_ = [];
    if (w.recording_) return;
    w.recording_ = true;
    let last = performance.now();
    const loop = (now: number) => {
      w.frames_.push(now - last);
      last = now;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
}

/** Scrolls `list` from top to bottom, a screen and a half per frame. */
async function scrollThrough(list: Locator): Promise<void> {
  await list.evaluate((el) => el.scrollTo({ top: 0 }));
  await list.evaluate(
    (el) =>
      new Promise<void>((done) => {
        const step = () => {
          el.scrollTop += el.clientHeight * 1.5;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) done();
          else requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
  );
}

/** The 99th percentile of the frame times recorded since `recordFrames`, in ms. */
async function p99(page: Page): Promise<{ p99: number; frames: number }> {
  const frames = await page.evaluate(() => (window as unknown as { frames_: number[] }).frames_.slice());
  frames.sort((x, y) => x - y);
  return { p99: frames[Math.floor(frames.length * 0.99)] ?? 0, frames: frames.length };
}

describe("a long conversation", () => {
  const { pair, noProblems } = suite();

  test("10,000 loaded messages: a few screens in the DOM, smooth frames loading back and scrolling", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await send(alice.page, "the very first");
    const conv = conversationId(alice.page);
    const alicesApi = await api(alice.page);
    // Sent in parallel batches (they commit in any order within one), then one alone, last.
    for (let start = 1; start < MESSAGES - 1; start += 250) {
      const batch = Array.from({ length: Math.min(250, MESSAGES - 1 - start) }, (_, i) => start + i);
      await Promise.all(
        batch.map((n) => alicesApi.call("POST", `/conversations/${conv}/messages`, { cmid: `long-${n}`, content: { type: "text", text: `message ${n}` } })),
      );
    }
    await send(alice.page, "the very last");
    // Bob has read them elsewhere: the conversation opens at its newest message.
    await (await api(bob.page)).call("POST", `/conversations/${conv}/read`, { seq: 1_000_000 });
    await openConversation(bob.page, a.display);
    await message(bob.page, "the very last").waitFor();

    // Reading back to the start: scrolling up loads older pages until the beginning shows.
    await recordFrames(bob.page);
    const list = bob.page.locator(".messages");
    await eventually(
      async () => {
        await list.evaluate((el) => el.scrollTo({ top: 0 }));
        assert.equal(await bob.page.locator(".history-start").count(), 1, "the beginning is shown");
      },
      "loading back to the first message",
      180_000,
    );
    await message(bob.page, "the very first").waitFor();
    const loading = await p99(bob.page);
    const rows = await bob.page.locator(".messages [data-seq]").count();
    assert.ok(rows < 600, `${rows} messages in the DOM with ${MESSAGES} loaded`);

    // Scrolling through everything again, a screen and a half per frame.
    await recordFrames(bob.page);
    await scrollThrough(list);
    await message(bob.page, "the very last").waitFor();
    const scrolling = await p99(bob.page);

    // What this machine does with a short conversation, all of it in the DOM.
    const bobsApi = await api(bob.page);
    const short = (await bobsApi.call("POST", "/conversations/group", { name: "Short one", members: [] })).id as number;
    await Promise.all(
      Array.from({ length: SHORT }, (_, n) => bobsApi.call("POST", `/conversations/${short}/messages`, { cmid: `short-${n}`, content: { type: "text", text: `short ${n}` } })),
    );
    await openConversation(bob.page, "Short one");
    await eventually(
      async () => {
        await list.evaluate((el) => el.scrollTo({ top: 0 }));
        assert.equal(await bob.page.locator(".history-start").count(), 1, "the beginning is shown");
      },
      "loading the short one back to its first message",
    );
    assert.equal(await bob.page.locator(".messages [data-seq]").count(), SHORT + 1, "every message of the short one in the DOM");
    await recordFrames(bob.page);
    for (let i = 0; i < 5; i += 1) await scrollThrough(list);
    const baseline = await p99(bob.page);
    // Three times the short one, and a frame: windowing keeps 10,000 close to 250 (without it,
    // every frame would lay out 10,000 rows and take seconds). A p99 is a handful of frames, each
    // a whole number of display refreshes, so the margin is wide.
    const bound = Math.max(50, baseline.p99 * 3 + 17);
    assert.ok(loading.p99 < bound, `loading back: p99 frame ${loading.p99.toFixed(1)} ms over ${loading.frames} frames (bound ${bound.toFixed(1)} ms)`);
    assert.ok(scrolling.p99 < bound, `scrolling: p99 frame ${scrolling.p99.toFixed(1)} ms over ${scrolling.frames} frames (bound ${bound.toFixed(1)} ms)`);
    console.log(`${MESSAGES} messages: p99 frame ${loading.p99.toFixed(1)} ms loading back, ${scrolling.p99.toFixed(1)} ms scrolling; ${rows} in the DOM; ${SHORT} messages: p99 ${baseline.p99.toFixed(1)} ms scrolling`);
    noProblems();
  });
});
