// Time as a dependency: the client's backoff, resend and liveness timers run on this, so tests
// can drive them step by step instead of sleeping.

export type TimerHandle = unknown;

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Exponential backoff with jitter: min·2^failures capped at max, then a random 50–100% of it,
 * so many clients cut off together do not come back in one wave.
 */
export function backoffDelay(failures: number, minMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, minMs * 2 ** Math.min(failures, 16));
  return Math.round(exp * (0.5 + random() * 0.5));
}
