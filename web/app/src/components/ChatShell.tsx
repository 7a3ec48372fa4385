// The logged-in screen: list and conversation side by side, or one at a time on a phone.

import { FileLinks, type Api, type ConversationDetail, type ConvId, type TernClient, type UserProfile } from "@tern/sdk";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ChatContext, type Chat } from "../context";
import { navigate, useClientVersion, useNarrow, useRoute } from "../hooks";
import { t } from "../i18n";
import { startProfileLookup, stopProfileLookup } from "../lib/profiles";
import { Uploads } from "../lib/uploads";
import { ChatView } from "./ChatView";
import { GroupInfo } from "./GroupInfo";
import { Logo } from "./icons";
import { ContactsDialog } from "./ContactsDialog";
import { NewChatDialog, NewGroupDialog } from "./NewConversation";
import { Sidebar } from "./Sidebar";
import { Notice } from "./Notice";

export function ChatShell({ client, api, me, onLogout }: { client: TernClient; api: Api; me: UserProfile; onLogout(): void }) {
  useClientVersion(client);
  const route = useRoute();
  const narrow = useNarrow();
  const [dialog, setDialog] = useState<"chat" | "group" | "contacts" | null>(null);
  const [infoOpen, setInfoOpen] = useState(false);
  const [details, setDetails] = useState(() => new Map<ConvId, ConversationDetail>());
  const inflight = useRef(new Map<ConvId, Promise<ConversationDetail | undefined>>());

  const match = /^c\/(\d+)$/.exec(route);
  const selected = match?.[1] !== undefined ? Number(match[1]) : null;

  const loadDetail = useCallback(
    (conv: ConvId) => {
      const running = inflight.current.get(conv);
      if (running !== undefined) return running;
      const load = api
        .conversation(conv)
        .then((detail) => {
          client.rememberProfiles(detail.members.map((m) => m.user));
          setDetails((old) => new Map(old).set(conv, detail));
          return detail;
        })
        .catch((e: unknown) => {
          console.warn("tern: cannot load conversation", conv, e);
          return undefined;
        })
        .finally(() => inflight.current.delete(conv));
      inflight.current.set(conv, load);
      return load;
    },
    [api, client],
  );

  const uploads = useMemo(() => new Uploads(api, client), [api, client]);
  const links = useMemo(() => new FileLinks(() => api), [api]);
  const chat: Chat = useMemo(
    () => ({ client, api, me, detail: (conv) => details.get(conv), loadDetail, openInfo: () => setInfoOpen(true), uploads, links }),
    [client, api, me, details, loadDetail, uploads, links],
  );

  // Membership changes in a conversation make its member list stale.
  useEffect(
    () =>
      client.on("event", (event) => {
        if (event.content.type === "system" && details.has(event.conv)) void loadDetail(event.conv);
      }),
    [client, details, loadDetail],
  );

  // Anyone named on screen without a known profile (group previews, senders, people who left)
  // is looked up in batches while rendering; started here, before the first paint of the chat.
  const lookup = useMemo(() => startProfileLookup(client, api), [client, api]);
  useEffect(() => () => stopProfileLookup(client, lookup), [client, lookup]);

  useEffect(() => {
    const unread = client.totalUnread();
    document.title = unread > 0 ? `(${unread}) ${t("appName")}` : t("appName");
  });

  useEffect(() => setInfoOpen(false), [selected]);

  const conversation = selected === null ? undefined : client.conversation(selected);
  const showChat = selected !== null;

  return (
    <ChatContext.Provider value={chat}>
      <div class={`shell ${showChat ? "chat-open" : "list-open"} ${narrow ? "narrow" : "wide"}`}>
        <Sidebar selected={selected} onNewChat={() => setDialog("chat")} onNewGroup={() => setDialog("group")} onContacts={() => setDialog("contacts")} onLogout={onLogout} />
        <main class="main" aria-label={conversation === undefined ? t("appName") : undefined}>
          {selected !== null ? (
            <ChatView key={selected} conv={selected} onBack={() => navigate("")} />
          ) : (
            <div class="welcome">
              <Logo size={72} />
              <h2>{t("selectConversation")}</h2>
              <p>{t("selectConversationHint")}</p>
            </div>
          )}
        </main>
        {dialog === "chat" && <NewChatDialog onClose={() => setDialog(null)} />}
        {dialog === "group" && <NewGroupDialog onClose={() => setDialog(null)} />}
        {dialog === "contacts" && <ContactsDialog onClose={() => setDialog(null)} />}
        {infoOpen && selected !== null && <GroupInfo conv={selected} onClose={() => setInfoOpen(false)} />}
        <Notice />
      </div>
    </ChatContext.Provider>
  );
}
