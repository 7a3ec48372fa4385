// Files against a real tern: the SDK's resumable upload and the reference tus client
// (tus-js-client) both continue after the connection is cut mid-way; media messages and signed
// links.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import * as tus from "tus-js-client";
import { FileLinks, Upload, mediaContent } from "../src/files.js";
import type { Event } from "../src/protocol.js";
import { account, client, until } from "./support/live.js";
import { Api } from "../src/rest.js";
import { TERN_BIN, startTern, ternAvailable, type Tern } from "./support/tern.js";

const skip = ternAvailable() ? false : `no tern binary at ${TERN_BIN} (set TERN_BIN)`;

/**
 * A TCP proxy to tern that cuts the first connection carrying more than `cutAfter` bytes
 * upstream (a phone going into a tunnel mid-upload); later connections pass untouched.
 */
async function cuttingProxy(target: URL, cutAfter: number): Promise<{ url: string; cuts: () => number; close: () => void }> {
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(downstream).add(upstream);
    let sent = 0;
    downstream.on("data", (chunk: Buffer) => {
      sent += chunk.length;
      if (cuts === 0 && sent > cutAfter) {
        cuts += 1;
        upstream.write(chunk.subarray(0, chunk.length - (sent - cutAfter)));
        downstream.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => downstream.write(chunk));
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
    downstream.on("error", () => undefined);
    upstream.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    cuts: () => cuts,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function bytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 11)) % 251;
  return out;
}

const sha = (data: Uint8Array | ArrayBuffer) => createHash("sha256").update(new Uint8Array(data)).digest("hex");

describe("files against a real tern", { skip }, () => {
  let tern: Tern;

  before(async () => {
    tern = await startTern();
  });

  after(async () => {
    await tern?.stop();
  });

  test("the SDK's upload continues where a cut connection left it, and the bytes arrive whole", async () => {
    const alice = await account(tern.url, "alice");
    const proxy = await cuttingProxy(new URL(tern.url), 1_500_000);
    try {
      const data = bytes(3_000_000);
      const progress: number[] = [];
      const viaProxy = new Api({ baseUrl: proxy.url, token: alice.token });
      const upload = new Upload(viaProxy, new Blob([data]), {
        name: "数据.bin",
        chunkBytes: 1_000_000,
        onProgress: (sent) => progress.push(sent),
      });
      const file = await upload.start();
      assert.equal(proxy.cuts(), 1, "the connection was cut once");
      assert.equal(file.name, "数据.bin");
      assert.equal(file.size, data.length);
      assert.equal(progress.at(-1), data.length);
      assert.ok(progress.some((p) => p > 0 && p < data.length), "progress was reported along the way");
      const links = await alice.api.fileLinks([{ id: file.id }]);
      const downloaded = await (await fetch(tern.url + links[0]!.url)).arrayBuffer();
      assert.equal(sha(downloaded), sha(data));
    } finally {
      proxy.close();
    }
  });

  test("the reference tus client resumes after a cut too", async () => {
    const bob = await account(tern.url, "bob");
    const proxy = await cuttingProxy(new URL(tern.url), 800_000);
    try {
      const data = Buffer.from(bytes(2_000_000));
      const fileId = await new Promise<string>((resolve, reject) => {
        const upload = new tus.Upload(data, {
          endpoint: `${proxy.url}/api/v1/files`,
          headers: { authorization: `Bearer ${bob.token}` },
          metadata: { filename: "reference.bin" },
          retryDelays: [0, 100, 200, 400],
          onError: reject,
          onSuccess: (payload) => {
            const id = payload.lastResponse.getHeader("tern-file");
            if (id === undefined) reject(new Error("no tern-file header on the last answer"));
            else resolve(id);
          },
        });
        upload.start();
      });
      assert.equal(proxy.cuts(), 1);
      const info = await bob.api.fileInfo(fileId);
      assert.equal(info.size, data.length);
      assert.equal(info.name, "reference.bin");
      const [link] = await bob.api.fileLinks([{ id: fileId }]);
      const downloaded = await (await fetch(tern.url + link!.url)).arrayBuffer();
      assert.equal(sha(downloaded), sha(data));
    } finally {
      proxy.close();
    }
  });

  test("a picture is sent as an image; the receiver's links fetch it and its thumbnail", async () => {
    const alice = await account(tern.url, "carol");
    const bob = await account(tern.url, "dave");
    const direct = await alice.api.openDirect({ user: bob.user.id });
    const b = client(tern.url, bob);
    const events: Event[] = [];
    b.on("event", (e) => events.push(e));
    try {
      await until(() => b.status === "online", "bob online");
      // 64×64: too small for renditions, it is its own thumbnail.
      const png = readFileSync(new URL("../../../../fixtures/media/transparent.png", import.meta.url));
      const file = await alice.api.upload(new Blob([png]), "dot.png");
      assert.equal(file.picture?.width, 64);
      const content = mediaContent(file);
      assert.equal(content.type, "image");
      await alice.api.send(direct.id, "img-1", content);
      await until(() => events.some((e) => e.conv === direct.id && e.content.type === "image"), "the image event");
      const event = events.find((e) => e.content.type === "image");
      assert.equal((event?.content as { file: { name: string } }).file.name, "dot.png");
      const links = new FileLinks(() => bob.api);
      const [whole, thumb] = await Promise.all([links.url(file.id), links.url(file.id, "thumb")]);
      assert.ok(whole !== undefined && thumb !== undefined);
      assert.equal(links.cached(file.id), whole, "kept for the next view");
      const fetched = new Uint8Array(await (await fetch(whole)).arrayBuffer());
      assert.equal(sha(fetched), sha(new Uint8Array(await (await fetch(thumb)).arrayBuffer())));
      // A file bob may not read has no link.
      const secret = await alice.api.upload(new Blob(["only mine"]), "secret.txt");
      assert.equal(await links.url(secret.id), undefined);
    } finally {
      b.close();
    }
  });
});
