// Dates and times in the interface language, via Intl (no locale data shipped with the app).
// Formatters are made once per language and style, and days are computed once per quarter
// hour of time: a long conversation asks for thousands of them per render.

import { lang, t } from "../i18n";

function locale(): string {
  return lang() === "zh-CN" ? "zh-CN" : "en";
}

const STYLES = {
  time: { hour: "2-digit", minute: "2-digit" },
  weekday: { weekday: "long" },
  weekdayShort: { weekday: "short" },
  dayInYear: { month: "long", day: "numeric", weekday: "short" },
  date: { dateStyle: "long" },
  dayMonth: { month: "numeric", day: "numeric" },
  full: { dateStyle: "full", timeStyle: "short" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const formatters = new Map<string, Intl.DateTimeFormat>();

function format(style: keyof typeof STYLES, ts: number): string {
  const key = `${locale()} ${style}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale(), STYLES[style]);
    formatters.set(key, formatter);
  }
  return formatter.format(ts);
}

export function timeOfDay(ts: number): string {
  return format("time", ts);
}

/** Every time zone's offset, and every change of offset, is a multiple of 15 minutes from UTC. */
const SLOT_MS = 15 * 60_000;
/** The start of the local day of each quarter hour seen. */
const dayStarts = new Map<number, number>();

function startOfDay(ts: number): number {
  const slot = Math.floor(ts / SLOT_MS);
  let start = dayStarts.get(slot);
  if (start === undefined) {
    const d = new Date(slot * SLOT_MS);
    d.setHours(0, 0, 0, 0);
    start = d.getTime();
    if (dayStarts.size > 100_000) dayStarts.clear();
    dayStarts.set(slot, start);
  }
  return start;
}

export function sameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

/** "Today", "Yesterday", a weekday within the week, or a date. */
export function dayLabel(ts: number, now = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86_400_000);
  if (days === 0) return t("today");
  if (days === 1) return t("yesterday");
  if (days > 1 && days < 7) return format("weekday", ts);
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return format(sameYear ? "dayInYear" : "date", ts);
}

/** The short time shown in the conversation list: a time today, else a weekday or a date. */
export function listTime(ts: number, now = Date.now()): string {
  if (sameDay(ts, now)) return timeOfDay(ts);
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86_400_000);
  if (days === 1) return t("yesterday");
  if (days < 7) return format("weekdayShort", ts);
  return format("dayMonth", ts);
}

export function fullTime(ts: number): string {
  return format("full", ts);
}

/** A size in bytes as people read it: 532 B, 1.4 KB, 23 MB. */
export function fileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A duration as m:ss (or h:mm:ss). */
export function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const s = String(total % 60).padStart(2, "0");
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
