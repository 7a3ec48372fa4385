// Says when messages cannot flow right now. Quiet when all is well; announced politely to
// screen readers when it changes.

import type { ConnectionStatus } from "@tern/sdk";
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n";
import type { StringKey } from "../i18n/en";

const TEXT: Partial<Record<ConnectionStatus, StringKey>> = {
  connecting: "connecting",
  reconnecting: "reconnecting",
  offline: "offline",
};

/** Whether the browser says the network is there; the socket only finds out later. */
function useNetwork(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  // With the network gone the client keeps trying to reconnect, but "Reconnecting…" would be a
  // promise it cannot keep: say the device is offline until the network is back.
  const network = useNetwork();
  const shown = network || status === "online" ? status : "offline";
  const key = TEXT[shown];
  return (
    <div class="connection" role="status" aria-live="polite">
      {key !== undefined && (
        <div class={`connection-banner ${shown}`} data-status={shown}>
          <span class="spinner" aria-hidden="true" />
          <span>{t(key)}</span>
        </div>
      )}
    </div>
  );
}
