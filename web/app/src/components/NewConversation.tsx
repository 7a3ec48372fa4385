// Starting conversations: a 1:1 by username, or a group with a name and members.

import { TernError, type UserProfile } from "@tern/sdk";
import { useState } from "preact/hooks";
import { useChat } from "../context";
import { navigate } from "../hooks";
import { t } from "../i18n";
import { errorText } from "../lib/errors";
import { Dialog } from "./Dialog";
import { Field } from "./Field";

/** Splits "alice, bob carol" into usernames. */
export function parseUsernames(input: string): string[] {
  return [...new Set(input.split(/[\s,，、;]+/).map((u) => u.trim().replace(/^@/, "").toLowerCase()).filter(Boolean))];
}

/** Looks up usernames; throws a readable error naming the first that does not exist. */
export async function resolveUsers(api: ReturnType<typeof useChat>["api"], names: string[]): Promise<UserProfile[]> {
  return Promise.all(
    names.map((name) =>
      api.user(name).catch((e: unknown) => {
        if (e instanceof TernError && (e.code === "not_found" || e.code === "bad_request")) throw new Error(t("userNotFound", { name }));
        throw e;
      }),
    ),
  );
}

function message(e: unknown): string {
  return e instanceof TernError ? errorText(e) : e instanceof Error ? e.message : String(e);
}

export function NewChatDialog({ onClose }: { onClose(): void }) {
  const { api, client, me } = useChat();
  const [username, setUsername] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const name = username.trim().replace(/^@/, "").toLowerCase();
    if (name === "" || busy) return;
    if (name === me.username) {
      setError(t("cannotChatWithSelf"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const detail = await api.openDirect({ username: name });
      client.adoptConversation(detail);
      onClose();
      navigate(`c/${detail.id}`);
    } catch (err) {
      setError(err instanceof TernError && err.code === "not_found" ? t("userNotFound", { name }) : message(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t("newChat")} onClose={onClose}>
      <form class="dialog-form" onSubmit={submit}>
        <Field label={t("peerUsername")} hint={t("peerUsernameHint")} name="peer" autocapitalize="none" spellcheck={false} autocomplete="off" required autofocus value={username} onValue={setUsername} />
        {error !== null && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            {t("cancel")}
          </button>
          <button type="submit" class="button primary" disabled={busy}>
            {t("start")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function NewGroupDialog({ onClose }: { onClose(): void }) {
  const { api, client, me } = useChat();
  const [name, setName] = useState("");
  const [members, setMembers] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (name.trim() === "" || busy) return;
    setBusy(true);
    setError(null);
    try {
      const users = await resolveUsers(api, parseUsernames(members).filter((u) => u !== me.username));
      client.rememberProfiles(users);
      const detail = await api.createGroup(name.trim(), users.map((u) => u.id));
      client.adoptConversation(detail);
      onClose();
      navigate(`c/${detail.id}`);
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t("newGroup")} onClose={onClose}>
      <form class="dialog-form" onSubmit={submit}>
        <Field label={t("groupName")} name="group-name" required maxLength={128} autofocus value={name} onValue={setName} />
        <Field label={t("groupMembers")} hint={t("groupMembersHint")} name="members" autocapitalize="none" spellcheck={false} autocomplete="off" value={members} onValue={setMembers} />
        {error !== null && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            {t("cancel")}
          </button>
          <button type="submit" class="button primary" disabled={busy}>
            {t("create")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
