// Who has read one of your messages in a group and who has not yet ("seen by"), from the read
// positions the client keeps current (live receipts, catch-up); members who do not share their
// read receipts are in neither list.

import type { Event } from "@tern/sdk";
import { useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { userName } from "../lib/names";
import { Avatar } from "./Avatar";
import { Dialog } from "./Dialog";

function People({ label, users, testid }: { label: string; users: number[]; testid: string }) {
  const { client } = useChat();
  return (
    <section class="seen-section">
      <h3>{label}</h3>
      <ul class="seen-list" data-testid={testid}>
        {users.map((user) => (
          <li key={user} class="seen-person">
            <Avatar name={userName(client, user)} colorKey={user} size={28} file={client.profile(user)?.avatar} />
            <span dir="auto">{userName(client, user)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function SeenByDialog({ event, onClose }: { event: Event; onClose(): void }) {
  const { client } = useChat();
  const seen = client.receipts.seenBy(event.conv, event.seq, event.sender);
  return (
    <Dialog title={t("seenBy")} onClose={onClose}>
      <People label={t("readList", { count: seen.read.length })} users={seen.read} testid="seen-read" />
      <People label={t("unreadList", { count: seen.unread.length })} users={seen.unread} testid="seen-unread" />
      <p class="seen-note">{t("seenHidden")}</p>
    </Dialog>
  );
}

/** The line under one of your group messages: how many read it; opens the lists. */
export function SeenByLine({ event }: { event: Event }) {
  const { client } = useChat();
  const [open, setOpen] = useState(false);
  const seen = client.receipts.counts(event.conv, event.seq, event.sender);
  if (!client.receipts.loaded(event.conv) || seen.read + seen.unread === 0) return null;
  const text = seen.unread === 0 ? t("seenAll") : seen.read === 0 ? t("seenNone") : t("seenCount", { count: seen.read });
  return (
    <>
      <button type="button" class="seen-by" onClick={() => setOpen(true)} data-testid="seen-by">
        {text}
      </button>
      {open && <SeenByDialog event={event} onClose={() => setOpen(false)} />}
    </>
  );
}
