// Writing a message: Enter sends, Shift+Enter starts a new line (and Enter while an input
// method is composing, e.g. pinyin, confirms the candidate instead of sending). Drafts are kept
// per conversation while the page lives.

import { useEffect, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { EmojiPicker } from "./EmojiPicker";
import { SendIcon, SmileIcon } from "./icons";

const drafts = new Map<number, string>();

export function Composer({ conv }: { conv: number }) {
  const { client } = useChat();
  const [text, setText] = useState(() => drafts.get(conv) ?? "");
  const [picker, setPicker] = useState(false);
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

  const update = (value: string) => {
    setText(value);
    drafts.set(conv, value);
    if (value.trim() !== "") client.typing(conv);
  };

  const send = () => {
    if (blank || over > 0) return;
    client.sendText(conv, text);
    update("");
    drafts.delete(conv);
    input.current?.focus();
  };

  const insert = (emoji: string) => {
    const node = input.current;
    const start = node?.selectionStart ?? text.length;
    const end = node?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    update(next);
    requestAnimationFrame(() => {
      node?.focus();
      node?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
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
      {over > 0 && (
        <p class="composer-warning" role="alert">
          {t("messageTooLong", { count: over })}
        </p>
      )}
      <div class="composer-row">
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
          onInput={(e) => update(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="send-button" aria-label={t("send")} title={t("send")} disabled={blank || over > 0}>
          <SendIcon size={20} />
        </button>
      </div>
    </form>
  );
}
