// Files on their way into a conversation: each upload resumes by itself after a lost connection
// (the SDK's tus Upload), shows its progress, can be cancelled and, once failed, retried; when
// every byte is stored it is sent as a message (through the outbox, like text). A video gets
// its duration, size and a poster picture measured here before it is sent.

import { useEffect, useState } from "preact/hooks";
import { Upload, mediaContent, type Api, type ConvId, type TernClient, type UploadedFile, type VideoDetails, type VoiceDetails } from "@tern/sdk";

export type UploadKind = "image" | "file" | "voice" | "video";

export interface UploadItem {
  key: string;
  conv: ConvId;
  name: string;
  size: number;
  kind: UploadKind;
  /** An object URL of a picture being uploaded, to show it at once. */
  preview?: string;
  sent: number;
  state: "uploading" | "failed";
  error?: string;
}

interface Entry {
  item: UploadItem;
  upload: Upload;
  voice?: VoiceDetails;
  video?: Omit<VideoDetails, "poster"> & { poster?: Blob };
}

let counter = 0;

export class Uploads {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly api: Api,
    private readonly client: TernClient,
  ) {}

  /** Starts uploading `file` into `conv`; a voice clip comes with what the recorder measured. */
  async add(conv: ConvId, file: Blob, name: string, voice?: VoiceDetails): Promise<void> {
    const kind: UploadKind = voice !== undefined ? "voice" : file.type.startsWith("image/") ? "image" : file.type.startsWith("video/") ? "video" : "file";
    counter += 1;
    const key = `u${counter}`;
    const item: UploadItem = { key, conv, name, size: file.size, kind, sent: 0, state: "uploading" };
    if (kind === "image") item.preview = URL.createObjectURL(file);
    const entry: Entry = { item, upload: this.newUpload(key, file, name), voice };
    this.entries.set(key, entry);
    this.changed();
    if (kind === "video") entry.video = await probeVideo(file);
    void this.run(entry);
  }

  /** The uploads of `conv`, oldest first. */
  list(conv: ConvId): UploadItem[] {
    return [...this.entries.values()].filter((e) => e.item.conv === conv).map((e) => e.item);
  }

  cancel(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    void entry.upload.cancel();
    this.forget(key);
  }

  retry(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.item.state !== "failed") return;
    entry.item = { ...entry.item, state: "uploading", error: undefined };
    this.changed();
    void this.run(entry);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private newUpload(key: string, file: Blob, name: string): Upload {
    return new Upload(this.api, file, {
      name,
      chunkBytes: 2 * 1024 * 1024,
      onProgress: (sent) => {
        const entry = this.entries.get(key);
        if (entry === undefined) return;
        entry.item = { ...entry.item, sent };
        this.changed();
      },
    });
  }

  private async run(entry: Entry): Promise<void> {
    const { key, conv } = entry.item;
    try {
      let posterFile: UploadedFile | undefined;
      if (entry.video?.poster !== undefined) {
        posterFile = await new Upload(this.api, entry.video.poster, { name: "poster.jpg" }).start().catch(() => undefined);
      }
      const file = await entry.upload.start();
      if (!this.entries.has(key)) return;
      const video = entry.video === undefined ? undefined : { ...entry.video, poster: posterFile };
      this.client.send(conv, mediaContent(file, { voice: entry.voice, video }));
      this.forget(key);
    } catch (e) {
      const current = this.entries.get(key);
      if (current === undefined) return;
      current.item = { ...current.item, state: "failed", error: e instanceof Error ? e.message : String(e) };
      this.changed();
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry?.item.preview !== undefined) URL.revokeObjectURL(entry.item.preview);
    this.entries.delete(key);
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * A video's duration and size, and its first frame as a JPEG poster, read by the browser; none
 * of it if the browser cannot play the file (it is then sent as a plain file).
 */
async function probeVideo(file: Blob): Promise<Entry["video"]> {
  const url = URL.createObjectURL(file);
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  try {
    await new Promise<void>((resolve, reject) => {
      video.onloadeddata = () => resolve();
      video.onerror = () => reject(new Error("cannot play"));
      video.src = url;
    });
    const { videoWidth: width, videoHeight: height } = video;
    const durationMs = Number.isFinite(video.duration) ? video.duration * 1000 : 0;
    if (width === 0 || height === 0 || durationMs <= 0) return undefined;
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d")?.drawImage(video, 0, 0, width, height);
    const poster = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
    return { durationMs, width, height, poster: poster ?? undefined };
  } catch {
    return undefined;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The uploads of `conv`, re-rendering the caller as they progress. */
export function useUploads(uploads: Uploads, conv: ConvId): UploadItem[] {
  const [list, setList] = useState(() => uploads.list(conv));
  useEffect(() => {
    setList(uploads.list(conv));
    return uploads.subscribe(() => setList(uploads.list(conv)));
  }, [uploads, conv]);
  return list;
}
