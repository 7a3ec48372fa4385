// "Alice is typing…" for a conversation, or undefined when nobody is.

import type { ConvId, TernClient } from "@tern/sdk";
import { t } from "../i18n";
import { userName } from "./names";

export function typingText(client: TernClient, conv: ConvId): string | undefined {
  const users = client.typingUsers(conv);
  if (users.length === 0) return undefined;
  const [a = 0, b = 0] = users;
  if (users.length === 1) return t("typingOne", { name: userName(client, a) });
  if (users.length === 2) return t("typingTwo", { a: userName(client, a), b: userName(client, b) });
  return t("typingMany");
}
