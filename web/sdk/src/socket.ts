// The transport seam. The browser's WebSocket and the `ws` package both fit `SocketLike`, and
// tests plug in a scripted in-memory socket, so the delivery logic is tested without a network.

export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed (as WebSocket.readyState). */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

/** The platform's WebSocket (browsers, Node 22+). */
export const defaultSocketFactory: SocketFactory = (url) => {
  const WebSocketImpl = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (WebSocketImpl === undefined) {
    throw new Error("no global WebSocket: pass `socketFactory` (e.g. from the `ws` package)");
  }
  return new WebSocketImpl(url);
};

/**
 * The WebSocket URL for a server: `http://h` → `ws://h/ws?token=…`, `https://h` → `wss://…`.
 * An empty base means the page's own origin.
 */
export function websocketUrl(server: string, token: string): string {
  let base = server.replace(/\/+$/, "");
  if (base === "") {
    const location = (globalThis as { location?: { protocol: string; host: string } }).location;
    if (location === undefined) throw new Error("no server URL and no page location");
    base = `${location.protocol}//${location.host}`;
  }
  if (base.startsWith("https://")) base = `wss://${base.slice("https://".length)}`;
  else if (base.startsWith("http://")) base = `ws://${base.slice("http://".length)}`;
  return `${base}/ws?token=${encodeURIComponent(token)}`;
}
