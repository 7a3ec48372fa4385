// Building blocks for scripted-server tests: a client wired to fakes, and frame builders.

import { TernClient, type ClientEvents, type ClientOptions } from "../../src/client.js";
import type { ConversationSummary, Event, ServerFrame, UserProfile } from "../../src/protocol.js";
import { MemoryStorage } from "../../src/storage.js";
import { FakeNetwork, type FakeSocket } from "./fake-socket.js";
import { FakeTimers } from "./fake-timers.js";

export const ALICE: UserProfile = { id: 1, username: "alice", display_name: "Alice", created_at: 0 };
export const BOB: UserProfile = { id: 2, username: "bob", display_name: "Bob", created_at: 0 };

export interface Harness {
  client: TernClient;
  net: FakeNetwork;
  timers: FakeTimers;
  storage: MemoryStorage;
  /** Everything the client emitted, by event name, in order. */
  seen: { [K in keyof ClientEvents]: ClientEvents[K][] };
}

export function harness(options: Partial<ClientOptions> = {}): Harness {
  const net = new FakeNetwork();
  const timers = new FakeTimers();
  const storage = (options.storage as MemoryStorage | undefined) ?? new MemoryStorage();
  let cmids = 0;
  const client = new TernClient({
    token: "tern_test",
    server: "http://tern.test",
    socketFactory: net.factory,
    storage,
    timers,
    random: () => 0.5,
    newCmid: () => `c-${++cmids}`,
    ...options,
  });
  const seen = {
    status: [],
    connected: [],
    event: [],
    conversation: [],
    read: [],
    typing: [],
    receipts: [],
    settings: [],
    synced: [],
    outbox: [],
    ack: [],
    timeline: [],
    disconnected: [],
    loggedOut: [],
    problem: [],
    change: [],
  } as unknown as Harness["seen"];
  for (const name of Object.keys(seen) as (keyof ClientEvents)[]) {
    client.on(name, (payload) => (seen[name] as unknown[]).push(payload));
  }
  return { client, net, timers, storage, seen };
}

export function hello(user: UserProfile = ALICE): ServerFrame {
  return {
    type: "hello",
    user,
    session: 7,
    server_time: 1_700_000_000_000,
    heartbeat_ms: 25_000,
    idle_timeout_ms: 60_000,
    limits: { max_text_chars: 8000, max_frame_bytes: 65536, max_page: 100, max_group_members: 10000, max_users_per_request: 1000 },
  };
}

export function text(conv: number, seq: number, sender: number, body = `m${seq}`, cmid?: string): Event {
  const event: Event = { conv, seq, id: `id-${conv}-${seq}`, sender, ts: 1_700_000_000_000 + seq, content: { type: "text", text: body } };
  if (cmid !== undefined) event.cmid = cmid;
  else if (sender !== 0) event.cmid = `peer-${conv}-${seq}`;
  return event;
}

export function eventFrame(event: Event): ServerFrame {
  return { type: "event", ...event };
}

export function summary(id: number, lastSeq: number, readSeq: number, unread: number, extra: Partial<ConversationSummary> = {}): ConversationSummary {
  return { id, kind: "direct", name: null, peer: BOB, last_seq: lastSeq, read_seq: readSeq, unread, active: true, ...extra };
}

/** Answers the client's latest sync with these summaries and token. */
export function answerSync(socket: FakeSocket, token: string, conversations: ConversationSummary[]): void {
  const sync = socket.last("sync");
  socket.push({ type: "sync", rid: sync.rid, token, conversations });
}

/** Connects: hello, then the first sync answered. */
export function connect(h: Harness, conversations: ConversationSummary[] = [], token = "v1.1"): FakeSocket {
  if (h.net.sockets.length === 0) h.client.connect();
  const socket = h.net.current;
  socket.push(hello());
  answerSync(socket, token, conversations);
  return socket;
}

export function seqs(events: Event[], conv?: number): number[] {
  return events.filter((e) => conv === undefined || e.conv === conv).map((e) => e.seq);
}
