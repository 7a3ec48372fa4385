// A scripted in-memory WebSocket: the test plays the server, frame by frame, so every state
// of the client's delivery logic can be reached deterministically.

import type { ClientFrame, ServerFrame } from "../../src/protocol.js";
import type { SocketFactory, SocketLike } from "../../src/socket.js";

export class FakeSocket implements SocketLike {
  readyState = 1;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason?: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Frames the client wrote, parsed. */
  readonly sent: ClientFrame[] = [];
  closedByClient: number | undefined;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("socket is not open");
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(code?: number): void {
    this.closedByClient = code ?? 1005;
    this.readyState = 3;
  }

  /** The server sends a frame. */
  push(frame: ServerFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The server (or the network) closes the connection. */
  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  /** Frames of one type the client wrote, in order. */
  framesOf<T extends ClientFrame["type"]>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);
  }

  /** The last frame of a type; fails the test if there is none. */
  last<T extends ClientFrame["type"]>(type: T): Extract<ClientFrame, { type: T }> {
    const frames = this.framesOf(type);
    const frame = frames[frames.length - 1];
    if (frame === undefined) throw new Error(`the client sent no ${type} frame; sent: ${JSON.stringify(this.sent)}`);
    return frame;
  }
}

/** Hands out FakeSockets and remembers them, newest last. */
export class FakeNetwork {
  readonly sockets: FakeSocket[] = [];
  readonly factory: SocketFactory = (url) => {
    const socket = new FakeSocket(url);
    this.sockets.push(socket);
    return socket;
  };

  get current(): FakeSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (socket === undefined) throw new Error("no socket was opened");
    return socket;
  }
}
