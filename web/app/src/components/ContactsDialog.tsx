// Your contacts (好友), the requests waiting for your answer, adding someone by username with a
// note, the people you blocked, and who may reach you (privacy). Reloaded whenever a `contact`
// frame says something changed.

import type { Audience, ContactRequests, UserProfile } from "@tern/sdk";
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { useChat } from "../context";
import { navigate } from "../hooks";
import { t } from "../i18n";
import { errorText } from "../lib/errors";
import { Avatar } from "./Avatar";
import { Dialog } from "./Dialog";

function Person({ user, children }: { user: UserProfile; children?: ComponentChildren }) {
  return (
    <li class="member" data-testid={`person-${user.username}`}>
      <Avatar name={user.display_name} colorKey={user.id} size={40} file={user.avatar} />
      <span class="member-names">
        <span class="member-name" dir="auto">
          {user.display_name}
        </span>
        <span class="member-username">@{user.username}</span>
      </span>
      {children}
    </li>
  );
}

export function ContactsDialog({ onClose }: { onClose(): void }) {
  const { api, client } = useChat();
  const [contacts, setContacts] = useState<UserProfile[]>([]);
  const [requests, setRequests] = useState<ContactRequests>({ incoming: [], outgoing: [] });
  const [blocked, setBlocked] = useState<UserProfile[]>([]);
  const [username, setUsername] = useState("");
  const [note, setNote] = useState("");
  const [status, setStatus] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const [c, r, b] = await Promise.all([api.contacts(), api.contactRequests(), api.blocked()]);
    client.rememberProfiles([...c, ...b, ...r.incoming.map((x) => x.user), ...r.outgoing.map((x) => x.user)]);
    setContacts(c);
    setRequests(r);
    setBlocked(b);
  }, [api, client]);

  useEffect(() => {
    void load().catch((e) => setStatus({ error: true, text: errorText(e) }));
    return client.on("contact", () => void load().catch(() => undefined));
  }, [client, load]);

  const run = async (action: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setStatus(null);
    try {
      await action();
      await load();
      if (done !== undefined) setStatus({ error: false, text: done });
    } catch (e) {
      setStatus({ error: true, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const add = (e: Event) => {
    e.preventDefault();
    const name = username.trim().replace(/^@/, "").toLowerCase();
    if (name === "") return;
    void run(async () => {
      const user = await api.user(name);
      const added = await api.askContact(user.id, note);
      setUsername("");
      setNote("");
      setStatus({ error: false, text: t(added ? "contactAdded" : "contactRequested", { name: user.display_name }) });
    });
  };

  const chat = (user: UserProfile) =>
    void run(async () => {
      const detail = await api.openDirect({ user: user.id });
      client.adoptConversation(detail);
      onClose();
      navigate(`c/${detail.id}`);
    });

  const settings = client.settings;
  const setAudience = (key: "direct_from" | "groups_from", value: Audience) =>
    void run(() => api.updateSettings(key === "direct_from" ? { direct_from: value } : { groups_from: value }));

  return (
    <Dialog title={t("contacts")} onClose={onClose} variant="sheet">
      <div class="group-info contacts">
        {requests.incoming.length > 0 && (
          <section aria-label={t("contactRequests")}>
            <h4 class="section-title">{t("contactRequests")}</h4>
            <ul class="member-list">
              {requests.incoming.map((r) => (
                <Person key={r.user.id} user={r.user}>
                  {r.note !== "" && (
                    <span class="request-note" dir="auto">
                      “{r.note}”
                    </span>
                  )}
                  <button type="button" class="button small primary" disabled={busy} onClick={() => void run(() => api.answerContact(r.user.id, true))}>
                    {t("accept")}
                  </button>
                  <button type="button" class="button small subtle" disabled={busy} onClick={() => void run(() => api.answerContact(r.user.id, false))}>
                    {t("decline")}
                  </button>
                </Person>
              ))}
            </ul>
          </section>
        )}
        <form class="group-form" onSubmit={add}>
          <label class="field-label" for="contact-username">
            {t("addContact")}
          </label>
          <input id="contact-username" autocapitalize="none" spellcheck={false} autocomplete="off" placeholder={t("peerUsername")} value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
          <input aria-label={t("contactNote")} placeholder={t("contactNote")} maxLength={200} dir="auto" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <button type="submit" class="button small primary" disabled={busy || username.trim() === ""}>
            {t("sendRequest")}
          </button>
        </form>
        {status !== null && (
          <p class={status.error ? "form-error" : "hint"} role={status.error ? "alert" : "status"}>
            {status.text}
          </p>
        )}
        <h4 class="section-title">{t("myContacts")}</h4>
        <ul class="member-list" aria-label={t("myContacts")}>
          {contacts.map((c) => (
            <Person key={c.id} user={c}>
              <button type="button" class="button small" disabled={busy} onClick={() => chat(c)}>
                {t("message")}
              </button>
              <button type="button" class="button small subtle" disabled={busy} onClick={() => void run(() => api.removeContact(c.id))}>
                {t("remove")}
              </button>
            </Person>
          ))}
          {contacts.length === 0 && <li class="hint">{t("noContacts")}</li>}
        </ul>
        {requests.outgoing.length > 0 && (
          <>
            <h4 class="section-title">{t("waitingForAnswer")}</h4>
            <ul class="member-list">
              {requests.outgoing.map((r) => (
                <Person key={r.user.id} user={r.user} />
              ))}
            </ul>
          </>
        )}
        {blocked.length > 0 && (
          <>
            <h4 class="section-title">{t("blockedPeople")}</h4>
            <ul class="member-list" aria-label={t("blockedPeople")}>
              {blocked.map((b) => (
                <Person key={b.id} user={b}>
                  <button type="button" class="button small subtle" disabled={busy} onClick={() => void run(() => api.block(b.id, false))}>
                    {t("unblock")}
                  </button>
                </Person>
              ))}
            </ul>
          </>
        )}
        <h4 class="section-title">{t("privacy")}</h4>
        {(["direct_from", "groups_from"] as const).map((key) => (
          <label key={key} class="switch-row">
            <span>{t(key === "direct_from" ? "privacyDirect" : "privacyGroups")}</span>
            <select value={settings[key] ?? "everyone"} disabled={busy} onChange={(e) => setAudience(key, e.currentTarget.value as Audience)}>
              <option value="everyone">{t("audienceEveryone")}</option>
              <option value="contacts">{t("audienceContacts")}</option>
            </select>
          </label>
        ))}
      </div>
    </Dialog>
  );
}
