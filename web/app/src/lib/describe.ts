// Words for events that are not plain text: membership changes and unknown content types.

import { asMedia, asRecalled, systemEventOf, textOf, type Content, type Event, type TernClient } from "@tern/sdk";
import { t } from "../i18n";
import { fullTime } from "./format";
import { userName } from "./names";
import { profileOrLookUp } from "./profiles";

function nameList(client: TernClient, ids: number[]): string {
  const names = ids.map((id) => userName(client, id));
  if (names.length <= 1) return names.join("");
  return names.slice(0, -1).join(t("listSeparator")) + t("and") + names[names.length - 1];
}

export function describeSystem(client: TernClient, event: Event): string | undefined {
  const system = systemEventOf(event.content);
  if (system === undefined) return undefined;
  const actor = userName(client, event.sender);
  switch (system.event) {
    case "group_created":
      return t("sys_group_created", { actor, name: system.name });
    case "members_added":
      return t("sys_members_added", { actor, users: nameList(client, system.users) });
    case "member_removed":
      return t("sys_member_removed", { actor, user: userName(client, system.user) });
    case "picture_changed":
      return system.avatar === undefined ? t("sys_picture_removed", { actor }) : t("sys_picture_changed", { actor });
    case "member_left": {
      const left = t("sys_member_left", { user: userName(client, system.user) });
      return system.new_owner === undefined ? left : `${left} · ${t("sys_new_owner", { user: userName(client, system.new_owner) })}`;
    }
    case "renamed":
      return t("sys_renamed", { actor, name: system.name });
    case "description_changed":
      return t("sys_description_changed", { actor });
    case "announced":
      return system.text === "" ? t("sys_announcement_removed", { actor }) : t("sys_announced", { actor, text: system.text });
    case "role_changed":
      return t(system.role === "admin" ? "sys_made_admin" : "sys_made_member", { actor, user: userName(client, system.user) });
    case "owner_changed":
      return t("sys_owner_changed", { actor, user: userName(client, system.user) });
    case "member_muted": {
      const user = userName(client, system.user);
      if (system.until === undefined) return t("sys_member_muted_forever", { actor, user });
      return t("sys_member_muted", { actor, user, until: fullTime(system.until) });
    }
    case "member_unmuted":
      return t("sys_member_unmuted", { actor, user: userName(client, system.user) });
    case "all_muted":
      return t(system.muted ? "sys_all_muted" : "sys_all_unmuted", { actor });
    case "nickname_changed": {
      const user = userName(client, system.user);
      return system.nickname === undefined ? t("sys_nickname_dropped", { user }) : t("sys_nickname_set", { user, nickname: system.nickname });
    }
    case "dissolved":
      return t("sys_dissolved", { actor });
  }
}

/** A media message in words, for previews and quotes: "[Photo]", "[File] report.pdf", ... */
export function mediaLabel(content: Content): string | undefined {
  const media = asMedia(content);
  if (media === undefined) return undefined;
  switch (media.type) {
    case "image":
      return t("photoLabel");
    case "voice":
      return t("voiceLabel");
    case "video":
      return t("videoLabel");
    default:
      return `${t("fileLabel")} ${media.file.name}`;
  }
}

/** One line for the conversation list; in groups, who said it. */
export function preview(client: TernClient, event: Event | undefined, group: boolean): string {
  if (event === undefined) return "";
  const text = textOf(event.content) ?? mediaLabel(event.content);
  if (text !== undefined) {
    const oneLine = text.replace(/\s+/g, " ").trim();
    if (event.sender === client.user?.id) return t("youPrefix") + oneLine;
    const sender = group ? profileOrLookUp(client, event.sender) : undefined;
    return group && sender !== undefined ? t("senderPrefix", { name: sender.display_name }) + oneLine : oneLine;
  }
  const recalled = asRecalled(event.content);
  if (recalled !== undefined) {
    return recalled.by === client.user?.id ? t("recalledYou") : t("recalledBy", { name: userName(client, recalled.by) });
  }
  return describeSystem(client, event) ?? t("unsupported");
}
