// A short notice at the bottom of the screen for what failed in the background (a reaction or
// an edit the server refused): shown for a few seconds, read out by screen readers.

import { useEffect, useState } from "preact/hooks";
import { errorText } from "../lib/errors";

const listeners = new Set<(text: string) => void>();

/** Shows why `error` happened. */
export function notify(error: unknown): void {
  say(errorText(error));
}

/** Shows `text` as it is (a confirmation rather than an error). */
export function say(text: string): void {
  for (const listener of listeners) listener(text);
}

export function Notice() {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const show = (value: string) => {
      setText(value);
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => setText(null), 5000);
    };
    listeners.add(show);
    return () => {
      listeners.delete(show);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);
  return (
    <div class="notice" role="alert" hidden={text === null}>
      {text}
    </div>
  );
}
