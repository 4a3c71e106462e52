// A recruiter's question video, recorded here or sent as a file, with the candidates' own
// recorder and chunked uploader: chunks go straight to S3 while recording (one presigned POST
// each), finalise hands the video to the media worker, which makes an MP4 H.264/AAC with a
// poster so it plays on every device. The status is polled until it is ready or failed.
import { useEffect, useRef, useState } from "preact/hooks";
import { MemoryStore } from "../candidate/chunk-store.js";
import { ChunkRecorder, canRecord, deviceErrorMessage, openDevices, pickMimeType, stopStream } from "../candidate/media.js";
import { AttemptUpload } from "../candidate/uploader.js";
import { authed } from "./session.js";
import { html } from "./ui.js";

export const MAX_SECONDS = 180;
const TIMESLICE_MS = 1000;
const POLL_MS = 1500;

// The uploader asks `${questionPath}/grant?first_chunk=N` and `${questionPath}/finalise`:
// a question video answers both under its own path.
class QuestionVideoUpload extends AttemptUpload {
  constructor({ path, ...options }) {
    super(options);
    this.path = path;
  }

  get questionPath() {
    return this.path;
  }
}

function videosPath(interviewId) {
  return `/interviews/${encodeURIComponent(interviewId)}/question-videos`;
}

function call(method, path, body) {
  return authed(path, { method, ...(body === undefined ? {} : { body }) });
}

/** A new question video of the interview and its uploader (the grant for its first chunks). */
async function begin(interviewId, mimeType, source) {
  const video = await call("POST", videosPath(interviewId), { mime_type: mimeType, source });
  const upload = new QuestionVideoUpload({
    path: `${videosPath(interviewId)}/${encodeURIComponent(video.video_id)}`,
    store: new MemoryStore(),
    call,
    owner: "console",
    questionId: video.video_id,
    attempt: 1,
    mimeType,
    grant: video.upload,
  });
  await upload.begin();
  return { video, upload };
}

/** Send a chosen file in slices of the grant's chunk size; resolves with the finalised video. */
export async function sendFile(interviewId, file, onProgress) {
  const type = (file.type || "video/mp4").split(";")[0].trim().toLowerCase();
  const { video, upload } = await begin(interviewId, type, "file");
  const size = video.upload.max_chunk_bytes;
  const count = Math.max(1, Math.ceil(file.size / size));
  if (count > video.upload.max_chunks) throw new Error("This video is larger than 200 MB. Choose a shorter or smaller one.");
  upload.addEventListener("change", () => onProgress(upload.uploadedBytes / Math.max(1, file.size)));
  for (let index = 0; index < count; index += 1) upload.addChunk(index, file.slice(index * size, (index + 1) * size));
  const finalised = await upload.stop(count);
  return { ...video, ...(finalised || {}), upload: undefined };
}

/** Poll a video until it is ready or failed; returns a function that stops polling. */
export function watchVideo(interviewId, videoId, onUpdate) {
  let stopped = false;
  let timer = 0;
  const poll = async () => {
    if (stopped) return;
    try {
      const video = await call("GET", `${videosPath(interviewId)}/${encodeURIComponent(videoId)}`);
      if (stopped) return;
      onUpdate(video);
      if (video.status === "ready" || video.status === "failed") return;
    } catch (error) {
      if (error.status === 404) {
        onUpdate({ video_id: videoId, status: "failed", message: "This video is no longer available. Record it again." });
        return;
      }
    }
    timer = window.setTimeout(poll, POLL_MS);
  };
  poll();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

/** Drop a take the recruiter did not keep (its chunks and item); best effort. */
export function discard(interviewId, videoId) {
  return call("DELETE", `${videosPath(interviewId)}/${encodeURIComponent(videoId)}`).catch(() => {});
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * Camera preview → record (uploading while it records) → stop → watch the take → use it or
 * record again. `onUse(video)` gets the finalised video (processing); `onClose()` cancels.
 */
export function Recorder({ id, interviewId, onUse, onClose }) {
  const [phase, setPhase] = useState("opening"); // opening | preview | recording | review | failed
  const [error, setError] = useState(null);
  const [elapsed, setElapsed] = useState(0);
  const [progress, setProgress] = useState("");
  const [take, setTake] = useState(null); // {video, upload, url}
  const live = useRef(null);
  const stream = useRef(null);
  const recording = useRef(null);

  const release = () => {
    stopStream(stream.current);
    stream.current = null;
  };

  const open = async () => {
    setPhase("opening");
    setError(null);
    if (!canRecord() || !pickMimeType("video")) {
      setError({ title: "This browser cannot record video", steps: ["Use a recent Chrome, Edge, Firefox or Safari, or choose a video file instead."] });
      setPhase("failed");
      return;
    }
    try {
      stream.current = stream.current || (await openDevices({ video: true }));
      setPhase("preview");
    } catch (failure) {
      setError(deviceErrorMessage(failure));
      setPhase("failed");
    }
  };

  useEffect(() => {
    open();
    return () => {
      if (recording.current) recording.current.recorder.stop();
      release();
    };
  }, []);

  useEffect(() => {
    if (live.current && stream.current && live.current.srcObject !== stream.current) {
      live.current.srcObject = stream.current;
      live.current.play().catch(() => {});
    }
  });

  useEffect(() => () => take && take.url && URL.revokeObjectURL(take.url), [take]);

  const start = async () => {
    setError(null);
    const mimeType = pickMimeType("video");
    let started;
    try {
      started = await begin(interviewId, mimeType, "recording");
    } catch (failure) {
      setError({ title: failure.message || "The recording could not start.", steps: [] });
      return;
    }
    const { video, upload } = started;
    const recorder = new ChunkRecorder(stream.current, mimeType, {
      timeslice: TIMESLICE_MS,
      onChunk: (index, blob) => upload.addChunk(index, blob),
    });
    upload.addEventListener("change", () => setProgress(`${upload.uploadedParts} of ${upload.recordedParts} parts uploaded`));
    const began = performance.now();
    const timer = window.setInterval(() => {
      const seconds = (performance.now() - began) / 1000;
      setElapsed(seconds);
      if (seconds >= MAX_SECONDS) stop(); // eslint-disable-line no-use-before-define
    }, 250);
    recording.current = { video, upload, recorder, timer };
    recorder.start();
    setElapsed(0);
    setPhase("recording");
  };

  const stop = async () => {
    const current = recording.current;
    if (!current) return;
    recording.current = null;
    window.clearInterval(current.timer);
    const count = await current.recorder.stop();
    const url = URL.createObjectURL(current.recorder.blob());
    setTake({ video: current.video, upload: current.upload, url });
    setPhase("review");
    current.upload.stop(count).catch(() => {});
  };

  const again = () => {
    if (take) discard(interviewId, take.video.video_id);
    setTake(null);
    setProgress("");
    setPhase("preview");
  };

  const use = async () => {
    const current = take;
    setPhase("saving");
    try {
      const finalised = await current.upload.saved;
      release();
      onUse({ ...current.video, ...(finalised || {}), upload: undefined });
    } catch (failure) {
      setError({ title: current.upload.message || failure.message || "The video could not be uploaded.", steps: ["Record it again."] });
      setPhase("review");
    }
  };

  const cancel = () => {
    if (recording.current) {
      window.clearInterval(recording.current.timer);
      recording.current.recorder.stop();
      discard(interviewId, recording.current.video.video_id);
      recording.current = null;
    }
    if (take) discard(interviewId, take.video.video_id);
    release();
    onClose();
  };

  const showLive = phase === "preview" || phase === "recording" || phase === "opening";
  return html`<div class="video-recorder" id=${`${id}-recorder`} data-phase=${phase}>
    ${showLive &&
    html`<video ref=${live} id=${`${id}-camera`} class="question-video-preview camera" muted autoplay playsinline
      aria-label="Your camera"></video>`}
    ${(phase === "review" || phase === "saving") && take &&
    html`<video id=${`${id}-take`} class="question-video-preview" src=${take.url} controls playsinline
      aria-label="Play back your recording"></video>`}
    <p class="meta" role="status" aria-live="polite" id=${`${id}-recorder-status`}>
      ${phase === "opening" && "Starting your camera…"}
      ${phase === "preview" && `Ready. Record up to ${clock(MAX_SECONDS)}; it uploads while you record.`}
      ${phase === "recording" && html`<span class="recording-dot" aria-hidden="true"></span> Recording ${clock(elapsed)} / ${clock(MAX_SECONDS)} · ${progress}`}
      ${phase === "review" && `Watch your take. ${progress}`}
      ${phase === "saving" && "Finishing the upload…"}
    </p>
    ${error &&
    html`<div class="error" role="alert" id=${`${id}-recorder-error`}>
      <strong>${error.title}</strong>
      ${error.steps && error.steps.length > 0 && html`<ul>${error.steps.map((step) => html`<li>${step}</li>`)}</ul>`}
    </div>`}
    <div class="actions small">
      ${phase === "preview" && html`<button type="button" id=${`${id}-record`} onClick=${start}>Start recording</button>`}
      ${phase === "recording" && html`<button type="button" id=${`${id}-stop`} class="danger" onClick=${stop}>Stop</button>`}
      ${phase === "review" &&
      html`<button type="button" id=${`${id}-use`} onClick=${use}>Use this video</button>
        <button type="button" class="secondary" id=${`${id}-again`} onClick=${again}>Record again</button>`}
      ${phase === "failed" && html`<button type="button" class="secondary" onClick=${open}>Try again</button>`}
      <button type="button" class="secondary" id=${`${id}-cancel`} onClick=${cancel} disabled=${phase === "saving"}>Cancel</button>
    </div>
  </div>`;
}
