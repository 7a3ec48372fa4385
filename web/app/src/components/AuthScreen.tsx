// Sign in and sign up. One form, two modes; errors from the server are shown in place.

import { Api } from "@tern/sdk";
import { useState } from "preact/hooks";
import { t } from "../i18n";
import { errorText } from "../lib/errors";
import { deviceLabel, type Session } from "../session";
import { Field } from "./Field";
import { LanguageSwitch } from "./LanguageSwitch";
import { Logo } from "./icons";

export function AuthScreen({ onLoggedIn, notice }: { onLoggedIn: (s: Session) => void; notice: "sessionEnded" | null }) {
  const [mode, setMode] = useState<"signIn" | "signUp">("signIn");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const api = new Api();
    try {
      if (mode === "signUp") await api.register(username.trim(), password, displayName.trim() || undefined);
      const login = await api.login(username.trim(), password, deviceLabel());
      onLoggedIn({ token: login.token, user: login.user });
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const signUp = mode === "signUp";
  return (
    <div class="auth">
      <main class="auth-card">
        <div class="auth-brand">
          <Logo size={52} />
          <h1>{t("appName")}</h1>
          <p class="auth-tagline">{t("tagline")}</p>
        </div>
        {notice !== null && (
          <p class="auth-notice" role="status">
            {t(notice)}
          </p>
        )}
        <form class="auth-form" onSubmit={submit} aria-label={signUp ? t("signUp") : t("signIn")}>
          <h2 class="auth-title">{signUp ? t("signUp") : t("signIn")}</h2>
          <Field
            label={t("username")}
            hint={signUp ? t("usernameHint") : undefined}
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            required
            value={username}
            onValue={setUsername}
          />
          {signUp && <Field label={t("displayName")} hint={t("displayNameHint")} name="display_name" autocomplete="nickname" value={displayName} onValue={setDisplayName} />}
          <Field
            label={t("password")}
            hint={signUp ? t("passwordHint") : undefined}
            name="password"
            type="password"
            autocomplete={signUp ? "new-password" : "current-password"}
            required
            minLength={signUp ? 8 : undefined}
            value={password}
            onValue={setPassword}
          />
          {error !== null && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <button class="button primary wide" type="submit" disabled={busy}>
            {busy ? t("working") : signUp ? t("signUp") : t("signIn")}
          </button>
        </form>
        <p class="auth-switch">
          {signUp ? t("haveAccount") : t("noAccount")}{" "}
          <button
            type="button"
            class="link-button"
            onClick={() => {
              setMode(signUp ? "signIn" : "signUp");
              setError(null);
            }}
          >
            {signUp ? t("signIn") : t("signUp")}
          </button>
        </p>
        <LanguageSwitch />
      </main>
    </div>
  );
}
