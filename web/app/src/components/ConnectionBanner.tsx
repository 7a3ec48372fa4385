// Says when messages cannot flow right now. Quiet when all is well; announced politely to
// screen readers when it changes.

import type { ConnectionStatus } from "@tern/sdk";
import { t } from "../i18n";
import type { StringKey } from "../i18n/en";

const TEXT: Partial<Record<ConnectionStatus, StringKey>> = {
  connecting: "connecting",
  reconnecting: "reconnecting",
  offline: "offline",
};

export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  const key = TEXT[status];
  return (
    <div class="connection" role="status" aria-live="polite">
      {key !== undefined && (
        <div class={`connection-banner ${status}`} data-status={status}>
          <span class="spinner" aria-hidden="true" />
          <span>{t(key)}</span>
        </div>
      )}
    </div>
  );
}
