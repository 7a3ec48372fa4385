// The actions on one message, from a button shown on hover (and always on touch screens), a
// long press or a right click: a row of quick reactions, then reply, edit, pin, forward, select
// (to forward several), copy and recall, each offered only when the server would accept it
// (lib/actions.ts).

import type { Event } from "@tern/sdk";
import { asMedia, textOf } from "@tern/sdk";
import { useChat } from "../context";
import { t } from "../i18n";
import { allowed } from "../lib/actions";
import { useState } from "preact/hooks";
import { useCompose } from "./compose";
import { ForwardDialog } from "./ForwardDialog";
import { MoreIcon } from "./icons";
import { Menu, type MenuItem } from "./Menu";
import { notify } from "./Notice";

const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "🙏", "👀"];

export function MessageActions({ event, group }: { event: Event; group: boolean }) {
  const { client, detail } = useChat();
  const { setMode } = useCompose();
  const [forwarding, setForwarding] = useState(false);
  const text = textOf(event.content);
  // Made when the menu opens: the edit and recall windows close with time alone.
  const items = (): MenuItem[] => {
    const may = allowed(client, event, group, detail(event.conv));
    const list: MenuItem[] = [{ label: t("reply"), onSelect: () => setMode({ kind: "reply", event }) }];
    if (may.edit) list.push({ label: t("edit"), onSelect: () => setMode({ kind: "edit", event }) });
    if (may.pin) {
      list.push({ label: t("pin"), onSelect: () => client.changes.pin(event.conv, event.seq, true).catch(notify) });
    }
    if (text !== undefined || asMedia(event.content) !== undefined) {
      list.push({ label: t("forward"), onSelect: () => setForwarding(true) });
      list.push({ label: t("select"), onSelect: () => setMode({ kind: "select", seqs: [event.seq] }) });
    }
    if (text !== undefined) list.push({ label: t("copy"), onSelect: () => void navigator.clipboard?.writeText(text) });
    if (may.recall) {
      list.push({ label: t("recall"), danger: true, onSelect: () => client.changes.recall(event.conv, event.seq).catch(notify) });
    }
    return list;
  };
  const mine = (emoji: string) => event.reactions?.some((r) => r.emoji === emoji && r.users.includes(client.user?.id ?? 0)) === true;
  const header = (close: () => void) => (
    <div class="quick-reactions" role="group" aria-label={t("react")}>
      {QUICK_REACTIONS.map((emoji) => (
        <button
          key={emoji}
          type="button"
          role="menuitem"
          class={`quick-reaction ${mine(emoji) ? "mine" : ""}`}
          aria-label={t("reactWith", { emoji })}
          onClick={() => {
            close();
            client.changes.react(event.conv, event.seq, emoji, !mine(emoji)).catch(notify);
          }}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
  return (
    <div class="msg-actions">
      <Menu label={t("messageActions")} button={<MoreIcon size={18} />} items={items} align={event.sender === client.user?.id ? "end" : "start"} header={header} />
      {forwarding && <ForwardDialog from={event.conv} seqs={[event.seq]} onClose={() => setForwarding(false)} />}
    </div>
  );
}
