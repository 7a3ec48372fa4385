// Your own preferences for the open conversation, from its header: keep it on top of the list
// (置顶) and how to be notified (all messages, only @mentions, muted). All your devices follow.
// In a direct conversation, blocking the other person.

import type { ConversationView } from "@tern/sdk";
import { useChat } from "../context";
import { t } from "../i18n";
import { MoreIcon } from "./icons";
import { Menu, type MenuItem } from "./Menu";
import { notify, say } from "./Notice";

export function ConversationMenu({ view }: { view: ConversationView }) {
  const { client, api } = useChat();
  const set = (preferences: Parameters<typeof client.setPreferences>[1]) => client.setPreferences(view.id, preferences).catch(notify);
  const items: MenuItem[] = [
    view.top === undefined ? { label: t("pinToTop"), onSelect: () => set({ top: true }) } : { label: t("unpinFromTop"), onSelect: () => set({ top: false }) },
  ];
  if (view.notify !== "all") items.push({ label: t("notifyAll"), onSelect: () => set({ notify: "all" }) });
  if (view.notify !== "mentions") items.push({ label: t("notifyMentions"), onSelect: () => set({ notify: "mentions" }) });
  if (view.notify !== "muted") items.push({ label: t("mute"), onSelect: () => set({ notify: "muted" }) });
  // Blocking someone: lifted again from Contacts, where the blocked are listed.
  const peer = view.kind === "direct" ? view.peer : undefined;
  if (peer !== undefined) {
    items.push({
      label: t("blockUser"),
      danger: true,
      onSelect: () => void api.block(peer.id, true).then(() => say(t("blockedNotice", { name: peer.display_name }))).catch(notify),
    });
  }
  return <Menu label={t("conversationOptions")} button={<MoreIcon />} items={items} align="end" />;
}
