// Holding a message on a touch screen (or right-clicking it) opens its action menu, as phones
// and desktop chat apps do. A finger that moves is scrolling, not holding.

const HOLD_MS = 500;
/** How far a finger may drift, in CSS pixels, and still count as holding. */
const SLOP = 10;

export interface LongPressHandlers {
  onPointerDown(e: PointerEvent): void;
  onPointerMove(e: PointerEvent): void;
  onPointerUp(): void;
  onPointerCancel(): void;
  onContextMenu(e: MouseEvent): void;
}

/** Handlers for an element; `open` gets the element held. */
export function longPress(open: (element: HTMLElement) => void): LongPressHandlers {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let start = { x: 0, y: 0 };
  /** The hold already opened the menu: the `contextmenu` Android fires after it must not
   * toggle it shut. */
  let held = false;
  const cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    onPointerDown(e) {
      if (e.pointerType !== "touch") return;
      cancel();
      held = false;
      start = { x: e.clientX, y: e.clientY };
      const element = e.currentTarget as HTMLElement;
      timer = setTimeout(() => {
        timer = undefined;
        held = true;
        open(element);
      }, HOLD_MS);
    },
    onPointerMove(e) {
      if (timer !== undefined && Math.hypot(e.clientX - start.x, e.clientY - start.y) > SLOP) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
    onContextMenu(e) {
      // Links keep the browser's own menu (open in a new tab, copy the address).
      if ((e.target as HTMLElement).closest("a") !== null) return;
      e.preventDefault();
      cancel();
      if (held) {
        held = false;
        return;
      }
      open(e.currentTarget as HTMLElement);
    },
  };
}

/** Opens the action menu of the message `element` holds. */
export function openActions(element: HTMLElement): void {
  element.querySelector<HTMLButtonElement>(".msg-actions [aria-haspopup='menu']")?.click();
}
