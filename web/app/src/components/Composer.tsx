// Writing a message: Enter sends, Shift+Enter starts a new line (and Enter while an input
// method is composing, e.g. pinyin, confirms the candidate instead of sending). Drafts are kept
// per conversation while the page lives. While replying, the quoted message shows above; while
// editing, the text is the message's and Enter saves it; Escape stops either. In a group, `@`
// offers the members (MentionPicker); those picked are sent as structured mentions. Files come
// from the paperclip, a paste or a drop (ChatView) and upload in the background (lib/uploads);
// with nothing typed, the microphone records a voice message (click to start, click to send).

import { textOf, type Content } from "@tern/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { useCompose } from "./compose";
import { EmojiPicker } from "./EmojiPicker";
import { CloseIcon, MicIcon, PaperclipIcon, SendIcon, SmileIcon, StopIcon } from "./icons";
import { isModerator } from "../lib/actions";
import { duration } from "../lib/format";
import { startRecording, type Recording } from "../lib/recorder";
import { notify } from "./Notice";
import { Quote } from "./Quote";
import { type Candidate, MentionPicker, candidates, mentionQuery } from "./MentionPicker";

const drafts = new Map<number, string>();

export function Composer({ conv }: { conv: number }) {
  const { client, detail, uploads } = useChat();
  const fileInput = useRef<HTMLInputElement>(null);
  const [recording, setRecording] = useState<Recording | null>(null);
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    if (recording === null) return;
    const timer = setInterval(() => setElapsed(recording.elapsed()), 200);
    return () => clearInterval(timer);
  }, [recording]);
  // Leaving the conversation mid-recording throws the clip away.
  useEffect(() => () => recording?.cancel(), [recording]);
  const sendFiles = (files: Iterable<File>) => {
    for (const file of files) void uploads.add(conv, file, file.name || "file");
  };
  const record = async () => {
    try {
      setElapsed(0);
      setRecording(await startRecording());
    } catch {
      notify(new Error(t("micUnavailable")));
    }
  };
  const finishRecording = async () => {
    if (recording === null) return;
    const clip = await recording.stop();
    setRecording(null);
    void uploads.add(conv, clip.blob, clip.name, clip.voice);
  };
  const { mode, setMode } = useCompose();
  const [text, setText] = useState(() => drafts.get(conv) ?? "");
  const [picker, setPicker] = useState(false);
  // `@` mentions: what is being typed after the `@`, the option shown active, and who was picked.
  const [mention, setMention] = useState<{ start: number; query: string } | undefined>(undefined);
  const [activeOption, setActiveOption] = useState(0);
  const picked = useRef<Candidate[]>([]);
  const members = detail(conv)?.members ?? [];
  const me = client.user?.id;
  const moderator = isModerator(client.conversation(conv)?.role);
  const options = mention === undefined || members.length === 0 ? [] : candidates(members.map((m) => m.user), me, mention.query, moderator);
  const input = useRef<HTMLTextAreaElement>(null);
  const emojiButton = useRef<HTMLButtonElement>(null);
  const limit = client.limits.max_text_chars;
  const length = [...text].length;
  const over = length - limit;
  const blank = text.trim() === "";

  // Grow with the text up to a few lines (CSS caps it), then scroll.
  useEffect(() => {
    const node = input.current;
    if (node === null) return;
    node.style.height = "auto";
    node.style.height = `${node.scrollHeight}px`;
  }, [text]);

  useEffect(() => {
    // On a phone the keyboard would cover half the conversation on open; only focus on wide screens.
    if (matchMedia("(min-width: 761px)").matches) input.current?.focus();
  }, [conv]);

  // Editing starts from the message's text, and gives the draft back when it ends.
  const editing = mode?.kind === "edit" ? mode.event : undefined;
  useEffect(() => {
    if (editing === undefined) return;
    setText(textOf(editing.content) ?? "");
    input.current?.focus();
    return () => setText(drafts.get(conv) ?? "");
  }, [editing, conv]);
  useEffect(() => {
    if (mode?.kind === "reply") input.current?.focus();
  }, [mode]);

  const update = (value: string, caret = value.length) => {
    setText(value);
    setMention(mentionQuery(value, caret));
    setActiveOption(0);
    if (editing !== undefined) return;
    drafts.set(conv, value);
    if (value.trim() !== "") client.typing(conv);
  };

  const send = () => {
    if (blank || over > 0) return;
    if (editing !== undefined) {
      if (text !== textOf(editing.content)) client.changes.edit(conv, editing.seq, text).catch(notify);
      setMode(null);
      return;
    }
    const content: Content = { type: "text", text };
    if (mode?.kind === "reply") content.reply_to = mode.event.seq;
    // Only those still named in the text are mentioned.
    const named = picked.current.filter((c) => text.includes(`@${c.label}`));
    const ids = [...new Set(named.flatMap((c) => (c.user === null ? [] : [c.user.id])))];
    if (ids.length > 0) content.mentions = ids;
    if (named.some((c) => c.user === null)) content.mention_all = true;
    picked.current = [];
    client.send(conv, content);
    setMode(null);
    update("");
    drafts.delete(conv);
    input.current?.focus();
  };

  const pickMention = (c: Candidate) => {
    if (mention === undefined) return;
    const caret = mention.start + 1 + mention.query.length;
    const inserted = `@${c.label} `;
    const next = text.slice(0, mention.start) + inserted + text.slice(caret);
    picked.current = [...picked.current, c];
    update(next, mention.start + inserted.length);
    setMention(undefined);
    placeCaret(next, mention.start + inserted.length);
  };

  /** Puts `value` in the box with the caret at `at` now, not after the next render: a key
   * typed in between would otherwise land before the caret's old place ("开会了" → "会了开"). */
  const placeCaret = (value: string, at: number) => {
    const node = input.current;
    if (node === null) return;
    node.value = value;
    node.focus();
    node.setSelectionRange(at, at);
  };

  const insert = (emoji: string) => {
    const node = input.current;
    const start = node?.selectionStart ?? text.length;
    const end = node?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    update(next);
    placeCaret(next, start + emoji.length);
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {picker && (
        <EmojiPicker
          onPick={insert}
          onClose={() => {
            setPicker(false);
            emojiButton.current?.focus();
          }}
        />
      )}
      {options.length > 0 && <MentionPicker items={options} active={Math.min(activeOption, options.length - 1)} onPick={pickMention} />}
      {mode?.kind === "reply" && (
        <div class="composer-context">
          <span class="composer-context-label">{t("replyingTo")}</span>
          <Quote conv={conv} seq={mode.event.seq} onClose={() => setMode(null)} />
        </div>
      )}
      {editing !== undefined && (
        <div class="composer-context">
          <span class="composer-context-label">{t("editingMessage")}</span>
          <button type="button" class="button small subtle" onClick={() => setMode(null)}>
            {t("cancel")}
          </button>
        </div>
      )}
      {over > 0 && (
        <p class="composer-warning" role="alert">
          {t("messageTooLong", { count: over })}
        </p>
      )}
      {recording !== null && (
        <div class="recording-bar" role="status">
          <span class="recording-dot" aria-hidden="true" />
          <span>
            {t("recording")} {duration(elapsed)}
          </span>
          <button type="button" class="icon-button" aria-label={t("cancelRecording")} title={t("cancelRecording")} onClick={() => setRecording(null)}>
            <CloseIcon size={20} />
          </button>
          <button type="button" class="send-button" aria-label={t("stopAndSend")} title={t("stopAndSend")} onClick={() => void finishRecording()}>
            <StopIcon size={20} />
          </button>
        </div>
      )}
      <div class="composer-row">
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            sendFiles(e.currentTarget.files ?? []);
            e.currentTarget.value = "";
          }}
        />
        <button type="button" class="icon-button" aria-label={t("attach")} title={t("attach")} onClick={() => fileInput.current?.click()} disabled={editing !== undefined}>
          <PaperclipIcon size={22} />
        </button>
        <button
          ref={emojiButton}
          type="button"
          class={`icon-button ${picker ? "active" : ""}`}
          aria-label={t("emoji")}
          title={t("emoji")}
          aria-expanded={picker}
          aria-haspopup="dialog"
          onClick={() => setPicker(!picker)}
        >
          <SmileIcon size={22} />
        </button>
        <textarea
          ref={input}
          class="composer-input"
          rows={1}
          placeholder={t("messagePlaceholder")}
          aria-label={t("messageLabel")}
          value={text}
          dir="auto"
          enterkeyhint="send"
          onInput={(e) => update(e.currentTarget.value, e.currentTarget.selectionStart ?? e.currentTarget.value.length)}
          onPaste={(e) => {
            const files = e.clipboardData?.files;
            if (files === undefined || files.length === 0 || editing !== undefined) return;
            e.preventDefault();
            sendFiles(files);
          }}
          onKeyDown={(e) => {
            if (options.length > 0 && !e.isComposing) {
              if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                e.preventDefault();
                const step = e.key === "ArrowDown" ? 1 : -1;
                setActiveOption((activeOption + step + options.length) % options.length);
                return;
              }
              if (e.key === "Enter" || e.key === "Tab") {
                e.preventDefault();
                const chosen = options[Math.min(activeOption, options.length - 1)];
                if (chosen !== undefined) pickMention(chosen);
                return;
              }
              if (e.key === "Escape") {
                e.preventDefault();
                setMention(undefined);
                return;
              }
            }
            if (e.key === "Escape" && mode !== null) {
              e.preventDefault();
              setMode(null);
              return;
            }
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
              e.preventDefault();
              send();
            }
          }}
        />
        {blank && editing === undefined ? (
          <button type="button" class="send-button" aria-label={t("recordVoice")} title={t("recordVoice")} onClick={() => void record()} disabled={recording !== null}>
            <MicIcon size={20} />
          </button>
        ) : (
          <button
            type="submit"
            class="send-button"
            aria-label={editing !== undefined ? t("save") : t("send")}
            title={editing !== undefined ? t("save") : t("send")}
            disabled={blank || over > 0}
          >
            <SendIcon size={20} />
          </button>
        )}
      </div>
    </form>
  );
}
