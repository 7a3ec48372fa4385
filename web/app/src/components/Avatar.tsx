// A round avatar: the person's profile picture (its centre square) when they chose one, else
// initials on a colour derived from the id (decorative: names are always written next to it).

import type { FileId } from "@tern/sdk";
import { useEffect, useState } from "preact/hooks";
import { useChat } from "../context";
import { colorSlot, initials } from "../lib/names";

export function Avatar({ name, colorKey, size = 40, group = false, file }: { name: string; colorKey: number | string; size?: number; group?: boolean; file?: FileId }) {
  const url = usePicture(file);
  return (
    <span class={`avatar c${colorSlot(colorKey)} ${group ? "group" : ""} s${size} ${url !== undefined ? "picture" : ""}`} aria-hidden="true">
      {url !== undefined ? <img src={url} alt="" width={size} height={size} /> : initials(name)}
    </span>
  );
}

function usePicture(file: FileId | undefined): string | undefined {
  const { links } = useChat();
  const [url, setUrl] = useState<string | undefined>(() => (file === undefined ? undefined : links.cached(file, "square")));
  useEffect(() => {
    if (file === undefined) {
      setUrl(undefined);
      return;
    }
    let live = true;
    void links.url(file, "square").then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [links, file]);
  return url;
}
