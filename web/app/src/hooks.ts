// Glue between the SDK's events and Preact rendering.

import type { TernClient } from "@tern/sdk";
import { useEffect, useState } from "preact/hooks";

/**
 * Re-renders the caller when the client's state changes, at most once per animation frame:
 * a catch-up can deliver hundreds of events in one go, and one paint is enough for them.
 */
export function useClientVersion(client: TernClient): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let scheduled = false;
    const off = client.on("change", () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        setVersion((v) => v + 1);
      });
    });
    return off;
  }, [client]);
  return version;
}

/** The part of the URL after #/, for the open conversation (so Back and reload work). */
export function useRoute(): string {
  const [route, setRoute] = useState(() => location.hash.replace(/^#\/?/, ""));
  useEffect(() => {
    const onHash = () => setRoute(location.hash.replace(/^#\/?/, ""));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  return route;
}

export function navigate(route: string): void {
  const hash = `#/${route}`;
  if (location.hash !== hash) location.hash = hash;
}

/** Whether the window is narrow enough for the one-pane phone layout. */
export function useNarrow(): boolean {
  const query = "(max-width: 760px)";
  const [narrow, setNarrow] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const onChange = () => setNarrow(list.matches);
    list.addEventListener("change", onChange);
    return () => list.removeEventListener("change", onChange);
  }, []);
  return narrow;
}
