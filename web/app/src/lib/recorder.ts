// Recording a voice message: the microphone through MediaRecorder (Opus in WebM or Ogg, or
// whatever the browser records), with its loudness sampled as it goes for the waveform.

import type { VoiceDetails } from "@tern/sdk";

/** Loudness samples taken per second while recording. */
const SAMPLES_PER_SECOND = 10;
/** Most levels a waveform may carry (docs/PROTOCOL.md, `voice`). */
const WAVEFORM_MAX = 128;

export interface Recording {
  /** Milliseconds recorded so far. */
  elapsed(): number;
  /** Stops and hands over the clip with its duration and waveform. */
  stop(): Promise<{ blob: Blob; name: string; voice: VoiceDetails }>;
  /** Stops and throws the clip away. */
  cancel(): void;
}

export async function startRecording(): Promise<Recording> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].find((t) => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(stream, type === undefined ? undefined : { mimeType: type });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  const audio = new AudioContext();
  const analyser = audio.createAnalyser();
  analyser.fftSize = 1024;
  audio.createMediaStreamSource(stream).connect(analyser);
  const levels: number[] = [];
  const buffer = new Float32Array(analyser.fftSize);
  const sampler = setInterval(() => {
    analyser.getFloatTimeDomainData(buffer);
    let sum = 0;
    for (const v of buffer) sum += v * v;
    // RMS on a rough log scale, so quiet speech still shows.
    const rms = Math.sqrt(sum / buffer.length);
    levels.push(Math.min(255, Math.round(Math.max(0, 1 + Math.log10(rms + 1e-4) / 3) * 255)));
  }, 1000 / SAMPLES_PER_SECOND);
  const started = performance.now();
  recorder.start(250);

  const release = () => {
    clearInterval(sampler);
    for (const track of stream.getTracks()) track.stop();
    void audio.close();
  };
  return {
    elapsed: () => performance.now() - started,
    stop: () =>
      new Promise((resolve) => {
        recorder.onstop = () => {
          release();
          const mime = recorder.mimeType || type || "audio/webm";
          const blob = new Blob(chunks, { type: mime });
          const extension = mime.includes("ogg") ? "ogg" : mime.includes("mp4") ? "m4a" : "webm";
          const durationMs = Math.max(1, Math.round(performance.now() - started));
          resolve({ blob, name: `voice-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.${extension}`, voice: { durationMs, waveform: squeeze(levels, WAVEFORM_MAX) } });
        };
        recorder.stop();
      }),
    cancel: () => {
      recorder.onstop = release;
      recorder.stop();
    },
  };
}

/** At most `max` values, each the loudest of the samples it stands for. */
export function squeeze(levels: number[], max: number): number[] {
  if (levels.length <= max) return levels;
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const from = Math.floor((i * levels.length) / max);
    const to = Math.floor(((i + 1) * levels.length) / max);
    out.push(Math.max(...levels.slice(from, Math.max(to, from + 1))));
  }
  return out;
}
