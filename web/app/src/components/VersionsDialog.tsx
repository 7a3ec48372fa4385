// Every version of an edited message, the original first, each with its time: what the
// "edited" mark opens.

import type { ConvId, Version } from "@tern/sdk";
import { useEffect, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { errorText } from "../lib/errors";
import { fullTime } from "../lib/format";
import { Dialog } from "./Dialog";

export function VersionsDialog({ conv, seq, onClose }: { conv: ConvId; seq: number; onClose(): void }) {
  const { client } = useChat();
  const [versions, setVersions] = useState<Version[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    client.changes
      .versions(conv, seq)
      .then((found) => live && setVersions(found))
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [client, conv, seq]);
  return (
    <Dialog title={t("editHistory")} onClose={onClose}>
      {error !== undefined && <p role="alert">{error}</p>}
      {versions === undefined && error === undefined && <span class="spinner" aria-hidden="true" />}
      <ol class="versions" data-testid="versions">
        {(versions ?? []).map((v, i) => (
          <li key={i} class="version">
            <span class="version-label">
              {i === 0 ? t("original") : t("editNumber", { n: i })} · <time dateTime={new Date(v.ts).toISOString()}>{fullTime(v.ts)}</time>
            </span>
            <span class="version-text" dir="auto">
              {v.text}
            </span>
          </li>
        ))}
      </ol>
    </Dialog>
  );
}
