// The quoted message above a reply (and above the composer while replying): who wrote it and
// its first line, as it stands now (edited, or recalled). Clicking it jumps to the original
// when it is loaded.

import type { ConvId, Event } from "@tern/sdk";
import { asRecalled, textOf } from "@tern/sdk";
import { useChat } from "../context";
import { t } from "../i18n";
import { colorSlot, userName } from "../lib/names";
import { mediaLabel } from "../lib/describe";
import { revealMessage } from "../lib/window";
import { CloseIcon } from "./icons";

export function quoteText(event: Event | undefined): string {
  if (event === undefined) return t("quoteMissing");
  if (asRecalled(event.content) !== undefined) return t("quoteRecalled");
  const text = textOf(event.content) ?? mediaLabel(event.content);
  return text === undefined ? t("unsupported") : text.replace(/\s+/g, " ").trim();
}

export function Quote({ conv, seq, onClose }: { conv: ConvId; seq: number; onClose?(): void }) {
  const { client } = useChat();
  const timeline = client.timeline(conv);
  const first = timeline?.events[0]?.seq;
  const quoted = first === undefined ? undefined : timeline?.events[seq - first];
  const jump = () => revealMessage(seq);
  return (
    <div class="quote" data-testid="quote">
      <button type="button" class="quote-body" onClick={jump} disabled={quoted === undefined}>
        {quoted !== undefined && (
          <span class={`quote-sender c${colorSlot(quoted.sender)}`} dir="auto">
            {userName(client, quoted.sender)}
          </span>
        )}
        <span class="quote-text" dir="auto">
          {quoteText(quoted)}
        </span>
      </button>
      {onClose !== undefined && (
        <button type="button" class="icon-button small" aria-label={t("cancel")} title={t("cancel")} onClick={onClose}>
          <CloseIcon size={16} />
        </button>
      )}
    </div>
  );
}
