// Files: resumable uploads (tus 1.0, docs/PROTOCOL.md "Files") that continue where they
// stopped after a lost connection, the message contents that show an upload, and signed links
// for <img src>, <audio src> and downloads, asked for in batches and reused until they expire.

import { TernError } from "./errors.js";
import type { Content, FileId, FileLink, UploadedFile } from "./protocol.js";
import type { Api } from "./rest.js";
import { backoffDelay, realTimers, type Timers } from "./timers.js";

export interface UploadOptions {
  /** The file's name as the recipients see it (the Blob's own name if it is a File). */
  name?: string;
  /** Bytes per request: a lost connection costs at most this much again. */
  chunkBytes?: number;
  /** Attempts after a failed request before giving up (each resumes from where the server is). */
  retries?: number;
  /** Called as bytes are stored: (bytes stored, total). */
  onProgress?: (sent: number, total: number) => void;
  timers?: Timers;
}

/**
 * One upload. `start()` resolves to the uploaded file once every byte is stored; a request
 * that fails (network, server restarting) is retried with backoff, continuing from the offset
 * the server reports. `cancel()` stops it and tells the server to drop what it has.
 * `start()` again after a failure continues the same upload.
 */
export class Upload {
  /** The upload's path on the server, once created. */
  location: string | undefined;
  private cancelled = false;
  private readonly chunkBytes: number;
  private readonly retries: number;
  private readonly timers: Timers;

  constructor(
    private readonly api: Api,
    readonly file: Blob,
    private readonly options: UploadOptions = {},
  ) {
    this.chunkBytes = Math.max(1, options.chunkBytes ?? 4 * 1024 * 1024);
    this.retries = options.retries ?? 5;
    this.timers = options.timers ?? realTimers;
  }

  get name(): string {
    return this.options.name ?? (this.file as { name?: string }).name ?? "file";
  }

  async start(): Promise<UploadedFile> {
    this.cancelled = false;
    let failures = 0;
    for (;;) {
      try {
        return await this.run();
      } catch (e) {
        const err = e instanceof TernError ? e : new TernError("network", String(e), true);
        if (this.cancelled) throw new TernError("closed", "upload cancelled", false);
        if (!err.retryable || failures >= this.retries) throw err;
        failures += 1;
        await new Promise<void>((resolve) => this.timers.setTimeout(resolve, backoffDelay(failures, 500, 8000, Math.random)));
      }
    }
  }

  /** Stops the upload; the server forgets what it stored. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    if (this.location !== undefined) await this.api.tus("DELETE", this.location, {}).catch(() => undefined);
  }

  private async run(): Promise<UploadedFile> {
    const total = this.file.size;
    let offset = 0;
    if (this.location === undefined) {
      const created = await this.api.tus("POST", "/api/v1/files", {
        "upload-length": String(total),
        "upload-metadata": `filename ${base64(this.name)}`,
      });
      this.location = created.headers.get("location") ?? undefined;
      if (this.location === undefined) throw new TernError("bad_frame", "the server named no upload", false);
    } else {
      // Where the server stands: what a cut request delivered is kept.
      const head = await this.api.tus("HEAD", this.location, {});
      offset = Number(head.headers.get("upload-offset") ?? 0);
      const done = head.headers.get("tern-file");
      if (done !== null) return this.api.fileInfo(done);
    }
    this.options.onProgress?.(offset, total);
    let fileId: string | null = null;
    // A zero-byte file is finished by one empty request.
    while (offset < total || (total === 0 && fileId === null)) {
      if (this.cancelled) throw new TernError("closed", "upload cancelled", false);
      const chunk = this.file.slice(offset, Math.min(total, offset + this.chunkBytes));
      const response = await this.api.tus(
        "PATCH",
        this.location,
        { "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
        chunk,
      );
      offset = Number(response.headers.get("upload-offset") ?? offset + chunk.size);
      fileId = response.headers.get("tern-file");
      this.options.onProgress?.(offset, total);
    }
    if (fileId === null) {
      const head = await this.api.tus("HEAD", this.location, {});
      fileId = head.headers.get("tern-file");
      if (fileId === null) throw new TernError("unavailable", "the upload did not finish", true);
    }
    return this.api.fileInfo(fileId);
  }
}

/** What a recording client measured of a voice message. */
export interface VoiceDetails {
  durationMs: number;
  /** Up to 128 loudness levels, 0-255. */
  waveform?: number[];
}

/** What a sending client measured of a video. */
export interface VideoDetails {
  durationMs: number;
  width: number;
  height: number;
  /** An uploaded picture shown before it plays. */
  poster?: UploadedFile;
}

/**
 * The message content that shows `file`: `image` for a picture tern decoded, `voice` or
 * `video` when their details are given, else `file`. The server fills in the rest.
 */
export function mediaContent(file: UploadedFile, details?: { voice?: VoiceDetails; video?: VideoDetails }): Content {
  const info = { id: file.id, name: file.name, size: file.size, mime: file.mime };
  if (details?.voice !== undefined) {
    const { durationMs, waveform } = details.voice;
    return { type: "voice", file: info, duration_ms: Math.max(1, Math.round(durationMs)), waveform };
  }
  if (details?.video !== undefined) {
    const { durationMs, width, height, poster } = details.video;
    const posterInfo = poster === undefined ? undefined : { id: poster.id, name: poster.name, size: poster.size, mime: poster.mime };
    return { type: "video", file: info, duration_ms: Math.max(1, Math.round(durationMs)), width, height, poster: posterInfo };
  }
  if (file.picture !== undefined) {
    const { width, height, color, animated } = file.picture;
    return { type: "image", file: info, width, height, color, animated };
  }
  return { type: "file", file: info };
}

/** Renditions of a picture: `thumb` (320 px), `preview` (1280 px), `square` (its centre, 256
 * px, for profile pictures); "" is the file itself. */
export type Variant = "" | "thumb" | "preview" | "square";

/**
 * Signed download links, cached until shortly before they expire. Asks made in the same tick
 * go out as one request; a file that may not be read (or is gone) resolves to undefined.
 */
export class FileLinks {
  private readonly cache = new Map<string, { url: string; expires: number }>();
  private readonly waiting = new Map<string, Array<(url: string | undefined) => void>>();
  private scheduled = false;

  constructor(
    private readonly api: () => Api,
    private readonly now: () => number = Date.now,
  ) {}

  /** An absolute URL for `id`'s `variant` (the file itself by default). */
  url(id: FileId, variant: Variant = ""): Promise<string | undefined> {
    const key = `${id}/${variant}`;
    const cached = this.cache.get(key);
    // A minute of margin, so a link is never handed out just before it stops working.
    if (cached !== undefined && cached.expires - 60_000 > this.now()) return Promise.resolve(cached.url);
    return new Promise((resolve) => {
      const list = this.waiting.get(key) ?? [];
      list.push(resolve);
      this.waiting.set(key, list);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  /** The cached URL, if one is still good (for rendering without waiting). */
  cached(id: FileId, variant: Variant = ""): string | undefined {
    const cached = this.cache.get(`${id}/${variant}`);
    return cached !== undefined && cached.expires - 60_000 > this.now() ? cached.url : undefined;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = [...this.waiting.entries()];
    this.waiting.clear();
    const api = this.api();
    const wanted = batch.map(([key]) => {
      const [id, variant] = key.split("/");
      return variant === "" ? { id: id ?? "" } : { id: id ?? "", variant };
    });
    let links: FileLink[] = [];
    // At most 200 per request (docs/PROTOCOL.md, "Limits").
    for (let i = 0; i < wanted.length; i += 200) {
      try {
        links = links.concat(await api.fileLinks(wanted.slice(i, i + 200)));
      } catch {
        // Left unresolved as undefined: the view says the file is unavailable and may ask again.
      }
    }
    for (const link of links) {
      this.cache.set(`${link.id}/${link.variant ?? ""}`, { url: api.baseUrl + link.url, expires: link.expires });
    }
    for (const [key, resolvers] of batch) {
      const url = this.cache.get(key)?.url;
      for (const resolve of resolvers) resolve(url);
    }
  }
}

/** Base64 of a string's UTF-8 bytes (tus metadata values). */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
