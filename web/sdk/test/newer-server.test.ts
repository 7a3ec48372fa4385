// The SDK against a scripted stand-in for a *newer* tern server: a conversation kind, a system
// event, a content type, a frame type, an error code and fields this build does not know. Such
// additions must never break an older client: the conversation keeps syncing and every event
// still arrives, in order.

import assert from "node:assert/strict";
import { test } from "node:test";
import { TernError } from "../src/errors.js";
import type { Event, ServerFrame } from "../src/protocol.js";
import { BOB, answerSync, harness, hello, seqs, summary, text } from "./support/scripted.js";

function event(seq: number, content: Record<string, unknown>): Event {
  return { conv: 5, seq, id: `id-5-${seq}`, sender: BOB.id, ts: 1_700_000_000_000 + seq, content: content as Event["content"] };
}

test("unknown variants from a newer server never stop the sync", async () => {
  const h = harness();
  h.client.connect();
  const socket = h.net.current;
  socket.push({ ...hello(), protocol: 7, features: ["hologram_calls"], region: "moon" } as unknown as ServerFrame);
  answerSync(socket, "v1.9", [summary(5, 0, 0, 0, { kind: "channel", name: "news", muted_until: 99 } as never)]);
  assert.equal(h.client.status, "online");
  assert.equal(h.client.conversation(5)?.kind, "channel");

  // A frame type it does not know is ignored; a gap is then repaired through events whose
  // content it does not know either.
  socket.push({ type: "presence", user: BOB.id, status: "away" } as unknown as ServerFrame);
  socket.push({ type: "event", ...text(5, 3, BOB.id, "still here") });
  const fetch = socket.last("fetch");
  socket.push({
    type: "events",
    rid: fetch.rid,
    conv: 5,
    has_more: false,
    events: [event(1, { type: "system", event: "pinned", seq: 9 }), event(2, { type: "poll", question: "lunch?" }), text(5, 3, BOB.id, "still here")],
  });
  assert.deepEqual(seqs(h.seen.event, 5), [1, 2, 3]);
  assert.equal(h.client.status, "online");

  // An error code it does not know still answers the request it belongs to.
  const read = h.client.markRead(5, 3);
  const request = socket.last("read");
  socket.push({ type: "error", rid: request.rid, code: "slow_down", message: "too many reads", retryable: false });
  await assert.rejects(read, (e: unknown) => e instanceof TernError && e.code === "slow_down" && e.message === "too many reads");
});
