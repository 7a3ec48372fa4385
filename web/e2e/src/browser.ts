// Headless Chromium from the system (never a downloaded browser), and one isolated context per
// simulated person. Each page records CSP violations, page errors and native dialogs, so tests
// can assert there were none.

import { chromium, type Browser, type BrowserContext, type Page, type WebSocketRoute } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  // launch() starts from a fresh temporary profile; these flags stop Chromium from reaching
  // out to Google services, which the closed network here refuses.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // A microphone and camera that exist (a tone and a test pattern) and need no prompt.
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ],
  });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** CSP violations, uncaught errors and console errors seen so far. */
  problems: string[];
  /** Native dialogs (alert, confirm, prompt) the page opened. */
  dialogs: string[];
  /** Cuts this person's WebSocket and refuses new ones until `online()` (plus browser offline). */
  offline(): Promise<void>;
  online(): Promise<void>;
}

export async function newPerson(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }): Promise<Person> {
  const context = await browser.newContext({ viewport, locale: "en-US", baseURL: baseUrl });
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/WebSocket|Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(m.text())) problems.push(`console: ${m.text()}`);
    if (/Content Security Policy/.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });

  // Every WebSocket goes through this route, so a test can cut it as a dead network would.
  let blocked = false;
  const live = new Map<WebSocketRoute, WebSocketRoute>();
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    if (blocked) {
      void ws.close({ code: 4000, reason: "offline" });
      return;
    }
    const server = ws.connectToServer();
    live.set(ws, server);
    // With close handlers set, Playwright leaves forwarding the close to us.
    ws.onClose((code, reason) => {
      live.delete(ws);
      void server.close({ code, reason });
    });
    server.onClose((code, reason) => {
      live.delete(ws);
      void ws.close({ code, reason });
    });
  });

  return {
    context,
    page,
    problems,
    dialogs,
    async offline() {
      blocked = true;
      await context.setOffline(true);
      for (const [ws, server] of [...live]) {
        live.delete(ws);
        await ws.close({ code: 4000, reason: "offline" });
        await server.close();
      }
    },
    async online() {
      blocked = false;
      await context.setOffline(false);
    },
  };
}
