// Helpers for tests against a real tern: accounts, clients over the `ws` package (Node 20 has
// no global WebSocket), a socket that can lose chosen frames, and waiting for conditions.

import WebSocket from "ws";
import { TernClient, type ClientOptions } from "../../src/client.js";
import type { ServerFrame, UserProfile } from "../../src/protocol.js";
import { Api } from "../../src/rest.js";
import type { SocketFactory, SocketLike } from "../../src/socket.js";

export const wsFactory: SocketFactory = (url) => new WebSocket(url) as unknown as SocketLike;

/** A socket that hides the server frames `drop` selects, as a lossy path would. */
export function lossyFactory(drop: (frame: ServerFrame) => boolean): SocketFactory {
  return (url) => {
    const ws = new WebSocket(url);
    const proxy: SocketLike = {
      get readyState() {
        return ws.readyState;
      },
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
    };
    ws.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as ServerFrame;
      if (!drop(frame)) proxy.onmessage?.({ data: String(event.data) });
    };
    ws.onclose = (event) => proxy.onclose?.({ code: event.code });
    ws.onerror = (event) => proxy.onerror?.(event);
    return proxy;
  };
}

let counter = 0;

/** A fresh username (tests share one server). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid % 1000}x${counter}`;
}

export interface Account {
  user: UserProfile;
  token: string;
  api: Api;
}

export async function account(baseUrl: string, prefix: string, displayName?: string): Promise<Account> {
  const anonymous = new Api({ baseUrl });
  const username = uniqueName(prefix);
  await anonymous.register(username, "correct horse battery", displayName);
  const login = await anonymous.login(username, "correct horse battery", "sdk test");
  return { user: login.user, token: login.token, api: anonymous.withToken(login.token) };
}

export function client(baseUrl: string, who: Account, options: Partial<ClientOptions> = {}): TernClient {
  return new TernClient({
    server: baseUrl,
    token: who.token,
    socketFactory: wsFactory,
    minBackoffMs: 20,
    maxBackoffMs: 200,
    ...options,
  }).connect();
}

/** Resolves once `condition` holds, checking whenever the client changes (and every 20 ms). */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
