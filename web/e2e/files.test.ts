// Files between two browsers, as people send them: a photo from the file button (stored
// rotated, with EXIF orientation and a GPS position), a document, a picture dropped on the
// conversation, and a voice message recorded with the microphone (Chromium's fake device).
// The receiver sees the photo upright, downloads the document's exact bytes and plays the voice.
// Also in Chinese, and at phone width (screenshots in artifacts/).

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { createGroup, openConversation, startDirectChat } from "./src/app.js";
import { eventually } from "./src/poll.js";
import { suite } from "./src/suite.js";

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/media/${name}`, import.meta.url));

/** SHA-256 of what `url` serves, fetched by the page itself (its session, its origin). */
async function pageSha(page: Page, url: string): Promise<string> {
  return page.evaluate(async (u) => {
    const bytes = await (await fetch(u)).arrayBuffer();
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }, url);
}

describe("files", () => {
  const { pair, person, noProblems } = suite();

  test("a photo, a document, a dropped picture and a voice message reach the other browser", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    const notes = Buffer.from("Quarterly numbers 季度数据\n1,2,3\n");
    await alice.page.getByTestId("file-input").setInputFiles([
      { name: "IMG_0006.jpg", mimeType: "image/jpeg", buffer: fixture("o6.jpg") },
      { name: "notes 笔记.txt", mimeType: "text/plain", buffer: notes },
    ]);
    // The picture shows at once while it uploads, then as a message.
    await alice.page.getByTestId("image").first().waitFor();
    await alice.page.getByTestId("file-card").first().waitFor();

    // A picture dropped on the conversation.
    await alice.page.evaluate((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], "dropped.png", { type: "image/png" }));
      const chat = document.querySelector(".chat");
      for (const type of ["dragenter", "dragover", "drop"]) {
        chat?.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    }, [...fixture("transparent.png")]);

    // A voice message: record for over a second, then send.
    await alice.page.getByRole("button", { name: "Record a voice message" }).click();
    await eventually(async () => {
      assert.match((await alice.page.locator(".recording-bar").textContent()) ?? "", /0:0[1-9]/);
    }, "a second of recording");
    await alice.page.getByRole("button", { name: "Stop and send" }).click();
    await alice.page.getByTestId("voice").waitFor();

    await openConversation(bob.page, a.display);
    const images = bob.page.getByTestId("image");
    await eventually(async () => assert.equal(await images.count(), 2), "both pictures on bob's side");
    // The photo was stored turned; bob sees it upright, the red corner at the top left.
    const photo = images.first();
    await eventually(async () => assert.ok(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)), "the photo to load");
    const shown = await photo.evaluate((img: HTMLImageElement) => {
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext("2d");
      context?.drawImage(img, 0, 0);
      const corner = context?.getImageData(3, 3, 1, 1).data;
      return { width: img.naturalWidth, height: img.naturalHeight, corner: corner === undefined ? [] : [...corner] };
    });
    assert.deepEqual([shown.width, shown.height], [40, 60], "upright: taller than wide");
    assert.ok((shown.corner[0] ?? 0) > 200 && (shown.corner[1] ?? 255) < 80, `red at the top left: ${shown.corner.join(",")}`);

    // The full-screen viewer shows the whole picture.
    await photo.click();
    await bob.page.getByTestId("viewer-image").waitFor();
    await bob.page.keyboard.press("Escape");

    // The document downloads byte for byte.
    const card = bob.page.getByTestId("file-card").filter({ hasText: "notes 笔记.txt" });
    const link = card.getByTestId("download");
    await link.waitFor();
    assert.equal(await link.getAttribute("download"), "notes 笔记.txt");
    const href = (await link.getAttribute("href")) ?? "";
    assert.equal(await pageSha(bob.page, href), createHash("sha256").update(notes).digest("hex"));

    // The voice message plays.
    const voice = bob.page.getByTestId("voice");
    await voice.waitFor();
    assert.match((await voice.locator(".voice-time").textContent()) ?? "", /^0:0[1-9]$/);
    await voice.getByRole("button", { name: "Play" }).click();
    await voice.getByRole("button", { name: "Pause" }).waitFor();

    // The list says what came last.
    await bob.page.screenshot({ path: `${ARTIFACTS}files-desktop.png` });
    noProblems();
  });

  test("in Chinese at phone width: the picture, the file card and the words for them", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await alice.page.getByTestId("file-input").setInputFiles([{ name: "large.jpg", mimeType: "image/jpeg", buffer: fixture("large.jpg") }]);
    await alice.page.getByTestId("image").waitFor();

    const phone = await person({ width: 390, height: 844 });
    await phone.page.goto("/");
    await phone.page.evaluate(() => localStorage.setItem("tern.lang", "zh-CN"));
    await phone.page.goto("/");
    await phone.page.getByLabel("用户名").fill(b.name);
    await phone.page.getByLabel("密码").fill("correct horse battery");
    await phone.page.locator("form button[type=submit]").click();
    await phone.page.locator(".conversation", { hasText: "[图片]" }).waitFor();
    await openConversation(phone.page, a.display);
    const image = phone.page.getByTestId("image");
    await eventually(async () => assert.ok(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)), "the preview to load");
    // The bubble gets the 1280-pixel preview, never the whole upload.
    assert.equal(await image.evaluate((img: HTMLImageElement) => img.naturalWidth), 1280);
    const box = await image.boundingBox();
    assert.ok(box !== null && box.width <= 390, "fits a phone's width");
    await phone.page.screenshot({ path: `${ARTIFACTS}files-phone-zh.png` });
    noProblems();
    void bob;
  });

  test("a profile picture shows beside the name, for the others too", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    await alice.page.getByTestId("picture-input").setInputFiles([{ name: "me.jpg", mimeType: "image/jpeg", buffer: fixture("large.jpg") }]);
    const own = alice.page.locator(".sidebar-header .avatar.picture img");
    await own.waitFor();
    // Bob's list shows alice's picture, a square cut from the middle of her photo.
    await bob.page.reload();
    const theirs = bob.page.locator(".conversation .avatar.picture img").first();
    await theirs.waitFor();
    await eventually(async () => assert.equal(await theirs.evaluate((img: HTMLImageElement) => img.naturalWidth), 256), "the square picture to load");
    assert.equal(await theirs.evaluate((img: HTMLImageElement) => img.naturalHeight), 256);
    // Removed from the menu: initials again.
    await alice.page.getByRole("button", { name: "Settings" }).click();
    await alice.page.getByRole("menuitem", { name: "Remove profile picture" }).click();
    await eventually(async () => assert.equal(await alice.page.locator(".sidebar-header .avatar.picture").count(), 0), "the initials back");
    void a;
    noProblems();
  });

  test("a pasted picture and a video with its poster; an upload cut off resumes, one cancelled is gone", async () => {
    const { alice, bob, a, b } = await pair();
    await startDirectChat(alice.page, b.name, b.display);
    // Pasted, as from a screenshot tool.
    await alice.page.getByLabel("Message text").focus();
    await alice.page.evaluate((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], "screenshot.png", { type: "image/png" }));
      document.activeElement?.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, [...fixture("transparent.png")]);
    await alice.page.getByTestId("image").waitFor();

    // A video: the browser measures it and takes its first frame for the poster.
    await alice.page.getByTestId("file-input").setInputFiles([{ name: "clip.webm", mimeType: "video/webm", buffer: fixture("clip.webm") }]);
    await alice.page.getByTestId("video").waitFor();

    // The first chunk of the next upload is cut off: the upload asks where it stands and goes on.
    let cut = false;
    await alice.page.route("**/api/v1/files/uploads/**", async (route) => {
      if (route.request().method() === "PATCH" && !cut) {
        cut = true;
        await route.abort("connectionreset");
      } else {
        await route.continue();
      }
    });
    const report = Buffer.from("report ".repeat(1000));
    await alice.page.getByTestId("file-input").setInputFiles([{ name: "report.txt", mimeType: "text/plain", buffer: report }]);
    await alice.page.getByTestId("file-card").filter({ hasText: "report.txt" }).getByTestId("download").waitFor();
    assert.ok(cut, "the first try was cut off");

    // One that never gets through is cancelled: gone from the list, never sent.
    await alice.page.route("**/api/v1/files", (route) => route.abort("connectionrefused"));
    await alice.page.getByTestId("file-input").setInputFiles([{ name: "never.txt", mimeType: "text/plain", buffer: Buffer.from("never") }]);
    const stuck = alice.page.getByTestId("upload").filter({ hasText: "never.txt" });
    await stuck.waitFor();
    await stuck.getByRole("button", { name: "Cancel upload" }).click();
    await eventually(async () => assert.equal(await alice.page.getByTestId("upload").count(), 0), "the upload to go");

    await openConversation(bob.page, a.display);
    const video = bob.page.getByTestId("video");
    await video.waitFor();
    await eventually(async () => assert.ok(((await video.getAttribute("poster")) ?? "").includes("/api/v1/files/"), "a poster picture"), "the poster");
    assert.ok(((await video.getAttribute("src")) ?? "").includes("/api/v1/files/"));
    const card = bob.page.getByTestId("file-card").filter({ hasText: "report.txt" });
    const href = (await card.getByTestId("download").getAttribute("href")) ?? "";
    assert.equal(await pageSha(bob.page, href), createHash("sha256").update(report).digest("hex"));
    assert.equal(await bob.page.getByTestId("file-card").filter({ hasText: "never.txt" }).count(), 0);
    noProblems();
  });

  test("a group's owner sets its picture; the members see it, and the line that says so", async () => {
    const { alice, bob, b } = await pair();
    await createGroup(alice.page, "Photo club 摄影", [b.name]);
    await alice.page.getByRole("button", { name: "Group info" }).first().click();
    await alice.page.getByTestId("group-picture-input").setInputFiles([{ name: "club.jpg", mimeType: "image/jpeg", buffer: fixture("large.jpg") }]);
    await alice.page.locator(".group-hero .avatar.picture img").waitFor();
    await alice.page.keyboard.press("Escape");
    await openConversation(bob.page, "Photo club 摄影");
    await bob.page.locator(".system-line", { hasText: "changed the group picture" }).waitFor();
    const inList = bob.page.locator(".conversation .avatar.picture img").first();
    await eventually(async () => assert.equal(await inList.evaluate((img: HTMLImageElement) => img.naturalWidth), 256), "the group's picture in bob's list");
    noProblems();
  });
});
