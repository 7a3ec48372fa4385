// A round avatar with initials on a colour derived from the id (decorative: names are always
// written next to it).

import { colorSlot, initials } from "../lib/names";

export function Avatar({ name, colorKey, size = 40, group = false }: { name: string; colorKey: number | string; size?: number; group?: boolean }) {
  return (
    <span class={`avatar c${colorSlot(colorKey)} ${group ? "group" : ""} s${size}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
