// The scrolling list of a conversation's messages.
//
// - Older pages load as you scroll up, keeping what you look at in place.
// - It sticks to the bottom while you are there, and shows a "jump" button otherwise.
// - Opening a conversation with unread messages puts the "Unread messages" divider in view.
// - Messages count as read only when actually seen: on screen (IntersectionObserver), in a
//   visible tab, with the window focused. Then the SDK marks them read on the server. The read
//   position never jumps over messages that were not loaded: opening loads back to the first
//   unread one (up to OPEN_AT_MOST messages; past that, scrolling up loads the rest
//   first).
// - A long list renders only the rows near the screen (lib/window.ts), so thousands of loaded
//   messages cost no more per frame than a few screens of them.

import type { ConvId, Event } from "@tern/sdk";
import { countsAsUnread, targetOf } from "@tern/sdk";
import type { JSX } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { dayLabel, sameDay } from "../lib/format";
import { Heights, WINDOW_FROM, around, atEnd, rangeOf, resolve, sameRange, span, visibleRange, type Range } from "../lib/window";
import { ArrowDownIcon } from "./icons";
import { EventMessage, PendingBubble, UploadBubble } from "./Message";
import { useUploads } from "../lib/uploads";

/** Closer than this to the bottom counts as "at the bottom". */
const BOTTOM_SLACK = 64;
/** Start loading older messages this far from the top. */
const LOAD_OLDER_AT = 400;
/** Messages loaded when a conversation opens, at most: a longer unread backlog is read from
 * where this reaches, and scrolling up loads the rest. */
const OPEN_AT_MOST = 2_500;
/** Messages further apart than this start a new run (name and avatar shown again). */
const RUN_GAP_MS = 5 * 60_000;

/** Vertical margins by class list: rows of one kind share them, and computing styles is costly. */
const marginsByClass = new Map<string, number>();

function margins(element: HTMLElement): number {
  let sum = marginsByClass.get(element.className);
  if (sum === undefined) {
    const style = getComputedStyle(element);
    sum = parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    if (marginsByClass.size > 200) marginsByClass.clear();
    marginsByClass.set(element.className, sum);
  }
  return sum;
}

/** One row of the list: a message, a day or unread separator, the start of history, ... */
interface Row {
  key: string;
  node: JSX.Element;
}

function isRunBreak(a: Event | undefined, b: Event): boolean {
  if (a === undefined) return true;
  if (a.sender !== b.sender || a.content.type === "system" || b.content.type === "system") return true;
  return b.ts - a.ts > RUN_GAP_MS || !sameDay(a.ts, b.ts);
}

export function MessageList({ conv }: { conv: ConvId }) {
  const { client, uploads } = useChat();
  const uploading = useUploads(uploads, conv);
  const view = client.conversation(conv);
  const timeline = client.timeline(conv);
  const pending = client.pending(conv);
  // What the reader just sent, still on its way: messages in the outbox and files uploading.
  const outgoing = pending.length + uploading.length;
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
  // Windowing: the rendered rows, their measured heights, a message to bring into view.
  const range = useRef<Range | null>(null);
  const heights = useRef(new Heights()).current;
  const [, rerender] = useState(0);
  const reveal = useRef<number | null>(null);
  const spacerTop = useRef<HTMLDivElement>(null);
  const spacerBottom = useRef<HTMLDivElement>(null);
  const before = useRef<{ height: number; top: number; firstSeq: number | undefined; pending: number }>({ height: 0, top: 0, firstSeq: undefined, pending: 0 });
  const visible = useRef(new Set<number>());

  // Measured during render, i.e. before Preact touches the DOM, so the layout effect can tell
  // how much older content was inserted above.
  const el = scroller.current;
  if (el !== null) before.current = { height: el.scrollHeight, top: el.scrollTop, firstSeq: before.current.firstSeq, pending: before.current.pending };

  const markSeen = useCallback(() => {
    if (document.visibilityState !== "visible" || !document.hasFocus()) return;
    // Until the conversation is shown where reading starts, whatever is on screen is the
    // backlog being loaded, not what the reader looks at.
    if (!initialScrollDone.current) return;
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
    // Until the conversation is first shown, the backlog below does the loading: a page loaded
    // in between (a scroll while rows are laid out) would take the place of one of its pages.
    if (!initialScrollDone.current) return;
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
    followScroll();
  };

  const scrollToBottom = (smooth = false) => {
    const node = scroller.current;
    if (node === null) return;
    if (range.current !== null && !range.current.toEnd) {
      // The newest rows are not rendered: render them, then the layout effect scrolls there.
      range.current = atEnd(keys);
      atBottom.current = true;
      setShowJump(false);
      rerender((n) => n + 1);
      return;
    }
    node.scrollTo({ top: node.scrollHeight, behavior: smooth ? "smooth" : "auto" });
    atBottom.current = true;
    setShowJump(false);
  };

  // Opening loads back to the first unread message (and a little before), so the divider can be
  // shown. A layout effect declared before the one below: the timeline says it is `opening`
  // before that one first looks.
  useLayoutEffect(() => {
    const current = client.conversation(conv);
    const behind = current === undefined ? 0 : current.lastSeq - current.readSeq;
    void client.openTimeline(conv, Math.min(OPEN_AT_MOST, Math.max(50, behind + 20)));
  }, [client, conv]);

  useLayoutEffect(() => {
    const node = scroller.current;
    if (node === null) return;
    const firstSeq = events[0]?.seq;
    const prev = before.current;
    if (!initialScrollDone.current) {
      // The conversation is shown once the pages that reach its first unread message are in,
      // so the divider is where reading starts.
      if (timeline !== undefined && !timeline.opening) {
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
    } else if (atBottom.current || outgoing > prev.pending) {
      // Following the conversation, or just sent something: show the newest.
      node.scrollTop = node.scrollHeight;
      atBottom.current = true;
    }
    before.current = { ...before.current, firstSeq, pending: outgoing };
    // A short first page may not fill the screen, and a reader resting at the top gets no more
    // scroll events: keep loading until the top is far enough away or history ends.
    if (node.scrollHeight <= node.clientHeight + LOAD_OLDER_AT || node.scrollTop < LOAD_OLDER_AT) loadOlderIfNeeded();
    measureRows();
    if (reveal.current !== null) {
      const target = node.querySelector<HTMLElement>(`[data-seq="${reveal.current}"]`);
      reveal.current = null;
      if (target !== null) {
        target.scrollIntoView({ block: "center" });
        target.classList.add("flash");
        setTimeout(() => target.classList.remove("flash"), 1200);
      }
    }
  });

  /** Records the height of every rendered row, margins included (the list is a flex column,
   * so margins add up and never collapse). Sticky rows (day labels) make positions useless. */
  function measureRows() {
    const inner = scroller.current?.firstElementChild;
    if (inner === null || inner === undefined) return;
    let row = (windowed ? spacerTop.current?.nextElementSibling : inner.firstElementChild) as HTMLElement | null | undefined;
    for (let i = start; i < end && row !== null && row !== undefined && row !== spacerBottom.current; i++) {
      const key = keys[i];
      if (key !== undefined) heights.set(key, row.offsetHeight + margins(row));
      row = row.nextElementSibling as HTMLElement | null;
    }
  }
  // Jumping to a message (a quote, a pinned message): render it, then bring it into view.
  useEffect(() => {
    const onReveal = (e: globalThis.Event) => {
      reveal.current = (e as CustomEvent<number>).detail;
      rerender((n) => n + 1);
    };
    window.addEventListener("tern:reveal", onReveal);
    return () => window.removeEventListener("tern:reveal", onReveal);
  }, []);

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

  const items: Row[] = [];
  if (timeline !== undefined && !timeline.hasOlder && events.length > 0) {
    items.push({
      key: "start",
      node: (
        <p key="start" class="history-start">
          {t("beginning")}
        </p>
      ),
    });
  }
  if (timeline?.loadingOlder) {
    items.push({
      key: "loading",
      node: (
        <div key="loading" class="history-loading" role="status">
          <span class="spinner" aria-hidden="true" />
          <span class="visually-hidden">{t("loadingOlder")}</span>
        </div>
      ),
    });
  }
  let dividerShown = false;
  const me = client.user?.id;
  events.forEach((event, i) => {
    const prev = events[i - 1];
    const next = events[i + 1];
    if (prev === undefined || !sameDay(prev.ts, event.ts)) {
      items.push({
        key: `day-${event.seq}`,
        node: (
          <div key={`day-${event.seq}`} class="day-separator" role="separator">
            <span>{dayLabel(event.ts)}</span>
          </div>
        ),
      });
    }
    const unreadStart = !dividerShown && event.seq > (dividerAfter.current ?? Infinity) && event.sender !== me && countsAsUnread(event.content);
    if (unreadStart) {
      dividerShown = true;
      items.push({
        key: "unread",
        node: (
          <div key="unread" class="unread-divider" role="separator">
            <span>{t("unreadDivider")}</span>
          </div>
        ),
      });
    }
    const group = view?.kind === "group";
    const placement = { first: isRunBreak(prev, event) || unreadStart, last: next === undefined || isRunBreak(event, next), group };
    items.push({ key: String(event.seq), node: <EventMessage key={event.seq} event={event} placement={placement} /> });
  });
  for (const message of pending) items.push({ key: `p-${message.cmid}`, node: <PendingBubble key={message.cmid} message={message} /> });
  for (const item of uploading) items.push({ key: `u-${item.key}`, node: <UploadBubble key={item.key} item={item} /> });
  if (timeline !== undefined && !timeline.hasOlder && !timeline.loadingOlder && events.length === 0 && outgoing === 0) {
    items.push({
      key: "empty",
      node: (
        <div key="empty" class="chat-empty">
          <p class="chat-empty-title">{t("emptyTitle")}</p>
          <p>{t("emptyHint")}</p>
        </div>
      ),
    });
  }

  // Windowing (lib/window.ts): which rows are in the DOM.
  const keys = items.map((row) => row.key);
  const windowed = keys.length >= WINDOW_FROM;
  const revealKey = reveal.current === null ? undefined : String(reveal.current);
  if (!windowed) {
    range.current = null;
  } else if (revealKey !== undefined && keys.includes(revealKey)) {
    range.current = around(keys, keys.indexOf(revealKey));
  } else if (!initialScrollDone.current) {
    const divider = keys.indexOf("unread");
    range.current = divider >= 0 ? around(keys, divider) : atEnd(keys);
  } else if (range.current === null) {
    // The list just grew long: keep what is on screen rendered.
    const onScreen = Math.min(...visible.current);
    const at = keys.indexOf(String(onScreen));
    range.current = at >= 0 ? around(keys, at) : atBottom.current ? atEnd(keys) : rangeOf(keys, 0, Math.min(keys.length, 120));
  }
  const { start, end } = resolve(keys, range.current);
  const padTop = windowed ? span(keys, heights, 0, start) : 0;
  const padBottom = windowed ? span(keys, heights, end, keys.length) : 0;

  /** After a scroll: render the rows near the screen now. */
  function followScroll() {
    const node = scroller.current;
    const origin = spacerTop.current;
    if (node === null || origin === null || range.current === null) return;
    const next = visibleRange(keys, heights, node.scrollTop - origin.offsetTop, node.clientHeight);
    if (!sameRange(next, range.current)) {
      range.current = next;
      rerender((n) => n + 1);
    }
  }

  return (
    <div class="messages-wrap">
      <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" aria-relevant="additions" tabIndex={0} aria-label={t("messages")}>
        <div class="messages-inner">
          {windowed && <div ref={spacerTop} class="window-spacer" style={{ height: `${padTop}px` }} aria-hidden="true" />}
          {items.slice(start, end).map((row) => row.node)}
          {windowed && <div ref={spacerBottom} class="window-spacer" style={{ height: `${padBottom}px` }} aria-hidden="true" />}
        </div>
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
