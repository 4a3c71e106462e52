// Camera, microphone and MediaRecorder: what this browser can do, and plain-words errors.

// What to record, best first. H.264 + AAC in MP4 plays everywhere as it is, so the media
// worker only copies it (Chrome and Edge ≥ 126, Safari); H.264 in WebM/Matroska needs only its
// Opus audio encoded (older Chrome and Edge); VP9/VP8 (Firefox, old browsers) is transcoded.
export const VIDEO_TYPES = [
  "video/mp4;codecs=avc1.42E01E,mp4a.40.2",
  "video/mp4;codecs=avc1.4D401F,mp4a.40.2",
  "video/mp4;codecs=avc1,mp4a.40.2",
  "video/webm;codecs=h264,opus",
  "video/webm;codecs=avc1,opus",
  "video/x-matroska;codecs=avc1,opus",
  "video/mp4;codecs=avc1,opus",
  "video/webm;codecs=vp9,opus",
  "video/webm;codecs=vp8,opus",
  "video/webm",
  "video/mp4",
];
export const AUDIO_TYPES = ["audio/mp4;codecs=mp4a.40.2", "audio/mp4", "audio/webm;codecs=opus", "audio/webm"];
// Bitrates follow the uplink the device check measured (bitrate.js); these are the fallbacks.
const VIDEO_BITS = 1_000_000;
const AUDIO_BITS = 64_000;

export function canRecord() {
  return Boolean(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

export function pickMimeType(kind) {
  if (!window.MediaRecorder || typeof MediaRecorder.isTypeSupported !== "function") return null;
  const candidates = kind === "audio" ? AUDIO_TYPES : VIDEO_TYPES;
  return candidates.find((type) => MediaRecorder.isTypeSupported(type)) || null;
}

export async function openDevices({ video }) {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true },
    video: video ? { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" } : false,
  });
}

export function stopStream(stream) {
  if (stream) for (const track of stream.getTracks()) track.stop();
}

// What to tell a candidate when getUserMedia fails, by the error's name.
export function deviceErrorMessage(error) {
  switch (error && error.name) {
    case "NotAllowedError":
    case "SecurityError":
      return {
        title: "Your browser is blocking the camera or microphone",
        steps: [
          "Click the camera or lock icon in the address bar and allow the camera and microphone for this site.",
          "On iPhone or iPad: open Settings › Safari › Camera and Microphone, choose Allow, then come back.",
          "On Android: tap the lock icon next to the address, then Permissions, and allow both.",
          "Then press “Try again”.",
        ],
      };
    case "NotFoundError":
    case "OverconstrainedError":
      return {
        title: "We could not find a camera or microphone",
        steps: ["Plug in or turn on your camera and microphone, or use a phone or laptop that has them.", "Then press “Try again”."],
      };
    case "NotReadableError":
    case "AbortError":
      return {
        title: "Your camera or microphone is busy",
        steps: ["Close other apps or tabs that use the camera (video calls, for example).", "Then press “Try again”."],
      };
    default:
      return {
        title: "We could not start your camera or microphone",
        steps: ["Reload this page and try again, or open the link in a recent Chrome, Firefox, Edge or Safari."],
      };
  }
}

// Microphone level from a Web Audio AnalyserNode: calls onLevel(0..1) each animation frame.
export function watchLevel(stream, onLevel) {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context || !stream.getAudioTracks().length) return () => {};
  const context = new Context();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    // -60 dBFS (silence) … 0 dBFS (loud) mapped onto 0…1
    const db = 20 * Math.log10(rms || 1e-8);
    onLevel(Math.min(1, Math.max(0, (db + 60) / 60)));
    frame = requestAnimationFrame(tick);
  };
  if (context.state === "suspended") context.resume().catch(() => {});
  tick();
  return () => {
    cancelAnimationFrame(frame);
    source.disconnect();
    context.close().catch(() => {});
  };
}

// MediaRecorder with a timeslice: onChunk(index, blob) for every non-empty chunk, in order;
// stop() resolves with the number of chunks once the last one has been delivered.
export class ChunkRecorder {
  constructor(stream, mimeType, { timeslice = 1000, onChunk, videoBitsPerSecond = VIDEO_BITS, audioBitsPerSecond = AUDIO_BITS }) {
    const audioOnly = mimeType.startsWith("audio/");
    // A key frame every second: Chrome's MP4 muxer only closes a fragment at a key frame,
    // and its default interval is longer than most answers, so without this an MP4 recording
    // reaches `dataavailable` (and the upload) only at stop. It also gives the worker and the
    // salvage of a cut-off recording a clean start every second. Browsers without the option
    // ignore it.
    this.recorder = new MediaRecorder(stream, {
      mimeType,
      audioBitsPerSecond,
      ...(audioOnly ? {} : { videoBitsPerSecond, videoKeyFrameIntervalDuration: 1000 }),
    });
    this.videoBitsPerSecond = audioOnly ? null : videoBitsPerSecond;
    this.audioBitsPerSecond = audioBitsPerSecond;
    this.timeslice = timeslice;
    this.count = 0;
    this.blobs = [];
    this.mimeType = mimeType;
    this.recorder.addEventListener("dataavailable", (event) => {
      if (!event.data || event.data.size === 0) return;
      const index = this.count;
      this.count += 1;
      this.blobs.push(event.data);
      if (onChunk) onChunk(index, event.data);
    });
    this.stopped = new Promise((resolve) => this.recorder.addEventListener("stop", () => resolve(this.count)));
  }

  start() {
    this.recorder.start(this.timeslice);
  }

  stop() {
    if (this.recorder.state !== "inactive") this.recorder.stop();
    return this.stopped;
  }

  get recording() {
    return this.recorder.state === "recording";
  }

  // The whole recording for local playback (nothing leaves the device for this).
  blob() {
    return new Blob(this.blobs, { type: this.recorder.mimeType || this.mimeType });
  }
}
