// @tern/sdk: the TypeScript client for tern. See ../README.md for what it guarantees.

export { Api, MAX_USERS_PER_REQUEST, type ApiOptions, type FetchLike } from "./rest.js";
export {
  TernClient,
  type Ack,
  type ClientEvents,
  type ClientOptions,
  type ConnectionStatus,
} from "./client.js";
export { postingState, type ConversationView } from "./conversations.js";
export { MessageChanges } from "./changes.js";
export { FileLinks, Upload, mediaContent, type UploadOptions, type Variant, type VideoDetails, type VoiceDetails } from "./files.js";
export { ReadReceipts, seenBy, type SeenBy } from "./receipts.js";
export type { TimelineView } from "./timeline.js";
export type { PendingMessage, PendingState } from "./outbox.js";
export { TernError } from "./errors.js";
export { MemoryStorage, browserStorage, type KeyValueStorage } from "./storage.js";
export { defaultSocketFactory, websocketUrl, type SocketFactory, type SocketLike } from "./socket.js";
export { realTimers, backoffDelay, type Timers, type TimerHandle } from "./timers.js";
export * from "./protocol.js";
