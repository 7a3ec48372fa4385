// Starts the real tern for a test file: binary from TERN_BIN (default: this repository's debug
// build), the web client from TERN_WEB_DIR if set (otherwise tern's embedded copy, or app/dist
// when the binary was built without one), a fresh temporary data directory and port 0. Stopped
// with SIGTERM.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
export const TERN_BIN = process.env.TERN_BIN ?? resolve(here, "../../../../target/debug/tern");
// Relative to where `npm run e2e` was typed (npm runs the script in e2e/, and says where it was
// invoked in INIT_CWD).
export const TERN_WEB_DIR =
  process.env.TERN_WEB_DIR === undefined || process.env.TERN_WEB_DIR === ""
    ? undefined
    : resolve(process.env.INIT_CWD ?? process.cwd(), process.env.TERN_WEB_DIR);

export interface Tern {
  url: string;
  /** What tern wrote to stderr (its log), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** The client this repository builds (npm run build), used when tern has none built in. */
const APP_DIST = resolve(here, "../../../app/dist");
let warned = false;

/** Starts a tern for one test file; `settings` are extra flags (`--messages.recall-window-s`, ...). */
export async function startTern(settings: string[] = []): Promise<Tern> {
  if (!existsSync(TERN_BIN)) throw new Error(`no tern binary at ${TERN_BIN}: build it or set TERN_BIN`);
  let tern = await launch(TERN_WEB_DIR, settings);
  if (TERN_WEB_DIR === undefined && (await embedsNoClient(tern.url))) {
    // Built with TERN_WEB_BUILD=skip (or before web/ existed): the binary serves a page saying
    // so. Test the client built here instead of failing on that page, and say so loudly.
    await tern.stop();
    if (process.env.CI) {
      // CI must test the client that ships inside the binary.
      throw new Error(`${TERN_BIN} has no web client built in (built with TERN_WEB_BUILD=skip?)`);
    }
    if (!existsSync(join(APP_DIST, "index.html"))) {
      throw new Error(`${TERN_BIN} has no web client built in and ${APP_DIST} is empty: run npm run build, or rebuild tern`);
    }
    if (!warned) {
      warned = true;
      console.error(`note: ${TERN_BIN} has no web client built in; testing ${APP_DIST} with --web-dir`);
    }
    tern = await launch(APP_DIST, settings);
  }
  return tern;
}

async function embedsNoClient(url: string): Promise<boolean> {
  const page = await fetch(url).then((r) => r.text());
  return page.includes("The web client is not included in this build");
}

async function launch(webDir: string | undefined, settings: string[]): Promise<Tern> {
  const dataDir = mkdtempSync(join(tmpdir(), "tern-e2e-"));
  const args = ["--server.listen", "127.0.0.1:0", "--server.data-dir", dataDir, "--security.argon2-memory-kib", "1024", "--server.log", "warn"];
  if (webDir !== undefined) {
    if (!existsSync(join(webDir, "index.html"))) throw new Error(`${webDir} has no index.html: run npm run build first`);
    args.push("--server.web-dir", webDir);
  }
  args.push(...settings);
  const child = spawn(TERN_BIN, args, { stdio: ["ignore", "pipe", "pipe"], env: serverEnv() });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`tern did not start within 30 s:\n${stderr}`)), 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /tern is running at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tern exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  return {
    url,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The environment for tern: ours, minus the TERN_* variables meant for this harness (tern treats
 * an unknown TERN_* variable as a configuration error).
 */
function serverEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TERN_BIN;
  delete env.TERN_WEB_DIR;
  // The test harnesses' own settings (TERN_TEST_POSTGRES, ...) are not tern's.
  for (const key of Object.keys(env)) if (key.startsWith("TERN_TEST_")) delete env[key];
  return env;
}
