// The interface language, switchable anywhere (persisted by setLang).

import { LANGUAGES, lang, setLang, t, useLang, type Lang } from "../i18n";
import { GlobeIcon } from "./icons";

export function LanguageSwitch() {
  useLang();
  return (
    <label class="language-switch">
      <GlobeIcon size={16} />
      <span class="visually-hidden">{t("language")}</span>
      <select value={lang()} onChange={(e) => setLang(e.currentTarget.value as Lang)} aria-label={t("language")}>
        {LANGUAGES.map((l) => (
          <option key={l.lang} value={l.lang} lang={l.lang}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
