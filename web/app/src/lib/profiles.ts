// Names for people the page has not met in a member list: senders and people named by system
// events who have left a group or been removed, or whose group's members were never loaded.
// Their ids are collected while rendering, looked up together a moment later
// (GET /users?ids=, at most 100 per request), each id once per page, and handed to the client,
// whose `change` repaints every name. Until then, and if a lookup fails, they read "User 5".

import type { Api, TernClient, UserId, UserProfile } from "@tern/sdk";
import { TernError } from "@tern/sdk";

/** How long ids are collected before one request asks for all of them. */
const BATCH_DELAY_MS = 50;
/** Ids per request (the server takes up to `max_users_per_request`, 1000 by default). */
const PER_REQUEST = 100;
/** After a failed lookup, its ids are asked for again after this, doubling per failure. */
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

export class ProfileLookup {
  /** Waiting for the next request. */
  private readonly queued = new Set<UserId>();
  /** Asked for (answered, or in flight): never asked again, unless the request failed. */
  private readonly asked = new Set<UserId>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();
  private failures = 0;
  /** A refusal that asking again will not change (a server without the endpoint). */
  private givenUp = false;
  private closed = false;

  constructor(
    private readonly api: Api,
    private readonly client: TernClient,
  ) {}

  /** Notes that `id` is shown without a profile; it is looked up with the others shortly. */
  want(id: UserId): void {
    if (this.closed || this.givenUp || this.asked.has(id) || this.queued.has(id)) return;
    if (this.client.profile(id) !== undefined || id === this.client.user?.id) return;
    this.queued.add(id);
    this.timer ??= setTimeout(() => this.flush(), BATCH_DELAY_MS);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const retry of this.retries) clearTimeout(retry);
    this.retries.clear();
  }

  private flush(): void {
    this.timer = undefined;
    // A member list may have named some of them meanwhile.
    const ids = [...this.queued].filter((id) => this.client.profile(id) === undefined);
    this.queued.clear();
    for (const id of ids) this.asked.add(id);
    for (let i = 0; i < ids.length; i += PER_REQUEST) void this.lookUp(ids.slice(i, i + PER_REQUEST));
  }

  private async lookUp(ids: UserId[]): Promise<void> {
    let profiles: UserProfile[];
    try {
      profiles = await this.api.users(ids);
    } catch (e) {
      if (this.closed) return;
      console.warn("tern: cannot look up users", ids, e);
      if (e instanceof TernError && !e.retryable) {
        this.givenUp = true;
        return;
      }
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.failures);
      this.failures += 1;
      const retry = setTimeout(() => {
        this.retries.delete(retry);
        for (const id of ids) this.asked.delete(id);
        for (const id of ids) this.want(id);
      }, delay);
      this.retries.add(retry);
      return;
    }
    if (this.closed) return;
    this.failures = 0;
    // Ids the server does not know stay asked for: asking again would not change the answer.
    if (profiles.length > 0) this.client.rememberProfiles(profiles);
  }
}

const lookups = new WeakMap<TernClient, ProfileLookup>();

/** Makes `userName` and friends look up the people `client` has no profile of, through `api`. */
export function startProfileLookup(client: TernClient, api: Api): ProfileLookup {
  lookups.get(client)?.close();
  const lookup = new ProfileLookup(api, client);
  lookups.set(client, lookup);
  return lookup;
}

export function stopProfileLookup(client: TernClient, lookup: ProfileLookup): void {
  lookup.close();
  if (lookups.get(client) === lookup) lookups.delete(client);
}

/** The profile of `id` if the client has it; otherwise asks for it (shown on the next paint). */
export function profileOrLookUp(client: TernClient, id: UserId): UserProfile | undefined {
  const profile = client.profile(id);
  if (profile === undefined) lookups.get(client)?.want(id);
  return profile;
}
