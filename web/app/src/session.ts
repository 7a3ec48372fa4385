// The logged-in session of this browser: token and profile in localStorage, so a reload (or
// reopening the installed app) stays logged in. Cleared on logout and on a refused token.

import type { UserProfile } from "@tern/sdk";

export interface Session {
  token: string;
  user: UserProfile;
}

const KEY = "tern.session";

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Session;
    return typeof parsed.token === "string" && typeof parsed.user?.id === "number" ? parsed : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Without storage the session lasts until the tab closes.
  }
}

export function clearSession(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}

/** A label for this device in the session list ("Chrome on Linux"). */
export function deviceLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return os === "" ? `${browser} (web)` : `${browser} on ${os} (web)`;
}
