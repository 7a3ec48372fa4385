// A user-facing sentence for an error from the SDK or the API.

import { TernError } from "@tern/sdk";
import { t } from "../i18n";
import { en, type StringKey } from "../i18n/en";

export function errorText(error: unknown): string {
  if (error instanceof TernError) {
    const key = `err_${error.code}`;
    if (key in en) return t(key as StringKey);
    return t("err_generic", { message: error.message });
  }
  return t("err_generic", { message: error instanceof Error ? error.message : String(error) });
}

/** Why a send failed, in words: the error's own sentence when there is one (muted, blocked,
 * ...), else the plain "not sent". */
export function failureReason(error: { code: string } | undefined): string {
  const key = `err_${error?.code ?? ""}`;
  return key in en && key !== "err_generic" ? t(key as StringKey) : t("failed");
}
