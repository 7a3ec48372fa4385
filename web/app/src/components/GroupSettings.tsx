// The editable parts of a group's info: its name and description and its announcement (the
// owner and admins), "mute everyone" (the owner and admins), and your own nickname in it (any
// member). Each save is one request; the change comes back as a system event.

import type { ConversationDetail, ConvId } from "@tern/sdk";
import { useEffect, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";

export function GroupSettings({ conv, info, moderator, busy, run }: { conv: ConvId; info: ConversationDetail; moderator: boolean; busy: boolean; run(action: () => Promise<unknown>): void }) {
  const { api, me } = useChat();
  const mine = info.members.find((m) => m.user.id === me.id);
  const [name, setName] = useState(info.name ?? "");
  const [description, setDescription] = useState(info.description ?? "");
  const [announcement, setAnnouncement] = useState(info.announcement?.text ?? "");
  const [nickname, setNickname] = useState(mine?.nickname ?? "");
  // What the server says now replaces what was typed once it changes there.
  useEffect(() => setName(info.name ?? ""), [info.name]);
  useEffect(() => setDescription(info.description ?? ""), [info.description]);
  useEffect(() => setAnnouncement(info.announcement?.text ?? ""), [info.announcement?.text]);
  useEffect(() => setNickname(mine?.nickname ?? ""), [mine?.nickname]);

  const detailsChanged = name.trim() !== (info.name ?? "") || description.trim() !== (info.description ?? "");
  const saveDetails = (e: Event) => {
    e.preventDefault();
    const change: { name?: string; description?: string } = {};
    if (name.trim() !== (info.name ?? "")) change.name = name;
    if (description.trim() !== (info.description ?? "")) change.description = description;
    run(() => api.changeGroup(conv, change));
  };

  return (
    <div class="group-settings">
      {moderator && (
        <form class="group-form" onSubmit={saveDetails}>
          <label class="field-label" for="group-name">
            {t("groupName")}
          </label>
          <input id="group-name" value={name} maxLength={128} dir="auto" onInput={(e) => setName(e.currentTarget.value)} />
          <label class="field-label" for="group-description">
            {t("groupDescription")}
          </label>
          <textarea id="group-description" rows={2} value={description} maxLength={1000} dir="auto" onInput={(e) => setDescription(e.currentTarget.value)} />
          <button type="submit" class="button small primary" disabled={busy || !detailsChanged || name.trim() === ""}>
            {t("save")}
          </button>
        </form>
      )}
      {!moderator && info.description !== undefined && info.description !== "" && (
        <p class="group-description" dir="auto">
          {info.description}
        </p>
      )}
      {moderator && (
        <form
          class="group-form"
          onSubmit={(e) => {
            e.preventDefault();
            run(() => api.changeGroup(conv, { announcement }));
          }}
        >
          <label class="field-label" for="group-announcement">
            {t("editAnnouncement")}
          </label>
          <textarea id="group-announcement" rows={3} value={announcement} maxLength={4000} dir="auto" placeholder={t("announcementHint")} onInput={(e) => setAnnouncement(e.currentTarget.value)} />
          <span class="form-actions">
            {info.announcement !== undefined && (
              <button type="button" class="button small subtle" disabled={busy} onClick={() => run(() => api.changeGroup(conv, { announcement: "" }))}>
                {t("takeDown")}
              </button>
            )}
            <button type="submit" class="button small primary" disabled={busy || announcement.trim() === "" || announcement.trim() === info.announcement?.text}>
              {t("post")}
            </button>
          </span>
        </form>
      )}
      {moderator && (
        <label class="switch-row">
          <input type="checkbox" checked={info.all_muted === true} disabled={busy} onChange={(e) => run(() => api.muteAll(conv, e.currentTarget.checked))} />
          {t("muteAll")}
        </label>
      )}
      <form
        class="group-form inline"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => api.setNickname(conv, nickname.trim() === "" ? null : nickname));
        }}
      >
        <label class="field-label" for="group-nickname">
          {t("myNickname")}
        </label>
        <span class="inline-field">
          <input id="group-nickname" value={nickname} maxLength={32} dir="auto" onInput={(e) => setNickname(e.currentTarget.value)} />
          <button type="submit" class="button small" disabled={busy || nickname.trim() === (mine?.nickname ?? "")}>
            {t("save")}
          </button>
        </span>
      </form>
    </div>
  );
}
