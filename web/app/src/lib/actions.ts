// Who may do what to a message, as the server decides it (docs/PROTOCOL.md, "Changes to
// messages"): the client only offers what would be accepted.

import { asMedia, asText, type ConversationDetail, type Event, type TernClient } from "@tern/sdk";

/** Whether `window_s` seconds (null: no limit, 0: never) are still open for a message sent at `ts`. */
function within(windowS: number | null | undefined, ts: number, now: number): boolean {
  if (windowS === 0) return false;
  if (windowS === null || windowS === undefined) return true;
  return now - ts < windowS * 1000;
}

export interface Allowed {
  edit: boolean;
  recall: boolean;
  pin: boolean;
}

export function allowed(client: TernClient, event: Event, group: boolean, detail: ConversationDetail | undefined): Allowed {
  const me = client.user?.id;
  const own = event.sender === me;
  const text = asText(event.content) !== undefined;
  const message = text || asMedia(event.content) !== undefined;
  const now = client.serverNow();
  const moderator = group && isModerator(client.conversation(event.conv)?.role ?? detail?.members.find((m) => m.user.id === me)?.role);
  return {
    edit: text && own && within(client.limits.edit_window_s, event.ts, now),
    recall: message && ((own && within(client.limits.recall_window_s, event.ts, now)) || moderator),
    pin: message && (!group || moderator),
  };
}

/** The owner and admins of a group manage it (pins, recalls, @all, members). */
export function isModerator(role: string | undefined): boolean {
  return role === "owner" || role === "admin";
}
