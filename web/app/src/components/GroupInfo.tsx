// A group's members and administration: add (any member), remove (the owner), the group's
// picture (the owner), leave.

import { useEffect, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { errorText } from "../lib/errors";
import { conversationTitle } from "../lib/names";
import { Avatar } from "./Avatar";
import { ConfirmButton } from "./ConfirmButton";
import { Dialog } from "./Dialog";
import { parseUsernames, resolveUsers } from "./NewConversation";

export function GroupInfo({ conv, onClose }: { conv: number; onClose(): void }) {
  const { client, api, me, detail, loadDetail } = useChat();
  const [adding, setAdding] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const view = client.conversation(conv);
  const info = detail(conv);

  useEffect(() => {
    void loadDetail(conv);
  }, [conv, loadDetail]);

  if (view === undefined) return null;
  const title = conversationTitle(view);
  const members = info?.members ?? [];
  const iAmOwner = members.some((m) => m.user.id === me.id && m.role === "owner");

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await loadDetail(conv);
    } catch (e) {
      setError(e instanceof Error && !("code" in e) ? e.message : errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const add = (e: Event) => {
    e.preventDefault();
    const names = parseUsernames(adding);
    if (names.length === 0) return;
    void run(async () => {
      const users = await resolveUsers(api, names);
      client.rememberProfiles(users);
      await api.addMembers(conv, users.map((u) => u.id));
      setAdding("");
    });
  };

  return (
    <Dialog title={t("groupInfo")} onClose={onClose} variant="sheet">
      <div class="group-info">
        <div class="group-hero">
          <Avatar name={title} colorKey={`g${conv}`} size={96} group file={view.avatar} />
          <h3 dir="auto">{title}</h3>
          <p>{t("members", { count: members.length })}</p>
          {iAmOwner && view.active && (
            <span class="group-picture-actions">
              <input
                ref={picker}
                type="file"
                accept="image/jpeg,image/png,image/gif,image/webp"
                hidden
                data-testid="group-picture-input"
                onChange={(e) => {
                  const file = e.currentTarget.files?.[0];
                  e.currentTarget.value = "";
                  if (file !== undefined) void run(async () => api.setGroupAvatar(conv, (await api.upload(file, file.name || "group")).id));
                }}
              />
              <button type="button" class="button small subtle" disabled={busy} onClick={() => picker.current?.click()}>
                {t("changeGroupPicture")}
              </button>
              {view.avatar !== undefined && (
                <button type="button" class="button small subtle" disabled={busy} onClick={() => void run(() => api.setGroupAvatar(conv, null))}>
                  {t("removePicture")}
                </button>
              )}
            </span>
          )}
        </div>
        {view.active && (
          <form class="add-members" onSubmit={add}>
            <label class="field-label" for="add-members">
              {t("addMembers")}
            </label>
            <span class="inline-field">
              <input id="add-members" name="add" autocapitalize="none" spellcheck={false} autocomplete="off" placeholder="alice, bob" value={adding} onInput={(e) => setAdding(e.currentTarget.value)} aria-label={t("addMembersLabel")} />
              <button type="submit" class="button primary" disabled={busy || adding.trim() === ""}>
                {t("add")}
              </button>
            </span>
          </form>
        )}
        {error !== null && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <h4 class="section-title">{t("groupMembers")}</h4>
        <ul class="member-list" aria-label={t("groupMembers")}>
          {members.map((m) => (
            <li key={m.user.id} class="member">
              <Avatar name={m.user.display_name} colorKey={m.user.id} size={40} file={m.user.avatar} />
              <span class="member-names">
                <span class="member-name" dir="auto">
                  {m.user.display_name}
                  {m.user.id === me.id && <span class="member-you"> ({t("youBadge")})</span>}
                </span>
                <span class="member-username">@{m.user.username}</span>
              </span>
              {m.role === "owner" && <span class="role-badge">{t("ownerBadge")}</span>}
              {iAmOwner && m.user.id !== me.id && (
                <ConfirmButton
                  class="small subtle"
                  label={t("remove")}
                  question={t("removeConfirm", { name: m.user.display_name })}
                  confirmLabel={t("remove")}
                  disabled={busy}
                  onConfirm={() => void run(() => api.removeMember(conv, m.user.id))}
                />
              )}
            </li>
          ))}
        </ul>
        {view.active && (
          <ConfirmButton
            class="danger wide"
            label={t("leave")}
            question={t("leaveConfirm", { name: title })}
            confirmLabel={t("leave")}
            disabled={busy}
            onConfirm={() => void run(() => api.leave(conv))}
          />
        )}
      </div>
    </Dialog>
  );
}
