// The reactions under a message: one chip per emoji with its count, pressed when one of them is
// yours; pressing a chip adds or takes off your own.

import type { Event } from "@tern/sdk";
import { useChat } from "../context";
import { t } from "../i18n";
import { userName } from "../lib/names";
import { notify } from "./Notice";

export function Reactions({ event }: { event: Event }) {
  const { client } = useChat();
  const me = client.user?.id;
  const reactions = event.reactions ?? [];
  if (reactions.length === 0) return null;
  return (
    <div class="reactions" role="group" aria-label={t("reactions")}>
      {reactions.map((r) => {
        const mine = me !== undefined && r.users.includes(me);
        const who = r.users.map((u) => userName(client, u)).join(t("listSeparator"));
        return (
          <button
            key={r.emoji}
            type="button"
            class={`reaction ${mine ? "mine" : ""}`}
            aria-pressed={mine}
            title={who}
            data-testid="reaction"
            onClick={() => client.changes.react(event.conv, event.seq, r.emoji, !mine).catch(notify)}
          >
            <span class="reaction-emoji">{r.emoji}</span>
            <span class="reaction-count">{r.users.length}</span>
          </button>
        );
      })}
    </div>
  );
}
