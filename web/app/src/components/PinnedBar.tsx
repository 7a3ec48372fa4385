// The pinned messages of the open conversation, under its header: the most recently pinned one
// shown, the others one click away (the bar cycles through them and jumps to the message when
// it is loaded). Those who may pin may unpin from here. Kept current by the `pin` changes that
// arrive like any event, and by recalls (a recalled message is no longer pinned).

import type { ConvId, Pinned } from "@tern/sdk";
import { textOf } from "@tern/sdk";
import { mediaLabel } from "../lib/describe";
import { useEffect, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { allowed } from "../lib/actions";
import { userName } from "../lib/names";
import { revealMessage } from "../lib/window";
import { CloseIcon, PinIcon } from "./icons";
import { notify } from "./Notice";

export function PinnedBar({ conv, group }: { conv: ConvId; group: boolean }) {
  const { client, detail } = useChat();
  const [pins, setPins] = useState<Pinned[]>([]);
  const [shown, setShown] = useState(0);

  useEffect(() => {
    let live = true;
    const load = () =>
      client.changes
        .pins(conv)
        .then((found) => live && setPins(found))
        .catch(() => undefined);
    void load();
    const off = client.on("event", (event) => {
      if (event.conv === conv && (event.content.type === "pin" || event.content.type === "recall")) void load();
    });
    return () => {
      live = false;
      off();
    };
  }, [client, conv]);

  if (pins.length === 0) return null;
  const index = Math.min(shown, pins.length - 1);
  const pin = pins[index];
  if (pin === undefined) return null;
  const text = textOf(pin.event.content) ?? mediaLabel(pin.event.content) ?? t("unsupported");
  const may = allowed(client, pin.event, group, detail(conv));
  const jump = () => {
    revealMessage(pin.event.seq);
    setShown((index + 1) % pins.length);
  };
  return (
    <div class="pinned-bar" data-testid="pinned-bar">
      <PinIcon size={16} />
      <button type="button" class="pinned-body" onClick={jump} aria-label={t("pinnedMessage", { index: index + 1, count: pins.length })}>
        <span class="pinned-label">{pins.length > 1 ? t("pinnedMessage", { index: index + 1, count: pins.length }) : t("pinnedOne")}</span>
        <span class="pinned-text" dir="auto">
          {userName(client, pin.event.sender)}: {text.replace(/\s+/g, " ")}
        </span>
      </button>
      {may.pin && (
        <button type="button" class="icon-button small" aria-label={t("unpin")} title={t("unpin")} onClick={() => client.changes.pin(conv, pin.event.seq, false).catch(notify)}>
          <CloseIcon size={16} />
        </button>
      )}
    </div>
  );
}
