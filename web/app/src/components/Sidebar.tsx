// The left pane: who you are, the actions to start conversations, the search box and the list.

import type { ConvId } from "@tern/sdk";
import { useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { LANGUAGES, lang, setLang, t } from "../i18n";
import { ConnectionBanner } from "./ConnectionBanner";
import { ConversationList } from "./ConversationList";
import { Avatar } from "./Avatar";
import { CheckIcon, CloseIcon, DoubleCheckIcon, GlobeIcon, LogoutIcon, Logo, PencilIcon, SearchIcon, UserIcon, UsersIcon } from "./icons";
import { Menu } from "./Menu";
import { notify } from "./Notice";

export function Sidebar({ selected, onNewChat, onNewGroup, onContacts, onLogout }: { selected: ConvId | null; onNewChat(): void; onNewGroup(): void; onContacts(): void; onLogout(): void }) {
  const { client, api, me: signedIn } = useChat();
  // As it stands now (a new profile picture), not as it was at sign-in.
  const me = client.profile(signedIn.id) ?? client.user ?? signedIn;
  const [query, setQuery] = useState("");
  const conversations = client.conversations();
  const picker = useRef<HTMLInputElement>(null);
  const setPicture = async (file: File | null) => {
    try {
      const uploaded = file === null ? null : await api.upload(file, file.name || "avatar");
      client.rememberProfiles([await api.setAvatar(uploaded === null ? null : uploaded.id)]);
    } catch (e) {
      notify(e);
    }
  };

  return (
    <aside class="sidebar" aria-label={t("conversations")}>
      <header class="sidebar-header">
        <Menu
          label={t("settings")}
          button={<Avatar name={me.display_name} colorKey={me.id} size={36} file={me.avatar} />}
          header={
            <div class="menu-profile">
              <Avatar name={me.display_name} colorKey={me.id} size={44} file={me.avatar} />
              <span>
                <span class="menu-profile-name" dir="auto">
                  {me.display_name}
                </span>
                <span class="menu-profile-username">@{me.username}</span>
              </span>
            </div>
          }
          items={[
            { label: t("contacts"), icon: <UsersIcon size={18} />, onSelect: onContacts },
            { label: t("changePicture"), icon: <UserIcon size={18} />, onSelect: () => picker.current?.click() },
            ...(me.avatar !== undefined ? [{ label: t("removePicture"), icon: <CloseIcon size={18} />, onSelect: () => void setPicture(null) }] : []),
            ...LANGUAGES.map((l) => ({
              label: l.label,
              icon: l.lang === lang() ? <CheckIcon size={18} /> : <GlobeIcon size={18} />,
              onSelect: () => setLang(l.lang),
            })),
            {
              label: t("shareReceipts"),
              icon: client.settings.share_receipts ? <CheckIcon size={18} /> : <DoubleCheckIcon size={18} />,
              checked: client.settings.share_receipts,
              onSelect: () => void api.updateSettings({ share_receipts: !client.settings.share_receipts }).catch(notify),
            },
            { label: t("signOut"), icon: <LogoutIcon size={18} />, onSelect: onLogout, danger: true },
          ]}
        />
        <input
          ref={picker}
          type="file"
          accept="image/jpeg,image/png,image/gif,image/webp"
          hidden
          data-testid="picture-input"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = "";
            if (file !== undefined) void setPicture(file);
          }}
        />
        <h1 class="brand">
          <Logo size={26} />
          <span>{t("appName")}</span>
        </h1>
        <Menu
          label={t("newConversation")}
          align="end"
          button={<PencilIcon />}
          items={[
            { label: t("newChat"), icon: <UserIcon size={18} />, onSelect: onNewChat },
            { label: t("newGroup"), icon: <UsersIcon size={18} />, onSelect: onNewGroup },
          ]}
        />
      </header>
      <ConnectionBanner status={client.status} />
      <div class="search">
        <SearchIcon size={18} />
        <input type="search" placeholder={t("searchConversations")} aria-label={t("searchConversations")} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </div>
      <nav class="sidebar-list">
        <ConversationList conversations={conversations} selected={selected} query={query} />
      </nav>
    </aside>
  );
}
