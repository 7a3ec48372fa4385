// Messages that show a file: a picture (its placeholder colour until it loads, the preview
// rendition in the bubble, the whole picture full-screen), a file card with its download, a
// voice message with its waveform, a video with its poster. Files come through signed links
// (an <img> cannot send the token); one that is gone says so.

import type { FileId, MediaContent, Variant } from "@tern/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { useChat } from "../context";
import { t } from "../i18n";
import { duration, fileSize } from "../lib/format";
import { Dialog } from "./Dialog";
import { DownloadIcon, FileIcon, PauseIcon, PlayIcon } from "./icons";

/** Largest a picture or video is drawn in a bubble, in CSS pixels. */
const BOX = { width: 280, height: 320 };

/** A signed link to the file (undefined while asked for; null if it may not be read). */
function useFileUrl(id: FileId | undefined, variant: Variant = ""): string | null | undefined {
  const { links } = useChat();
  const [url, setUrl] = useState<string | null | undefined>(() => (id === undefined ? null : links.cached(id, variant)));
  useEffect(() => {
    if (id === undefined) return;
    let live = true;
    void links.url(id, variant).then((u) => live && setUrl(u ?? null));
    return () => {
      live = false;
    };
  }, [links, id, variant]);
  return url;
}

/** Smallest box a picture or video gets (a tiny one is centred in it), room for the time. */
const MIN_BOX = { width: 120, height: 90 };

/** `width`×`height` scaled down to fit the bubble, never up, in a box at least MIN_BOX. */
function fitted(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, BOX.width / Math.max(1, width), BOX.height / Math.max(1, height));
  return { width: Math.max(MIN_BOX.width, Math.round(width * scale)), height: Math.max(MIN_BOX.height, Math.round(height * scale)) };
}

function Unavailable() {
  return (
    <span class="media-gone" data-testid="file-gone">
      {t("fileUnavailable")}
    </span>
  );
}

export function MediaView({ content }: { content: MediaContent }) {
  switch (content.type) {
    case "image":
      return <ImageView content={content} />;
    case "voice":
      return <VoicePlayer content={content} />;
    case "video":
      return <VideoView content={content} />;
    default:
      return <FileCard content={content} />;
  }
}

function ImageView({ content }: { content: Extract<MediaContent, { type: "image" }> }) {
  // A moving GIF is shown as itself; others by their preview rendition (the picture itself
  // when it is small).
  const url = useFileUrl(content.file.id, content.animated === true ? "" : "preview");
  const [broken, setBroken] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [open, setOpen] = useState(false);
  const size = fitted(content.width, content.height);
  if (url === null || broken) return <Unavailable />;
  return (
    <>
      <button
        type="button"
        class="media-image"
        // The average colour holds the place until the picture is there.
        style={{ width: `${size.width}px`, height: `${size.height}px`, background: loaded ? "transparent" : (content.color ?? "var(--bg-soft)") }}
        aria-label={t("openImage", { name: content.file.name })}
        onClick={() => setOpen(true)}
      >
        {url !== undefined && (
          <img src={url} alt={content.file.name} width={size.width} height={size.height} data-testid="image" onLoad={() => setLoaded(true)} onError={() => setBroken(true)} />
        )}
      </button>
      {open && <ImageViewer content={content} onClose={() => setOpen(false)} />}
    </>
  );
}

function ImageViewer({ content, onClose }: { content: Extract<MediaContent, { type: "image" }>; onClose(): void }) {
  const url = useFileUrl(content.file.id);
  return (
    <Dialog title={content.file.name} onClose={onClose} variant="viewer">
      <div class="viewer-body">
        {url === null ? <Unavailable /> : url !== undefined && <img src={url} alt={content.file.name} class="viewer-image" data-testid="viewer-image" />}
        {url !== undefined && url !== null && (
          <a class="button subtle" href={url} download={content.file.name}>
            <DownloadIcon size={18} /> {t("download")} · {fileSize(content.file.size)}
          </a>
        )}
      </div>
    </Dialog>
  );
}

function FileCard({ content }: { content: MediaContent }) {
  const url = useFileUrl(content.file.id);
  const { name, size } = content.file;
  return (
    <div class="file-card" data-testid="file-card">
      <span class="file-icon">
        <FileIcon size={22} />
      </span>
      <span class="file-text">
        <span class="file-name" dir="auto">
          {name}
        </span>
        <span class="file-size">{url === null ? t("fileUnavailable") : fileSize(size)}</span>
      </span>
      {url !== null && url !== undefined && (
        <a class="icon-button" href={url} download={name} aria-label={t("downloadName", { name })} title={t("download")} data-testid="download">
          <DownloadIcon size={20} />
        </a>
      )}
    </div>
  );
}

function VoicePlayer({ content }: { content: Extract<MediaContent, { type: "voice" }> }) {
  const url = useFileUrl(content.file.id);
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  if (url === null) return <Unavailable />;
  const levels = content.waveform !== undefined && content.waveform.length > 0 ? content.waveform : new Array<number>(32).fill(64);
  const played = content.duration_ms > 0 ? position / content.duration_ms : 0;
  const toggle = () => {
    const node = audio.current;
    if (node === null) return;
    if (node.paused) void node.play();
    else node.pause();
  };
  return (
    <div class="voice" data-testid="voice">
      <button type="button" class="voice-play" onClick={toggle} disabled={url === undefined} aria-label={playing ? t("pause") : t("play")} title={playing ? t("pause") : t("play")}>
        {playing ? <PauseIcon size={18} /> : <PlayIcon size={18} />}
      </button>
      <span class="waveform" aria-hidden="true">
        {levels.map((level, i) => (
          <span key={i} class={i / levels.length < played ? "bar played" : "bar"} style={{ height: `${Math.max(12, (level / 255) * 100)}%` }} />
        ))}
      </span>
      <span class="voice-time">{duration(playing || position > 0 ? position : content.duration_ms)}</span>
      {url !== undefined && (
        <audio
          ref={audio}
          src={url}
          preload="none"
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => {
            setPlaying(false);
            setPosition(0);
          }}
          onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime * 1000)}
        />
      )}
    </div>
  );
}

function VideoView({ content }: { content: Extract<MediaContent, { type: "video" }> }) {
  const url = useFileUrl(content.file.id);
  const poster = useFileUrl(content.poster?.id, "preview");
  const size = fitted(content.width, content.height);
  if (url === null) return <Unavailable />;
  return (
    <video
      class="media-video"
      controls
      preload="metadata"
      width={size.width}
      height={size.height}
      poster={poster ?? undefined}
      src={url}
      data-testid="video"
    />
  );
}
