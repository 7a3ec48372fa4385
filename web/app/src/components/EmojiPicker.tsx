// A small emoji picker above the composer: category tabs and a grid. Escape or a click outside
// closes it; picking keeps it open so several can be added.

import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import { EMOJI_GROUPS } from "../lib/emoji";

export function EmojiPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const [groupId, setGroupId] = useState(EMOJI_GROUPS[0]?.id ?? "");
  const root = useRef<HTMLDivElement>(null);
  const group = EMOJI_GROUPS.find((g) => g.id === groupId) ?? EMOJI_GROUPS[0];

  useEffect(() => {
    root.current?.querySelector<HTMLButtonElement>(".emoji-grid button")?.focus();
    const onPointer = (e: PointerEvent) => {
      const target = e.target as HTMLElement;
      if (!root.current?.contains(target) && !target.closest("[aria-haspopup=dialog]")) onClose();
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [onClose]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    const buttons = [...(root.current?.querySelectorAll<HTMLButtonElement>(".emoji-grid button") ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const columns = 8;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
    const move = moves[e.key];
    if (move !== undefined) {
      e.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, index + move))]?.focus();
    }
  };

  return (
    <div class="emoji-picker" ref={root} role="dialog" aria-label={t("chooseEmoji")} onKeyDown={onKeyDown}>
      <div class="emoji-tabs" role="tablist" aria-label={t("chooseEmoji")}>
        {EMOJI_GROUPS.map((g) => (
          <button key={g.id} type="button" role="tab" aria-selected={g.id === groupId} class="emoji-tab" onClick={() => setGroupId(g.id)}>
            {g.icon}
          </button>
        ))}
      </div>
      <div class="emoji-grid" role="tabpanel">
        {group?.emoji.map((emoji) => (
          <button key={emoji} type="button" class="emoji" onClick={() => onPick(emoji)}>
            {emoji}
          </button>
        ))}
      </div>
    </div>
  );
}
