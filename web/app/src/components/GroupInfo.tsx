// A group's info and administration: its picture, name, description and announcement, "mute
// everyone" and your nickname (GroupSettings), its members with what you may do to each
// (MemberRow), adding members (any member), finding one in a large group, leaving, and
// dissolving it (the owner).

import type { MemberInfo } from "@tern/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { errorText } from "../lib/errors";
import { conversationTitle } from "../lib/names";
import { Avatar } from "./Avatar";
import { ConfirmBox, ConfirmButton } from "./ConfirmButton";
import { Dialog } from "./Dialog";
import { GroupSettings } from "./GroupSettings";
import { MemberRow } from "./MemberRow";
import { parseUsernames, resolveUsers } from "./NewConversation";

export function GroupInfo({ conv, onClose }: { conv: number; onClose(): void }) {
  const { client, api, me, detail, loadDetail } = useChat();
  const [adding, setAdding] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<MemberInfo[] | undefined>(undefined);
  // A removal or a handover asks first.
  const [pending, setPending] = useState<{ member: MemberInfo; action: "remove" | "transfer" } | undefined>(undefined);
  const picker = useRef<HTMLInputElement>(null);
  const view = client.conversation(conv);
  const info = detail(conv);

  useEffect(() => {
    void loadDetail(conv);
  }, [conv, loadDetail]);

  // A search goes to the server: a large group's info lists only its first members.
  useEffect(() => {
    const q = query.trim();
    if (q === "") {
      setFound(undefined);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api
        .members(conv, { q, limit: 50 })
        .then((page) => live && setFound(page.members))
        .catch(() => live && setFound([]));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, conv, query, info]);

  if (view === undefined) return null;
  const title = conversationTitle(view);
  const members = found ?? info?.members ?? [];
  const total = info?.member_count ?? members.length;
  const myRole = view.role;
  const iAmOwner = myRole === "owner";
  const moderator = myRole === "owner" || myRole === "admin";

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
          <p>{t("members", { count: total })}</p>
          {info?.announcement !== undefined && (
            <p class="group-announcement" dir="auto">
              <strong>{t("announcement")}</strong> {info.announcement.text}
            </p>
          )}
          {moderator && view.active && (
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
        {view.active && info !== undefined && <GroupSettings conv={conv} info={info} moderator={moderator} busy={busy} run={(action) => void run(action)} />}
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
        {total > 10 && (
          <input class="member-search" type="search" value={query} placeholder={t("findMembers")} aria-label={t("findMembers")} onInput={(e) => setQuery(e.currentTarget.value)} />
        )}
        {pending !== undefined && (
          <ConfirmBox
            question={t(pending.action === "remove" ? "removeConfirm" : "transferConfirm", { name: pending.member.user.display_name })}
            confirmLabel={t(pending.action === "remove" ? "remove" : "transferOwnership")}
            onCancel={() => setPending(undefined)}
            onConfirm={() => {
              const { member, action } = pending;
              setPending(undefined);
              void run(() => (action === "remove" ? api.removeMember(conv, member.user.id) : api.transfer(conv, member.user.id)));
            }}
          />
        )}
        <ul class="member-list" aria-label={t("groupMembers")}>
          {members.map((m) => (
            <MemberRow
              key={m.user.id}
              member={m}
              me={me.id}
              myRole={myRole}
              active={view.active && !busy}
              actions={{
                setRole: (role) => void run(() => api.setRole(conv, m.user.id, role)),
                mute: (durationS) => void run(() => api.mute(conv, m.user.id, durationS)),
                unmute: () => void run(() => api.unmute(conv, m.user.id)),
                remove: () => setPending({ member: m, action: "remove" }),
                transfer: () => setPending({ member: m, action: "transfer" }),
              }}
            />
          ))}
        </ul>
        {found === undefined && members.length < total && <p class="hint">{t("moreMembers")}: {total - members.length}</p>}
        {iAmOwner && view.active && (
          <ConfirmButton
            class="danger wide"
            label={t("dissolve")}
            question={t("dissolveConfirm", { name: title })}
            confirmLabel={t("dissolve")}
            disabled={busy}
            onConfirm={() => void run(() => api.dissolve(conv))}
          />
        )}
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
