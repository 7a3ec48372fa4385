// What the composer is doing besides writing a new message: replying to one, editing one of
// yours, or picking several messages (to forward them together), when a selection bar takes
// the composer's place. Messages set it from their action menu; the composer shows it and acts
// on it.

import type { Event } from "@tern/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export type ComposeMode =
  | { kind: "reply"; event: Event }
  | { kind: "edit"; event: Event }
  /** Picking messages; `seqs` in the order they were picked. */
  | { kind: "select"; seqs: number[] }
  | null;

/** `mode` with `seq` picked or unpicked. */
export function toggled(mode: { kind: "select"; seqs: number[] }, seq: number): ComposeMode {
  const seqs = mode.seqs.includes(seq) ? mode.seqs.filter((s) => s !== seq) : [...mode.seqs, seq];
  return { kind: "select", seqs };
}

export interface Compose {
  mode: ComposeMode;
  setMode(mode: ComposeMode): void;
}

export const ComposeContext = createContext<Compose>({ mode: null, setMode: () => undefined });

export function useCompose(): Compose {
  return useContext(ComposeContext);
}
