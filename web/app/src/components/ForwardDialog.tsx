// Forwarding messages: pick one of your conversations (searchable by name); the copies go there
// as your messages, in their original order, each attributed to its author ("Forwarded from
// …"), never naming the conversation they came from.

import type { ConvId } from "@tern/sdk";
import { useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { conversationTitle } from "../lib/names";
import { Avatar } from "./Avatar";
import { Dialog } from "./Dialog";
import { notify } from "./Notice";

export function ForwardDialog({ from, seqs, onClose, onDone }: { from: ConvId; seqs: number[]; onClose(): void; onDone?(): void }) {
  const { client } = useChat();
  const [query, setQuery] = useState("");
  const needle = query.trim().toLowerCase();
  const targets = client
    .conversations()
    .filter((c) => c.active && conversationTitle(c).toLowerCase().includes(needle))
    .slice(0, 50);
  const forward = (conv: number) => {
    onClose();
    const ordered = [...seqs].sort((a, b) => a - b);
    // A refused forward keeps what was picked, to try again.
    client.changes
      .forward(conv, from, ordered)
      .then(() => onDone?.())
      .catch(notify);
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
                <Avatar name={title} colorKey={c.kind === "direct" ? (c.peer?.id ?? c.id) : `g${c.id}`} size={32} group={c.kind === "group"} file={c.kind === "direct" ? c.peer?.avatar : c.avatar} />
                <span dir="auto">{title}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
