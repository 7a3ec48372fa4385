// Splits message text into plain text and links. Only http, https (also written as `www.…`) and
// mailto become links; anything else (javascript:, data:, ...) stays text. The result is
// rendered as text nodes and <a> elements built by the framework: message text is never parsed
// as HTML.

import { graphemes } from "./graphemes";

export type Segment = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+|\bmailto:[^\s<>"'`@]+@[^\s<>"'`]+/gi;
// Punctuation that usually ends a sentence rather than a URL.
const TRAILING = /[.,;:!?)\]}'"。，；：！？）」』】]+$/u;

export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    let candidate = match[0];
    const trailing = TRAILING.exec(candidate);
    if (trailing !== null) {
      // Keep a closing parenthesis that has its opening one inside the URL (Wikipedia links).
      let cut = trailing[0];
      const opens = (candidate.match(/\(/g) ?? []).length;
      const closes = (candidate.match(/\)/g) ?? []).length;
      if (cut.startsWith(")") && opens >= closes) cut = cut.slice(1);
      candidate = candidate.slice(0, candidate.length - cut.length);
    }
    const href = safeHref(candidate);
    if (href === undefined) continue;
    if (start > last) segments.push({ kind: "text", text: text.slice(last, start) });
    segments.push({ kind: "link", text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) segments.push({ kind: "text", text: text.slice(last) });
  return segments;
}

function safeHref(candidate: string): string | undefined {
  try {
    // `www.example.com` is a web address people type without the scheme.
    const url = new URL(/^www\./i.test(candidate) ? `https://${candidate}` : candidate);
    return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "mailto:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a message is only a few emoji (shown larger, as chat apps do). */
export function isEmojiOnly(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.length > 24) return false;
  const stripped = trimmed.replace(/[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Emoji_Component}\u200d\ufe0f\s]/gu, "");
  if (stripped !== "") return false;
  // Digits, `#` and `*` are emoji components, but alone they are text ("1", "666"); only a
  // pictograph, a flag or a keycap makes an emoji.
  if (!/[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]/u.test(trimmed)) return false;
  const count = graphemes(trimmed).filter((g) => g.trim() !== "").length;
  return count <= 3;
}
