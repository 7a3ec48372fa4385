// A destructive action that asks first, in place (no native confirm(): it blocks the page, looks
// foreign, and cannot be styled or translated consistently).

import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n";

export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled, class: className = "" }: { label: string; question: string; confirmLabel: string; onConfirm(): void; disabled?: boolean; class?: string }) {
  const [asking, setAsking] = useState(false);

  if (!asking) {
    return (
      <button type="button" class={`button ${className}`} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <ConfirmBox
      question={question}
      confirmLabel={confirmLabel}
      onCancel={() => setAsking(false)}
      onConfirm={() => {
        setAsking(false);
        onConfirm();
      }}
    />
  );
}

/** The question and its two answers, focused on the destructive one. */
export function ConfirmBox({ question, confirmLabel, onConfirm, onCancel }: { question: string; confirmLabel: string; onConfirm(): void; onCancel(): void }) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  return (
    <div class="confirm" role="group" aria-label={question}>
      <p class="confirm-question">{question}</p>
      <div class="confirm-actions">
        <button type="button" class="button small" onClick={onCancel}>
          {t("cancel")}
        </button>
        <button ref={confirmRef} type="button" class="button small danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </div>
  );
}
