// One member in a group's info: name, nickname, role and mute badges, and what you may do to
// them (docs/PROTOCOL.md, "Administering a group"): the owner names admins and hands the group
// over; the owner and admins mute and remove those below them.

import type { MemberInfo, MemberRole } from "@tern/sdk";
import { t } from "../i18n";
import { Avatar } from "./Avatar";
import { MoreIcon } from "./icons";
import { Menu, type MenuItem } from "./Menu";

const HOUR_S = 3600;

function rank(role: MemberRole | undefined): number {
  return role === "owner" ? 2 : role === "admin" ? 1 : 0;
}

export interface MemberActions {
  setRole(role: "admin" | "member"): void;
  mute(durationS?: number): void;
  unmute(): void;
  remove(): void;
  transfer(): void;
}

export function MemberRow({ member, me, myRole, active, actions }: { member: MemberInfo; me: number; myRole: MemberRole | undefined; active: boolean; actions: MemberActions }) {
  const { user, role } = member;
  const muted = member.muted_until !== undefined && member.muted_until > Date.now();
  const items: MenuItem[] = [];
  if (active && user.id !== me) {
    if (myRole === "owner") {
      items.push(role === "admin" ? { label: t("removeAdmin"), onSelect: () => actions.setRole("member") } : { label: t("makeAdmin"), onSelect: () => actions.setRole("admin") });
    }
    if (rank(myRole) >= 1 && rank(myRole) > rank(role)) {
      if (muted) items.push({ label: t("unmute"), onSelect: actions.unmute });
      else {
        items.push({ label: t("mute1h"), onSelect: () => actions.mute(HOUR_S) });
        items.push({ label: t("mute1d"), onSelect: () => actions.mute(24 * HOUR_S) });
        items.push({ label: t("muteForever"), onSelect: () => actions.mute() });
      }
      items.push({ label: t("remove"), onSelect: actions.remove, danger: true });
    }
    if (myRole === "owner") items.push({ label: t("transferOwnership"), onSelect: actions.transfer, danger: true });
  }
  return (
    <li class="member" data-testid={`member-${user.username}`}>
      <Avatar name={user.display_name} colorKey={user.id} size={40} file={user.avatar} />
      <span class="member-names">
        <span class="member-name" dir="auto">
          {member.nickname ?? user.display_name}
          {user.id === me && <span class="member-you"> ({t("youBadge")})</span>}
        </span>
        <span class="member-username" dir="auto">
          {member.nickname !== undefined ? `${user.display_name} · ` : ""}@{user.username}
        </span>
      </span>
      {role === "owner" && <span class="role-badge">{t("ownerBadge")}</span>}
      {role === "admin" && <span class="role-badge">{t("adminBadge")}</span>}
      {muted && <span class="role-badge muted">{t("mutedBadge")}</span>}
      {items.length > 0 && <Menu label={t("memberActions", { name: user.display_name })} button={<MoreIcon />} items={items} align="end" />}
    </li>
  );
}
