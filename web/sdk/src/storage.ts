// Where the SDK keeps what must survive a page reload (the outbox of unacknowledged sends).
// Synchronous on purpose: localStorage is, and a send must be on disk before the app is told
// it is queued, or a reload right after pressing Enter could lose it.

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Storage that lives as long as the object: for tests, and where nothing may be persisted. */
export class MemoryStorage implements KeyValueStorage {
  private readonly map = new Map<string, string>();

  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }

  removeItem(key: string): void {
    this.map.delete(key);
  }

  keys(): string[] {
    return [...this.map.keys()];
  }
}

/**
 * The browser's localStorage when it is usable, otherwise memory (private modes and sandboxed
 * frames may throw on access, and a messenger must still work there, just without persistence).
 */
export function browserStorage(): KeyValueStorage {
  try {
    const storage = globalThis.localStorage;
    const probe = "tern.probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return new MemoryStorage();
  }
}
