// The scrolling list of a conversation's messages.
//
// - Older pages load as you scroll up, keeping what you look at in place.
// - It sticks to the bottom while you are there, and shows a "jump" button otherwise.
// - Opening a conversation with unread messages puts the "Unread messages" divider in view.
// - Messages count as read only when actually seen: on screen (IntersectionObserver), in a
//   visible tab, with the window focused. Then the SDK marks them read on the server. The read
//   position never jumps over messages that were not loaded: opening loads back to the first
//   unread one (up to BACKLOG_PAGES pages; past that, scrolling up loads the rest first).

import type { ConvId, Event } from "@tern/sdk";
import { countsAsUnread, targetOf } from "@tern/sdk";
import type { JSX } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { dayLabel, sameDay } from "../lib/format";
import { ArrowDownIcon } from "./icons";
import { EventMessage, PendingBubble } from "./Message";

/** Closer than this to the bottom counts as "at the bottom". */
const BOTTOM_SLACK = 64;
/** Start loading older messages this far from the top. */
const LOAD_OLDER_AT = 400;
/** Pages loaded at open to reach the first unread message before showing the conversation. */
const BACKLOG_PAGES = 5;
/** Messages further apart than this start a new run (name and avatar shown again). */
const RUN_GAP_MS = 5 * 60_000;

function isRunBreak(a: Event | undefined, b: Event): boolean {
  if (a === undefined) return true;
  if (a.sender !== b.sender || a.content.type === "system" || b.content.type === "system") return true;
  return b.ts - a.ts > RUN_GAP_MS || !sameDay(a.ts, b.ts);
}

export function MessageList({ conv }: { conv: ConvId }) {
  const { client } = useChat();
  const view = client.conversation(conv);
  const timeline = client.timeline(conv);
  const pending = client.pending(conv);
  // Changes to messages (edits, reactions, ...) show inside the message they change.
  const all = timeline?.events ?? [];
  const events = all.filter((e) => targetOf(e.content) === undefined);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [showJump, setShowJump] = useState(false);
  // Where the divider goes: the read position when the conversation was opened.
  const dividerAfter = useRef<number | null>(null);
  if (dividerAfter.current === null && view !== undefined) {
    dividerAfter.current = view.unread > 0 ? view.readSeq : Number.POSITIVE_INFINITY;
  }
  const initialScrollDone = useRef(false);
  const before = useRef<{ height: number; top: number; firstSeq: number | undefined; pending: number }>({ height: 0, top: 0, firstSeq: undefined, pending: 0 });
  const visible = useRef(new Set<number>());

  // Measured during render, i.e. before Preact touches the DOM, so the layout effect can tell
  // how much older content was inserted above.
  const el = scroller.current;
  if (el !== null) before.current = { height: el.scrollHeight, top: el.scrollTop, firstSeq: before.current.firstSeq, pending: before.current.pending };

  const markSeen = useCallback(() => {
    if (document.visibilityState !== "visible" || !document.hasFocus()) return;
    const current = client.conversation(conv);
    if (current === undefined || visible.current.size === 0) return;
    // Marking seq N read marks everything before it: only once all of that was loaded.
    const start = client.timeline(conv)?.events[0]?.seq;
    if (start === undefined || start > current.readSeq + 1) return;
    // The observer reports asynchronously: right after older messages were inserted above, what
    // it last saw has moved. Count only what is on screen now.
    const node = scroller.current;
    if (node === null) return;
    const view = node.getBoundingClientRect();
    const onScreen = [...visible.current].filter((seq) => {
      const rect = node.querySelector(`[data-seq="${seq}"]`)?.getBoundingClientRect();
      return rect !== undefined && rect.bottom > view.top && rect.top < view.bottom;
    });
    if (onScreen.length === 0) return;
    const highest = Math.max(...onScreen);
    if (highest > current.readSeq) client.markRead(conv, highest).catch(() => undefined);
  }, [client, conv]);

  const loadOlderIfNeeded = useCallback(() => {
    const node = scroller.current;
    const tl = client.timeline(conv);
    if (node === null || tl === undefined || !tl.hasOlder || tl.loadingOlder) return;
    if (node.scrollTop < LOAD_OLDER_AT) void client.loadOlder(conv);
  }, [client, conv]);

  const onScroll = () => {
    const node = scroller.current;
    if (node === null) return;
    const distance = node.scrollHeight - node.scrollTop - node.clientHeight;
    atBottom.current = distance < BOTTOM_SLACK;
    setShowJump(distance > 400);
    loadOlderIfNeeded();
  };

  const scrollToBottom = (smooth = false) => {
    const node = scroller.current;
    if (node === null) return;
    node.scrollTo({ top: node.scrollHeight, behavior: smooth ? "smooth" : "auto" });
    atBottom.current = true;
    setShowJump(false);
  };

  // Before the first paint of a conversation with many unread messages, load back to the first
  // of them, so the divider is where the reading starts.
  const backlogPages = useRef(0);
  const firstUnreadMissing =
    timeline !== undefined && timeline.hasOlder && (all[0]?.seq ?? Infinity) > (dividerAfter.current ?? Infinity) + 1;
  const fillingBacklog = !initialScrollDone.current && firstUnreadMissing && backlogPages.current < BACKLOG_PAGES;
  useEffect(() => {
    if (!fillingBacklog || timeline?.loadingOlder) return;
    backlogPages.current += 1;
    void client.loadOlder(conv, client.limits.max_page);
  }, [fillingBacklog, timeline?.loadingOlder, client, conv]);

  useLayoutEffect(() => {
    const node = scroller.current;
    if (node === null) return;
    const firstSeq = events[0]?.seq;
    const prev = before.current;
    if (!initialScrollDone.current) {
      if (fillingBacklog) return;
      if (events.length > 0 || timeline?.hasOlder === false) {
        initialScrollDone.current = true;
        const divider = node.querySelector<HTMLElement>(".unread-divider");
        if (divider !== null) {
          // Leave room above it for the sticky day label.
          node.scrollTop = Math.max(0, divider.offsetTop - 56);
          atBottom.current = node.scrollHeight - node.scrollTop - node.clientHeight < BOTTOM_SLACK;
        } else {
          node.scrollTop = node.scrollHeight;
        }
      }
    } else if (prev.firstSeq !== undefined && firstSeq !== undefined && firstSeq < prev.firstSeq) {
      // Older messages were inserted above: keep the same messages under the reader's eyes.
      node.scrollTop = prev.top + (node.scrollHeight - prev.height);
    } else if (atBottom.current || pending.length > prev.pending) {
      // Following the conversation, or just sent something: show the newest.
      node.scrollTop = node.scrollHeight;
      atBottom.current = true;
    }
    before.current = { ...before.current, firstSeq, pending: pending.length };
    // A short first page may not fill the screen: keep loading until it does or history ends.
    if (node.scrollHeight <= node.clientHeight + LOAD_OLDER_AT) loadOlderIfNeeded();
  });

  // Watch which messages are on screen.
  useEffect(() => {
    const node = scroller.current;
    if (node === null) return;
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const seq = Number((entry.target as HTMLElement).dataset.seq);
          const seen = entry.isIntersecting && (entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= 80);
          if (seen) visible.current.add(seq);
          else visible.current.delete(seq);
        }
        markSeen();
      },
      { root: node, threshold: [0, 0.5, 1] },
    );
    const observeAll = () => node.querySelectorAll("[data-seq]").forEach((child) => observer.observe(child));
    observeAll();
    const mutations = new MutationObserver(observeAll);
    mutations.observe(node, { childList: true, subtree: true });
    const onAttention = () => markSeen();
    window.addEventListener("focus", onAttention);
    document.addEventListener("visibilitychange", onAttention);
    return () => {
      observer.disconnect();
      mutations.disconnect();
      window.removeEventListener("focus", onAttention);
      document.removeEventListener("visibilitychange", onAttention);
    };
  }, [markSeen]);

  // New messages that arrive while they are on screen are read at once.
  useEffect(() => {
    markSeen();
  }, [events.length, markSeen]);

  const items: JSX.Element[] = [];
  if (timeline !== undefined && !timeline.hasOlder && events.length > 0) {
    items.push(
      <p key="start" class="history-start">
        {t("beginning")}
      </p>,
    );
  }
  if (timeline?.loadingOlder) {
    items.push(
      <div key="loading" class="history-loading" role="status">
        <span class="spinner" aria-hidden="true" />
        <span class="visually-hidden">{t("loadingOlder")}</span>
      </div>,
    );
  }
  let dividerShown = false;
  const me = client.user?.id;
  events.forEach((event, i) => {
    const prev = events[i - 1];
    const next = events[i + 1];
    if (prev === undefined || !sameDay(prev.ts, event.ts)) {
      items.push(
        <div key={`day-${event.seq}`} class="day-separator" role="separator">
          <span>{dayLabel(event.ts)}</span>
        </div>,
      );
    }
    const unreadStart = !dividerShown && event.seq > (dividerAfter.current ?? Infinity) && event.sender !== me && countsAsUnread(event.content);
    if (unreadStart) {
      dividerShown = true;
      items.push(
        <div key="unread" class="unread-divider" role="separator">
          <span>{t("unreadDivider")}</span>
        </div>,
      );
    }
    const group = view?.kind === "group";
    items.push(<EventMessage key={event.seq} event={event} placement={{ first: isRunBreak(prev, event) || unreadStart, last: next === undefined || isRunBreak(event, next), group }} />);
  });
  for (const message of pending) items.push(<PendingBubble key={message.cmid} message={message} />);
  if (timeline !== undefined && !timeline.hasOlder && !timeline.loadingOlder && events.length === 0 && pending.length === 0) {
    items.push(
      <div key="empty" class="chat-empty">
        <p class="chat-empty-title">{t("emptyTitle")}</p>
        <p>{t("emptyHint")}</p>
      </div>,
    );
  }

  return (
    <div class="messages-wrap">
      <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" aria-relevant="additions" tabIndex={0} aria-label={t("messages")}>
        <div class="messages-inner">{items}</div>
      </div>
      {showJump && (
        <button type="button" class="jump-latest" aria-label={t("jumpToLatest")} title={t("jumpToLatest")} onClick={() => scrollToBottom(true)}>
          <ArrowDownIcon />
          {view !== undefined && view.unread > 0 && <span class="badge">{view.unread}</span>}
        </button>
      )}
    </div>
  );
}
