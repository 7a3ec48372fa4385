// The interface language: English or Simplified Chinese, chosen from navigator.languages on
// first visit and then from the user's choice, persisted in localStorage.

import { useEffect, useState } from "preact/hooks";
import { en, type StringKey, type Strings } from "./en";
import { zh } from "./zh";

export type Lang = "en" | "zh-CN";

export const LANGUAGES: { lang: Lang; label: string }[] = [
  { lang: "en", label: "English" },
  { lang: "zh-CN", label: "简体中文" },
];

const STORAGE_KEY = "tern.lang";
const tables: Record<Lang, Strings> = { en, "zh-CN": zh };
const listeners = new Set<() => void>();

function detect(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "zh-CN") return saved;
  } catch {
    // No storage: fall through to the browser's preference.
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

let current: Lang = detect();
document.documentElement.lang = current;

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // The choice then lasts for this page only.
  }
  for (const listener of listeners) listener();
}

/** The string for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: StringKey, params: Record<string, string | number> = {}): string {
  const template = tables[current][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** Re-renders the calling component when the language changes. */
export function useLang(): Lang {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return current;
}
