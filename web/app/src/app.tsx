// The top of the client: the login screen, or the chat once a session exists.

import { Api, TernClient, browserStorage } from "@tern/sdk";
import { useEffect, useMemo, useState } from "preact/hooks";
import { AuthScreen } from "./components/AuthScreen";
import { ChatShell } from "./components/ChatShell";
import { useLang } from "./i18n";
import { clearSession, loadSession, saveSession, type Session } from "./session";

export function App() {
  useLang();
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<"sessionEnded" | null>(null);

  const onLoggedIn = (next: Session) => {
    saveSession(next);
    setNotice(null);
    setSession(next);
  };
  const onLoggedOut = (expired: boolean) => {
    clearSession();
    setNotice(expired ? "sessionEnded" : null);
    setSession(null);
  };

  if (session === null) return <AuthScreen onLoggedIn={onLoggedIn} notice={notice} />;
  return <LoggedIn key={session.token} session={session} onLoggedOut={onLoggedOut} />;
}

function LoggedIn({ session, onLoggedOut }: { session: Session; onLoggedOut: (expired: boolean) => void }) {
  const api = useMemo(() => new Api({ token: session.token }), [session.token]);
  const client = useMemo(
    () =>
      new TernClient({
        token: session.token,
        storage: browserStorage(),
        // Per account: another account on this browser must never resend these.
        outboxKey: `tern.outbox.${session.user.id}`,
        // The list renders only what is near the screen, so a long read back stays loaded.
        maxTimelineEvents: 20_000,
      }),
    [session.token, session.user.id],
  );

  useEffect(() => {
    const offLogout = client.on("loggedOut", () => onLoggedOut(true));
    const offProblem = client.on("problem", (e) => console.warn("tern:", e));
    // The browser knows about the network before the socket does.
    const onOnline = () => client.reconnectNow();
    const onOffline = () => client.dropConnection();
    const onVisible = () => {
      if (document.visibilityState === "visible") client.reconnectNow();
    };
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
    document.addEventListener("visibilitychange", onVisible);
    client.connect();
    return () => {
      offLogout();
      offProblem();
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      document.removeEventListener("visibilitychange", onVisible);
      client.close();
    };
  }, [client]);

  const logout = async () => {
    try {
      await api.logout();
    } catch {
      // Offline: this browser forgets the token anyway; it stays valid on the server until it
      // is revoked from another device's session list.
    }
    client.close();
    // Signing out on purpose (perhaps on a shared computer) leaves nothing of the account
    // behind, unsent messages included.
    try {
      localStorage.removeItem(`tern.outbox.${session.user.id}`);
    } catch {
      // No storage, nothing stored.
    }
    onLoggedOut(false);
  };

  return <ChatShell client={client} api={api} me={session.user} onLogout={logout} />;
}
