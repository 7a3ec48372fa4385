// Starts a real tern for a test: its own temporary data directory, port 0, fast password
// hashing, stopped with SIGTERM afterwards. The binary comes from TERN_BIN (default: the debug
// build of this repository).

import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
export const TERN_BIN = process.env.TERN_BIN ?? resolve(here, "../../../../../target/debug/tern");

export interface Tern {
  url: string;
  dataDir: string;
  /** Stops with SIGTERM; the data directory is removed unless `keepData`. */
  stop(keepData?: boolean): Promise<void>;
}

export interface TernOptions {
  /** Reuse a data directory (a restart); a fresh temporary one otherwise. */
  dataDir?: string;
  /** `127.0.0.1:PORT`; port 0 (any free one) by default. */
  listen?: string;
}

export function ternAvailable(): boolean {
  return existsSync(TERN_BIN);
}

/** A port that was free a moment ago (for a tern that must come back at the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export async function startTern(options: TernOptions = {}, extraArgs: string[] = []): Promise<Tern> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tern-sdk-test-"));
  const child: ChildProcess = spawn(
    TERN_BIN,
    ["--server.listen", options.listen ?? "127.0.0.1:0", "--server.data-dir", dataDir, "--security.argon2-memory-kib", "1024", "--server.log", "warn", ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"], env: serverEnv() },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`tern did not start within 30 s:\n${stderr}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /tern is running at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tern exited with ${code} before starting:\n${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    async stop(keepData = false) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
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
