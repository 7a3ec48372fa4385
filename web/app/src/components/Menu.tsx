// A button that opens a small menu of actions: Escape and a click outside close it, arrow keys
// move between items, and focus returns to the button.

import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export interface MenuItem {
  label: string;
  icon?: ComponentChildren;
  onSelect(): void;
  danger?: boolean;
  /** An on/off choice (a checkbox item) and its state. */
  checked?: boolean;
}

/** `header` goes above the items; given as a function, it can close the menu (after a pick).
 * `items` given as a function are made when the menu opens (what is allowed may have changed
 * since the last render: a recall window closes while nothing else does). */
export function Menu({
  label,
  button,
  items,
  align = "start",
  header,
}: {
  label: string;
  button: ComponentChildren;
  items: MenuItem[] | (() => MenuItem[]);
  align?: "start" | "end";
  header?: ComponentChildren | ((close: () => void) => ComponentChildren);
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const first = root.current?.querySelector<HTMLButtonElement>('[role^="menuitem"]');
    first?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  const close = () => {
    setOpen(false);
    trigger.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!open) return;
    const itemsEls = [...(root.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]') ?? [])];
    const index = itemsEls.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      itemsEls[(index + step + itemsEls.length) % itemsEls.length]?.focus();
    } else if (e.key === "Tab") {
      setOpen(false);
    }
  };

  return (
    <div class="menu" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={trigger}
        type="button"
        class="icon-button"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {button}
      </button>
      {open && (
        <div class={`menu-popover ${align}`} role="menu" aria-label={label}>
          {typeof header === "function" ? header(close) : header}
          {(typeof items === "function" ? items() : items).map((item) => (
            <button
              key={item.label}
              type="button"
              role={item.checked === undefined ? "menuitem" : "menuitemcheckbox"}
              aria-checked={item.checked}
              class={`menu-item ${item.danger ? "danger" : ""}`}
              onClick={() => {
                close();
                item.onSelect();
              }}
            >
              {item.icon}
              <span>{item.label}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
