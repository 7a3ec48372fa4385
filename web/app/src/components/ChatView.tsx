// One conversation: header, messages, composer.

import { postingState } from "@tern/sdk";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { fullTime } from "../lib/format";
import { conversationTitle } from "../lib/names";
import { typingText } from "../lib/typing";
import { Avatar } from "./Avatar";
import { Composer } from "./Composer";
import { ConnectionBanner } from "./ConnectionBanner";
import { ConversationMenu } from "./ConversationMenu";
import { BackIcon, InfoIcon } from "./icons";
import { ComposeContext, type ComposeMode } from "./compose";
import { MessageList } from "./MessageList";
import { PinnedBar } from "./PinnedBar";
import { SelectionBar } from "./SelectionBar";

export function ChatView({ conv, onBack }: { conv: number; onBack(): void }) {
  const { client, detail, loadDetail, openInfo, uploads } = useChat();
  // Files dragged over the conversation: counted per enter/leave, since children fire them too.
  const [dragging, setDragging] = useState(0);
  const view = client.conversation(conv);
  const kind = view?.kind;
  const [mode, setMode] = useState<ComposeMode>(null);
  const compose = useMemo(() => ({ mode, setMode }), [mode]);

  // Replying or editing belongs to the conversation it started in.
  useEffect(() => setMode(null), [conv]);

  useEffect(() => {
    if (kind === "group") void loadDetail(conv);
  }, [conv, kind, loadDetail]);

  // A mute for a time ends by itself: show the composer again then.
  const [, setTick] = useState(0);
  const mutedUntil = view?.mutedUntil;
  useEffect(() => {
    if (mutedUntil === undefined) return;
    const wait = mutedUntil - client.serverNow();
    if (wait <= 0 || wait > 2 ** 31 - 1) return;
    const timer = setTimeout(() => setTick((n) => n + 1), wait + 50);
    return () => clearTimeout(timer);
  }, [client, mutedUntil]);

  // How far the others read ("seen by"): loaded each time the conversation opens while
  // connected, and again when a catch-up could not list every move; live receipts and
  // catch-up keep it current in between.
  const sharing = client.settings.share_receipts;
  const online = client.status === "online";
  const receiptsKnown = client.receipts.loaded(conv);
  const active = view?.active === true;
  const receiptsFor = useRef<number | null>(null);
  useEffect(() => {
    if (!sharing || !online || !active) return;
    if (receiptsKnown && receiptsFor.current === conv) return;
    receiptsFor.current = conv;
    client.receipts.load(conv).catch(() => undefined);
  }, [client, conv, sharing, online, receiptsKnown, active]);

  if (view === undefined) {
    return (
      <section class="chat" aria-busy="true">
        <header class="chat-header">
          <button type="button" class="icon-button back" aria-label={t("back")} title={t("back")} onClick={onBack}>
            <BackIcon />
          </button>
        </header>
        <div class="chat-loading">
          <span class="spinner" aria-hidden="true" />
        </div>
      </section>
    );
  }

  const title = conversationTitle(view);
  const typing = typingText(client, conv);
  const info = detail(conv);
  const members = info?.member_count ?? info?.members.length;
  const posting = postingState(view, client.serverNow());
  const subtitle =
    typing ??
    (view.kind === "direct"
      ? view.peer === undefined
        ? ""
        : `@${view.peer.username}`
      : !view.active
        ? t("notMember")
        : members === undefined
          ? ""
          : t("members", { count: members }));

  return (
    <section
      class="chat"
      aria-label={title}
      onDragEnter={(e) => {
        if (!view.active || !carriesFiles(e)) return;
        e.preventDefault();
        setDragging((n) => n + 1);
      }}
      onDragOver={(e) => {
        // Accepting the drop is saying so on every dragover.
        if (view.active && carriesFiles(e)) e.preventDefault();
      }}
      onDragLeave={() => setDragging((n) => Math.max(0, n - 1))}
      onDrop={(e) => {
        setDragging(0);
        if (!view.active || !carriesFiles(e)) return;
        e.preventDefault();
        for (const file of e.dataTransfer?.files ?? []) void uploads.add(conv, file, file.name || "file");
      }}
    >
      {dragging > 0 && (
        <div class="drop-zone" aria-hidden="true">
          {t("dropFiles")}
        </div>
      )}
      <header class="chat-header">
        <button type="button" class="icon-button back" aria-label={t("back")} title={t("back")} onClick={onBack}>
          <BackIcon />
        </button>
        <button
          type="button"
          class="chat-identity"
          onClick={view.kind === "group" ? openInfo : undefined}
          disabled={view.kind !== "group"}
          aria-label={view.kind === "group" ? `${title}: ${t("groupInfo")}` : title}
        >
          <Avatar name={title} colorKey={view.kind === "direct" ? (view.peer?.id ?? conv) : `g${conv}`} size={40} group={view.kind === "group"} file={view.kind === "direct" ? view.peer?.avatar : view.avatar} />
          <span class="chat-titles">
            <span class="chat-title" dir="auto">
              {title}
            </span>
            <span class={`chat-subtitle ${typing !== undefined ? "typing" : ""}`} aria-live="polite" dir="auto">
              {subtitle}
            </span>
          </span>
        </button>
        {view.kind === "group" && (
          <button type="button" class="icon-button" aria-label={t("groupInfo")} title={t("groupInfo")} onClick={openInfo}>
            <InfoIcon />
          </button>
        )}
        <ConversationMenu view={view} />
      </header>
      {/* On phones the list (and its banner) is hidden while a conversation is open. */}
      <ConnectionBanner status={client.status} />
      <PinnedBar conv={conv} group={view.kind === "group"} />
      {info?.announcement !== undefined && view.active && (
        <button type="button" class="announcement-bar" onClick={openInfo} aria-label={t("announcement")}>
          <strong>{t("announcement")}</strong>
          <span dir="auto">{info.announcement.text}</span>
        </button>
      )}
      <ComposeContext.Provider value={compose}>
        <MessageList conv={conv} />
        {!view.active ? (
          <p class="inactive-note">{t("inactive")}</p>
        ) : posting !== "ok" ? (
          <p class="inactive-note" role="status" data-testid="muted-note">
            {posting === "all_muted" ? t("allMutedNote") : (view.mutedUntil ?? 0) >= Number.MAX_SAFE_INTEGER ? t("mutedForeverNote") : t("mutedNote", { until: fullTime(view.mutedUntil ?? 0) })}
          </p>
        ) : mode?.kind === "select" ? (
          <SelectionBar conv={conv} seqs={mode.seqs} />
        ) : (
          <Composer conv={conv} />
        )}
      </ComposeContext.Provider>
    </section>
  );
}

/** Whether a drag carries files (not text or a link being dragged about). */
function carriesFiles(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes("Files") === true;
}
