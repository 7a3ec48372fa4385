// While messages are being picked: how many are, and forwarding them together (in their order
// in the conversation) or cancelling. Takes the composer's place.

import type { ConvId } from "@tern/sdk";
import { useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { useCompose } from "./compose";
import { ForwardDialog } from "./ForwardDialog";

export function SelectionBar({ conv, seqs }: { conv: ConvId; seqs: number[] }) {
  const { client } = useChat();
  const { setMode } = useCompose();
  const [forwarding, setForwarding] = useState(false);
  const max = client.limits.max_forward ?? 50;
  const tooMany = seqs.length > max;
  return (
    <div class="selection-bar" role="toolbar" aria-label={t("selectedCount", { count: seqs.length })}>
      <span class={`selection-count ${tooMany ? "over" : ""}`} aria-live="polite">
        {tooMany ? t("selectedTooMany", { count: seqs.length, max }) : t("selectedCount", { count: seqs.length })}
      </span>
      <button type="button" class="button small subtle" onClick={() => setMode(null)}>
        {t("cancel")}
      </button>
      <button type="button" class="button small" disabled={seqs.length === 0 || tooMany} onClick={() => setForwarding(true)}>
        {t("forward")}
      </button>
      {forwarding && <ForwardDialog from={conv} seqs={seqs} onClose={() => setForwarding(false)} onDone={() => setMode(null)} />}
    </div>
  );
}
