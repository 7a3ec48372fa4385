// A modal built on <dialog>: the browser traps focus, closes it on Escape and restores focus
// to what opened it; a click on the backdrop closes it too.

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";
import { CloseIcon } from "./icons";

export function Dialog({ title, onClose, children, variant = "center" }: { title: string; onClose(): void; children: ComponentChildren; variant?: "center" | "sheet" | "viewer" }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (!dialog.open) dialog.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    dialog.addEventListener("cancel", onCancel);
    return () => dialog.removeEventListener("cancel", onCancel);
  }, [onClose]);

  return (
    <dialog
      ref={ref}
      class={`dialog ${variant}`}
      aria-labelledby="dialog-title"
      onClick={(e) => {
        // A click on the dialog element itself (not its content) is a click on the backdrop.
        if (e.target === ref.current) onClose();
      }}
    >
      <div class="dialog-content">
        <header class="dialog-header">
          <h2 id="dialog-title">{title}</h2>
          <button type="button" class="icon-button" aria-label={t("close")} title={t("close")} onClick={onClose}>
            <CloseIcon />
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}
