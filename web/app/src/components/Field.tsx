// A labelled input with an optional hint: the label names the input, the hint describes it
// (kept apart so screen readers do not read the hint as part of the name).

import type { InputHTMLAttributes, PartialInputHTMLAttributes } from "preact";
import { useId } from "preact/hooks";

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, "id" | "value" | "onInput" | "role">;

export function Field({ label, hint, value, onValue, ...input }: InputProps & { label: string; hint?: string; value: string; onValue(value: string): void }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {label}
      </label>
      <input id={id} value={value} onInput={(e) => onValue(e.currentTarget.value)} aria-describedby={hint === undefined ? undefined : hintId} {...(input as InputHTMLAttributes<HTMLInputElement>)} />
      {hint !== undefined && (
        <span class="field-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}
