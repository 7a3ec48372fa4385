// Dates and times in the interface language, via Intl (no locale data shipped with the app).

import { lang, t } from "../i18n";

function locale(): string {
  return lang() === "zh-CN" ? "zh-CN" : "en";
}

export function timeOfDay(ts: number): string {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(ts);
}

function startOfDay(ts: number): number {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export function sameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

/** "Today", "Yesterday", a weekday within the week, or a date. */
export function dayLabel(ts: number, now = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86_400_000);
  if (days === 0) return t("today");
  if (days === 1) return t("yesterday");
  if (days > 1 && days < 7) return new Intl.DateTimeFormat(locale(), { weekday: "long" }).format(ts);
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale(), sameYear ? { month: "long", day: "numeric", weekday: "short" } : { dateStyle: "long" }).format(ts);
}

/** The short time shown in the conversation list: a time today, else a weekday or a date. */
export function listTime(ts: number, now = Date.now()): string {
  if (sameDay(ts, now)) return timeOfDay(ts);
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86_400_000);
  if (days === 1) return t("yesterday");
  if (days < 7) return new Intl.DateTimeFormat(locale(), { weekday: "short" }).format(ts);
  return new Intl.DateTimeFormat(locale(), { month: "numeric", day: "numeric" }).format(ts);
}

export function fullTime(ts: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "short" }).format(ts);
}
