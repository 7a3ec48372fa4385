// What every part of the chat screen needs: the SDK client, the REST API, and group details
// (member lists) fetched on demand.

import type { Api, ConversationDetail, ConvId, TernClient, UserProfile } from "@tern/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export interface Chat {
  client: TernClient;
  api: Api;
  me: UserProfile;
  detail(conv: ConvId): ConversationDetail | undefined;
  /** Fetches (again) a conversation's members; resolves when they are known. */
  loadDetail(conv: ConvId): Promise<ConversationDetail | undefined>;
  openInfo(): void;
}

export const ChatContext = createContext<Chat | null>(null);

export function useChat(): Chat {
  const chat = useContext(ChatContext);
  if (chat === null) throw new Error("useChat outside ChatContext");
  return chat;
}
