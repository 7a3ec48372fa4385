// How people and conversations are named and drawn: display names, initials, avatar colours.

import type { ConversationView, TernClient, UserId, UserProfile } from "@tern/sdk";
import { t } from "../i18n";
import { graphemes } from "./graphemes";
import { profileOrLookUp } from "./profiles";

/** A person's display name; "User 5" while their profile is being looked up (or cannot be). */
export function userName(client: TernClient, id: UserId): string {
  if (id === client.user?.id) return client.user.display_name;
  return profileOrLookUp(client, id)?.display_name ?? t("unknownUser", { id });
}

export function conversationTitle(conv: ConversationView): string {
  if (conv.kind === "direct") return conv.peer?.display_name ?? conv.peer?.username ?? "…";
  return conv.name ?? "…";
}

/** One or two letters for an avatar: initials of the first two words, or the first character. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const first = graphemes(words[0] ?? "")[0] ?? "?";
  const second = words.length > 1 ? (graphemes(words[1] ?? "")[0] ?? "") : "";
  // CJK names read as one unit: one character is the convention (张三 → 张), and a Latin
  // initial next to a Han character (Bob 李 → B李) looks like a typo.
  const cjk = /\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul}/u;
  if (cjk.test(first) || cjk.test(second) || !/\p{L}/u.test(second)) return first.toUpperCase();
  return (first + second).toUpperCase();
}

/** A stable colour slot (0–7) for an id, so a person keeps their colour everywhere. */
export function colorSlot(key: number | string): number {
  const s = String(key);
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h % 8;
}

export function profileLabel(p: UserProfile): string {
  return p.display_name === p.username ? `@${p.username}` : `${p.display_name} · @${p.username}`;
}
