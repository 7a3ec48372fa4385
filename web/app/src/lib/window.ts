// Which rows of a long message list are in the DOM. A conversation can hold thousands of loaded
// messages; only those within a few screens of what is shown are rendered, and two spacers
// stand in for the rest at their measured (or, never rendered yet, estimated) heights, so the
// scroll bar and scroll position stay true. Short lists are rendered whole.

/** Lists with fewer rows than this are rendered whole. */
export const WINDOW_FROM = 300;
/** Rendered beyond the screen, above and below, in CSS pixels. */
const OVERSCAN_PX = 1600;
/** Rows placed around a message when the window jumps to it (opening, jumping). */
const PLACE_ABOVE = 40;
const PLACE_BELOW = 80;
/** A row's height before it was ever rendered, until some were measured. */
const ESTIMATE_PX = 64;

/** Measured row heights (margins included) by row key. */
export class Heights {
  private readonly known = new Map<string, number>();
  private total = 0;

  get(key: string): number {
    return this.known.get(key) ?? this.average();
  }

  set(key: string, height: number): void {
    if (!Number.isFinite(height) || height < 0) return;
    const was = this.known.get(key);
    if (was === height) return;
    this.total += height - (was ?? 0);
    this.known.set(key, height);
  }

  private average(): number {
    return this.known.size === 0 ? ESTIMATE_PX : this.total / this.known.size;
  }
}

/** The rendered rows `[start, end)`, by the keys of their first and last row. */
export interface Range {
  first: string;
  last: string;
  /** The range reaches the list's end: rows added at the end join it. */
  toEnd: boolean;
}

export function rangeOf(keys: readonly string[], start: number, end: number): Range | null {
  const first = keys[start];
  const last = keys[end - 1];
  return first === undefined || last === undefined ? null : { first, last, toEnd: end >= keys.length };
}

/** Rows around index `at` (opening a conversation, jumping to a message). */
export function around(keys: readonly string[], at: number): Range | null {
  const start = Math.max(0, at - PLACE_ABOVE);
  return rangeOf(keys, start, Math.min(keys.length, at + PLACE_BELOW));
}

/** The last rows (following the conversation). */
export function atEnd(keys: readonly string[]): Range | null {
  return rangeOf(keys, Math.max(0, keys.length - PLACE_BELOW), keys.length);
}

/** Where `range` is in `keys` now (rows may have been added or dropped since). */
export function resolve(keys: readonly string[], range: Range | null): { start: number; end: number } {
  if (range === null) return { start: 0, end: keys.length };
  const start = Math.max(0, keys.indexOf(range.first));
  const last = keys.indexOf(range.last);
  const end = range.toEnd || last < 0 ? keys.length : last + 1;
  return { start: Math.min(start, end), end };
}

/** The rows within `OVERSCAN_PX` of the screen, `top` being the scroll position relative to the
 * first row and `height` the screen's. */
export function visibleRange(keys: readonly string[], heights: Heights, top: number, height: number): Range | null {
  let y = 0;
  let start = -1;
  let end = keys.length;
  for (let i = 0; i < keys.length; i++) {
    const h = heights.get(keys[i] ?? "");
    if (start < 0 && y + h >= top - OVERSCAN_PX) start = i;
    if (y > top + height + OVERSCAN_PX) {
      end = i;
      break;
    }
    y += h;
  }
  return rangeOf(keys, Math.max(0, start), end);
}

/** The summed heights of `keys[from, to)`. */
export function span(keys: readonly string[], heights: Heights, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += heights.get(keys[i] ?? "");
  return sum;
}

export function sameRange(a: Range | null, b: Range | null): boolean {
  return a?.first === b?.first && a?.last === b?.last && a?.toEnd === b?.toEnd;
}

/** Asks the open conversation's list to bring the message at `seq` into view (and flash it). */
export function revealMessage(seq: number): void {
  window.dispatchEvent(new CustomEvent<number>("tern:reveal", { detail: seq }));
}
