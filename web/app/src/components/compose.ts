// What the composer is doing besides writing a new message: replying to one, or editing one of
// yours. Messages set it from their action menu; the composer shows it and acts on it.

import type { Event } from "@tern/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export type ComposeMode = { kind: "reply"; event: Event } | { kind: "edit"; event: Event } | null;

export interface Compose {
  mode: ComposeMode;
  setMode(mode: ComposeMode): void;
}

export const ComposeContext = createContext<Compose>({ mode: null, setMode: () => undefined });

export function useCompose(): Compose {
  return useContext(ComposeContext);
}
