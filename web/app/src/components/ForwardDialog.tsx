// Forwarding a message: pick one of your conversations (searchable by name); the copy goes there
// as your message, attributed to its author ("Forwarded from …"), never naming the conversation
// it came from.

import type { Event } from "@tern/sdk";
import { useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { conversationTitle } from "../lib/names";
import { Avatar } from "./Avatar";
import { Dialog } from "./Dialog";
import { notify } from "./Notice";

export function ForwardDialog({ event, onClose }: { event: Event; onClose(): void }) {
  const { client } = useChat();
  const [query, setQuery] = useState("");
  const needle = query.trim().toLowerCase();
  const targets = client
    .conversations()
    .filter((c) => c.active && conversationTitle(c).toLowerCase().includes(needle))
    .slice(0, 50);
  const forward = (conv: number) => {
    onClose();
    client.changes.forward(conv, event.conv, [event.seq]).catch(notify);
  };
  return (
    <Dialog title={t("forwardTo")} onClose={onClose}>
      <div class="inline-field">
        <input
          type="search"
        aria-label={t("searchConversations")}
        placeholder={t("searchConversations")}
        value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      <ul class="forward-list" aria-label={t("conversations")}>
        {targets.map((c) => {
          const title = conversationTitle(c);
          return (
            <li key={c.id}>
              <button type="button" class="forward-target" onClick={() => forward(c.id)}>
                <Avatar name={title} colorKey={c.kind === "direct" ? (c.peer?.id ?? c.id) : `g${c.id}`} size={32} group={c.kind === "group"} />
                <span dir="auto">{title}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
