// The conversation list: most recent activity first, with previews, times and unread badges.

import type { ConversationView, ConvId } from "@tern/sdk";
import { t } from "../i18n";
import { preview } from "../lib/describe";
import { listTime } from "../lib/format";
import { conversationTitle } from "../lib/names";
import { typingText } from "../lib/typing";
import { useChat } from "../context";
import { Avatar } from "./Avatar";
import { MutedIcon, PinIcon } from "./icons";

export function ConversationList({ conversations, selected, query }: { conversations: ConversationView[]; selected: ConvId | null; query: string }) {
  const { client } = useChat();
  const needle = query.trim().toLowerCase();
  const shown = needle === "" ? conversations : conversations.filter((c) => matches(c, needle));
  if (conversations.length === 0) {
    return (
      <div class="list-empty">
        <p class="list-empty-title">{t("noConversations")}</p>
        <p>{t("noConversationsHint")}</p>
      </div>
    );
  }
  if (shown.length === 0) return <p class="list-empty">{t("noMatches", { query })}</p>;
  return (
    <ul class="conversation-list" aria-label={t("conversations")}>
      {shown.map((c) => {
        const title = conversationTitle(c);
        const typing = typingText(client, c.id);
        const pending = client.pending(c.id);
        const lastPending = pending[pending.length - 1];
        const previewText = lastPending !== undefined && lastPending.state === "failed" ? `⚠ ${t("failed")}` : preview(client, c.lastEvent, c.kind === "group");
        const time = c.lastEvent?.ts;
        return (
          <li key={c.id}>
            <a
              href={`#/c/${c.id}`}
              class={`conversation ${c.id === selected ? "selected" : ""} ${c.unread > 0 ? "has-unread" : ""} ${c.active ? "" : "inactive"} ${c.top !== undefined ? "on-top" : ""}`}
              aria-current={c.id === selected ? "page" : undefined}
              data-conv={c.id}
            >
              <Avatar name={title} colorKey={c.kind === "direct" ? (c.peer?.id ?? c.id) : `g${c.id}`} size={48} group={c.kind === "group"} file={c.kind === "direct" ? c.peer?.avatar : c.avatar} />
              <span class="conversation-body">
                <span class="conversation-top">
                  <span class="conversation-title" dir="auto">
                    {title}
                  </span>
                  {c.top !== undefined && (
                    <span class="conversation-flag" title={t("onTop")} data-testid="on-top">
                      <PinIcon size={14} />
                      <span class="visually-hidden">{t("onTop")}</span>
                    </span>
                  )}
                  {time !== undefined && <time class="conversation-time">{listTime(time)}</time>}
                </span>
                <span class="conversation-bottom">
                  <span class={`conversation-preview ${typing !== undefined ? "typing" : ""}`} dir="auto">
                    {c.unreadMentions > 0 && typing === undefined && (
                      <span class="mention-flag" data-testid="mentioned">
                        [{t("mentionedYou")}]{" "}
                      </span>
                    )}
                    {typing ?? previewText}
                  </span>
                  {c.notify === "muted" && (
                    <span class="conversation-flag" title={t("muted")} data-testid="muted">
                      <MutedIcon size={14} />
                      <span class="visually-hidden">{t("muted")}</span>
                    </span>
                  )}
                  {c.unread > 0 && (
                    <span class={`badge ${c.notify === "muted" ? "quiet" : ""}`} aria-label={t("unreadCount", { count: c.unread })} data-testid="unread-badge">
                      {c.unread > 999 ? "999+" : c.unread}
                    </span>
                  )}
                </span>
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}

function matches(c: ConversationView, needle: string): boolean {
  const fields = [c.name ?? "", c.peer?.display_name ?? "", c.peer?.username ?? ""];
  return fields.some((f) => f.toLowerCase().includes(needle));
}
