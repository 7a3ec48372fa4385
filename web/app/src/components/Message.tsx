// One message bubble (or a system line). Text is rendered as text nodes and <a> elements by
// Preact: never as HTML, whatever it contains.

import type { Event, PendingMessage } from "@tern/sdk";
import { asMedia, asRecalled, asText, forwardedOf, targetOf, textOf } from "@tern/sdk";
import { useMemo, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { failureReason } from "../lib/errors";
import { describeSystem, mediaLabel } from "../lib/describe";
import { fullTime, timeOfDay } from "../lib/format";
import { isEmojiOnly, linkify } from "../lib/linkify";
import { longPress, openActions } from "../lib/longpress";
import type { UploadItem } from "../lib/uploads";
import { colorSlot, userName } from "../lib/names";
import { Avatar } from "./Avatar";
import { toggled, useCompose } from "./compose";
import { AlertIcon, CheckIcon, ClockIcon, CloseIcon, DoubleCheckIcon, FileIcon, RetryIcon } from "./icons";
import { MediaView } from "./Media";
import { MessageActions } from "./MessageActions";
import { Quote } from "./Quote";
import { Reactions } from "./Reactions";
import { SeenByLine } from "./SeenByDialog";
import { VersionsDialog } from "./VersionsDialog";

function MessageText({ text }: { text: string }) {
  return (
    <span class={`text ${isEmojiOnly(text) ? "emoji-only" : ""}`} dir="auto">
      {linkify(text).map((segment, i) =>
        segment.kind === "link" ? (
          <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer">
            {segment.text}
          </a>
        ) : (
          segment.text
        ),
      )}
    </span>
  );
}

const STATE_ICON = {
  read: <DoubleCheckIcon size={17} />,
  sent: <CheckIcon size={15} />,
  sending: <ClockIcon size={14} />,
  failed: <AlertIcon size={15} />,
};

/**
 * Time and delivery state in the bubble's corner. An invisible copy sits at the end of the text
 * and reserves exactly the room the visible one needs, so they never overlap, in any language.
 */
function Meta({ ts, state, title, edited }: { ts: number; state?: keyof typeof STATE_ICON; title?: string; edited?: number }) {
  const label = state === undefined ? undefined : t(state);
  const content = (
    <>
      {edited !== undefined && (
        <span class="edited" title={fullTime(edited)}>
          {t("edited")}
        </span>
      )}
      <time dateTime={new Date(ts).toISOString()} title={fullTime(ts)}>
        {timeOfDay(ts)}
      </time>
      {state !== undefined && (
        <span class={`state ${state}`} title={title ?? label}>
          {STATE_ICON[state]}
        </span>
      )}
    </>
  );
  return (
    <>
      <span class="meta-spacer" aria-hidden="true">
        {content}
      </span>
      <span class="meta">
        {content}
        {label !== undefined && <span class="visually-hidden">{label}</span>}
      </span>
    </>
  );
}

export interface Placement {
  /** First of a run of messages from the same sender: shows the name (groups). */
  first: boolean;
  /** Last of the run: shows the avatar (groups) and the bubble's tail. */
  last: boolean;
  group: boolean;
}

export function EventMessage({ event, placement }: { event: Event; placement: Placement }) {
  const { client } = useChat();
  const { mode, setMode } = useCompose();
  const [history, setHistory] = useState(false);
  const hold = useMemo(() => longPress(openActions), []);
  // A change to a message shows in the message it changes, never on its own.
  if (targetOf(event.content) !== undefined) return null;
  const me = client.user?.id;
  const system = describeSystem(client, event);
  if (system !== undefined) {
    return (
      <div class="system-line" data-seq={event.seq}>
        <span dir="auto">{system}</span>
      </div>
    );
  }
  const recalled = asRecalled(event.content);
  if (recalled !== undefined) {
    return (
      <div class="system-line recalled" data-seq={event.seq} data-testid="recalled">
        <span dir="auto">{recalled.by === me ? t("recalledYou") : t("recalledBy", { name: userName(client, recalled.by) })}</span>
      </div>
    );
  }
  const own = event.sender === me;
  const c = asText(event.content);
  const text = textOf(event.content);
  const media = asMedia(event.content);
  // A message people wrote (text or a file): it has actions and can be selected.
  const shown = text !== undefined || media !== undefined;
  const label = text ?? mediaLabel(event.content) ?? "";
  const forwarded = forwardedOf(event.content);
  const name = userName(client, event.sender);
  const mentionsMe = c !== undefined && !own && (c.mention_all === true || (me !== undefined && (c.mentions ?? []).includes(me)));
  // In a direct conversation, your message is marked read once the peer's position passes it.
  const peer = placement.group ? undefined : client.conversation(event.conv)?.peer?.id;
  const readByPeer = own && peer !== undefined && (client.receipts.position(event.conv, peer) ?? 0) >= event.seq;
  const selecting = mode?.kind === "select" && shown ? mode : undefined;
  const picked = selecting?.seqs.includes(event.seq) === true;
  const toggle = () => selecting !== undefined && setMode(toggled(selecting, event.seq));
  return (
    <div
      class={`msg ${own ? "own" : "other"} ${placement.first ? "first" : ""} ${placement.last ? "last" : ""} ${mentionsMe ? "mentions-me" : ""} ${selecting !== undefined ? "selectable" : ""} ${picked ? "picked" : ""}`}
      data-seq={event.seq}
      data-testid="message"
      onClick={selecting !== undefined ? toggle : undefined}
      {...(selecting === undefined && shown ? hold : {})}
    >
      {selecting !== undefined && (
        <input
          type="checkbox"
          class="pick"
          aria-label={t("selectMessage", { text: label })}
          checked={picked}
          onClick={(e) => e.stopPropagation()}
          onChange={toggle}
        />
      )}
      {placement.group && !own && <span class="msg-avatar">{placement.last && <Avatar name={name} colorKey={event.sender} size={32} file={client.profile(event.sender)?.avatar} />}</span>}
      <div class="msg-column">
        <div class={`bubble ${!shown ? "unsupported" : ""} ${media !== undefined ? `media ${media.type}` : ""}`}>
          {placement.group && !own && placement.first && (
            <span class={`sender c${colorSlot(event.sender)}`} dir="auto">
              {name}
            </span>
          )}
          {forwarded !== undefined && (
            <span class="forwarded" dir="auto">
              {t("forwardedFrom", { name: userName(client, forwarded.sender) })}
            </span>
          )}
          {c?.reply_to !== undefined && <Quote conv={event.conv} seq={c.reply_to} />}
          {text !== undefined ? <MessageText text={text} /> : media !== undefined ? <MediaView content={media} /> : <span class="text">{t("unsupported")}</span>}
          <Meta ts={event.ts} state={own ? (readByPeer ? "read" : "sent") : undefined} edited={event.edited} />
        </div>
        {own && placement.group && <SeenByLine event={event} />}
        {event.edited !== undefined && (
          <button type="button" class="edited-history" onClick={() => setHistory(true)} data-testid="edit-history">
            {t("editHistory")}
          </button>
        )}
        {history && <VersionsDialog conv={event.conv} seq={event.seq} onClose={() => setHistory(false)} />}
        <Reactions event={event} />
      </div>
      {shown && selecting === undefined && <MessageActions event={event} group={placement.group} />}
    </div>
  );
}

export function PendingBubble({ message }: { message: PendingMessage }) {
  const { client } = useChat();
  const text = textOf(message.content);
  const media = asMedia(message.content);
  const failed = message.state === "failed";
  return (
    <div class={`msg own first last pending ${failed ? "failed" : ""}`} data-cmid={message.cmid} data-testid="message">
      <div class={`bubble ${media !== undefined ? `media ${media.type}` : ""}`}>
        {media !== undefined ? <MediaView content={media} /> : <MessageText text={text ?? ""} />}
        <Meta ts={message.createdAt} state={failed ? "failed" : "sending"} title={failed ? message.error?.message : undefined} />
      </div>
      {failed && (
        <div class="failed-actions" role="group" aria-label={t("failed")}>
          <span class="failed-reason">{failureReason(message.error)}</span>
          <button type="button" class="button small" onClick={() => void client.retry(message.cmid)}>
            {t("retry")}
          </button>
          <button type="button" class="button small subtle" onClick={() => client.discard(message.cmid)}>
            {t("discard")}
          </button>
        </div>
      )}
    </div>
  );
}

/** A file being uploaded: its picture or name, how far it got, cancel, and retry once failed. */
export function UploadBubble({ item }: { item: UploadItem }) {
  const { uploads } = useChat();
  const failed = item.state === "failed";
  const percent = item.size === 0 ? 100 : Math.floor((item.sent / item.size) * 100);
  return (
    <div class={`msg own first last pending upload ${failed ? "failed" : ""}`} data-testid="upload">
      <div class="bubble media">
        {item.preview !== undefined ? (
          <img class="upload-preview" src={item.preview} alt={item.name} />
        ) : (
          <span class="upload-name" dir="auto">
            <FileIcon size={18} /> {item.name}
          </span>
        )}
        <div class="upload-progress" role="progressbar" aria-label={t("uploading", { name: item.name })} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          <span style={{ width: `${percent}%` }} />
        </div>
        <div class="upload-actions">
          <span class="upload-state">{failed ? t("uploadFailed") : `${percent}%`}</span>
          {failed && (
            <button type="button" class="icon-button small" aria-label={t("retry")} title={item.error ?? t("retry")} onClick={() => uploads.retry(item.key)}>
              <RetryIcon size={16} />
            </button>
          )}
          <button type="button" class="icon-button small" aria-label={t("cancelUpload")} title={t("cancelUpload")} onClick={() => uploads.cancel(item.key)}>
            <CloseIcon size={16} />
          </button>
        </div>
      </div>
    </div>
  );
}
