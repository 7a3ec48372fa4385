// `@` in the composer of a group: the members whose name (display name or username, Chinese
// included) contains what follows it, and `@all` for the owner and admins. Arrow keys move, Enter or Tab
// picks, Escape closes. The chosen ones are sent as structured mentions (ids), never parsed out
// of the text by the server.

import type { UserProfile } from "@tern/sdk";
import { t } from "../i18n";
import { Avatar } from "./Avatar";

export interface Candidate {
  /** `null` for `@all`. */
  user: UserProfile | null;
  label: string;
}

/** The `@query` being typed just before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([^\s@]{0,32})$/u.exec(before);
  if (match === null) return undefined;
  return { start: caret - match[2].length - 1, query: match[2] };
}

export function candidates(members: UserProfile[], me: number | undefined, query: string, moderator: boolean): Candidate[] {
  const needle = query.toLowerCase();
  const found: Candidate[] = members
    .filter((m) => m.id !== me && (m.display_name.toLowerCase().includes(needle) || m.username.includes(needle)))
    .slice(0, 8)
    .map((m) => ({ user: m, label: m.display_name }));
  if (moderator && "all".startsWith(needle)) found.unshift({ user: null, label: t("mentionAll") });
  return found;
}

export function MentionPicker({ items, active, onPick }: { items: Candidate[]; active: number; onPick(c: Candidate): void }) {
  return (
    <ul class="mention-picker" role="listbox" aria-label={t("mentionSomeone")}>
      {items.map((c, i) => (
        <li
          key={c.user?.id ?? "all"}
          role="option"
          aria-selected={i === active}
          class={`mention-option ${i === active ? "active" : ""}`}
          onMouseDown={(e) => {
            // Keep the focus in the composer.
            e.preventDefault();
            onPick(c);
          }}
        >
          {c.user !== null && <Avatar name={c.user.display_name} colorKey={c.user.id} size={24} file={c.user.avatar} />}
          <span class="mention-name" dir="auto">
            {c.label}
          </span>
          {c.user !== null && <span class="mention-username">@{c.user.username}</span>}
        </li>
      ))}
    </ul>
  );
}
