// What every part of the chat screen needs: the SDK client, the REST API, group details
// (member lists) fetched on demand, uploads in progress and signed links to files.

import type { Api, ConversationDetail, ConvId, FileLinks, TernClient, UserProfile } from "@tern/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Uploads } from "./lib/uploads";

export interface Chat {
  client: TernClient;
  api: Api;
  me: UserProfile;
  detail(conv: ConvId): ConversationDetail | undefined;
  /** Fetches (again) a conversation's members; resolves when they are known. */
  loadDetail(conv: ConvId): Promise<ConversationDetail | undefined>;
  openInfo(): void;
  /** Files being uploaded into conversations. */
  uploads: Uploads;
  /** Signed links to files, for <img src> and the like. */
  links: FileLinks;
}

export const ChatContext = createContext<Chat | null>(null);

export function useChat(): Chat {
  const chat = useContext(ChatContext);
  if (chat === null) throw new Error("useChat outside ChatContext");
  return chat;
}
