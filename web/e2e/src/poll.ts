// Waiting for conditions instead of sleeping: retries a check until it passes or time is up,
// then fails with the last reason (like Playwright Test's expect.poll, which playwright-core
// does not include).

export async function eventually<T>(check: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : String(last)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Throws unless `actual` equals `expected` (for use inside `eventually`). */
export function expectEqual<T>(actual: T, expected: T, label = "value"): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${label} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}
