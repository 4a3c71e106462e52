// How fast to record, from how fast this device can upload. Pure functions, no DOM: the
// browser tests import this module and check every rule directly.
//
// Recording and uploading overlap, so "stop" to "saved" stays short only while the uplink
// carries what the recorder makes. The device check measures the uplink; the recording
// bitrate is then a share of it, within what 720p needs, and it moves between recordings
// (a retake, the next question) by what the last one left unsent when it stopped.

export const VIDEO_MIN = 300_000; // below this 720p falls apart
export const VIDEO_MAX = 1_500_000; // above this 720p gains little, the upload a lot
export const VIDEO_DEFAULT = 1_000_000; // when the uplink could not be measured
export const AUDIO_BITS = 64_000;
export const AUDIO_SLOW_BITS = 32_000; // speech is still clear; the video gets the rest
export const SHARE = 0.65; // of the measured uplink: headroom for the API, retries, other tabs

// What the device check says, by measured uplink (bits per second):
//   good     ≥ 1.2 Mbit/s: records at 0.72–1.5 Mbit/s, 720p looks good
//   slow     ≥ 0.3 Mbit/s: records at 0.3–0.72 Mbit/s, a softer picture that still keeps up
//   too slow < 0.3 Mbit/s: even the lowest video bitrate (plus audio) outruns the uplink,
//            so the wait after "stop" would grow with the answer's length
export const GOOD_UPLINK = 1_200_000;
export const SLOW_UPLINK = 300_000;
// Audio-only interviews need ~64 kbit/s; with twice that the upload keeps up.
export const AUDIO_UPLINK = 128_000;

export function verdict(uplinkBits, { video = true } = {}) {
  if (!Number.isFinite(uplinkBits) || uplinkBits <= 0) return "unknown";
  if (!video) return uplinkBits >= AUDIO_UPLINK ? "good" : "too-slow";
  if (uplinkBits >= GOOD_UPLINK) return "good";
  if (uplinkBits >= SLOW_UPLINK) return "slow";
  return "too-slow";
}

const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

// The bitrates to record at on an uplink of `uplinkBits` (null/NaN: not measured).
// `audio` goes with the video; `audioOnly` is for audio answers, which have the uplink to
// themselves. `target` is where later recordings may climb back to.
export function bitrateForUplink(uplinkBits) {
  if (!Number.isFinite(uplinkBits) || uplinkBits <= 0) {
    return { video: VIDEO_DEFAULT, audio: AUDIO_BITS, audioOnly: AUDIO_BITS, target: VIDEO_DEFAULT };
  }
  const audio = uplinkBits < SLOW_UPLINK ? AUDIO_SLOW_BITS : AUDIO_BITS;
  const audioOnly = uplinkBits < AUDIO_UPLINK ? AUDIO_SLOW_BITS : AUDIO_BITS;
  const video = Math.round(clamp(uplinkBits * SHARE - audio, VIDEO_MIN, VIDEO_MAX));
  return { video, audio, audioOnly, target: video };
}

// Backlog at "stop", in seconds of recording: the last chunk (1 s) and one in flight are
// normal; more than BACKLOG_GREW seconds means the uplink fell behind during the recording.
export const BACKLOG_GREW = 3;
export const BACKLOG_CALM = 2;
export const STEP_DOWN = 0.8; // at least this much lower after a backlog
export const MARGIN = 0.85; // of what the uplink carried during the recording
export const STEP_UP = 1.15; // cautiously back up after a recording that kept up

// The bitrate for the next recording, from the last one:
//   recordedBytes: what the recorder made; backlogBytes: what was not yet uploaded at stop;
//   seconds: how long it recorded.
// Returns {video, audio, target, backlogSeconds, change: "lower" | "raise" | "keep"}.
export function nextBitrate(current, { recordedBytes, backlogBytes, seconds }) {
  const keep = { ...current, backlogSeconds: 0, change: "keep" };
  if (!(recordedBytes > 0) || !(seconds > 0)) return keep;
  const bytesPerSecond = recordedBytes / seconds;
  const backlogSeconds = Math.max(0, backlogBytes) / bytesPerSecond;
  if (backlogSeconds > BACKLOG_GREW) {
    // What the uplink carried while recording, as a share of what was recorded.
    const carried = clamp((recordedBytes - backlogBytes) / recordedBytes, 0, 1);
    const video = Math.round(clamp(Math.min(current.video * STEP_DOWN, current.video * carried * MARGIN), VIDEO_MIN, VIDEO_MAX));
    const audio = video === VIDEO_MIN && carried < 0.5 ? AUDIO_SLOW_BITS : current.audio;
    return { ...current, video, audio, backlogSeconds, change: video < current.video || audio < current.audio ? "lower" : "keep" };
  }
  if (backlogSeconds <= BACKLOG_CALM && current.video < current.target) {
    const video = Math.round(Math.min(current.target, current.video * STEP_UP));
    return { ...current, video, backlogSeconds, change: "raise" };
  }
  return { ...keep, backlogSeconds };
}

// The uplink from two timed uploads (bytes, seconds), the second larger: the slope between
// them discounts the fixed cost of each request (latency, TLS, the form's own fields), but is
// noisy on a fast link, so it is bounded by the plain rate of the larger one.
export function uplinkFromProbes(probes) {
  const done = probes.filter((p) => p.bytes > 0 && p.seconds > 0);
  if (!done.length) return null;
  const last = done[done.length - 1];
  const plain = (last.bytes * 8) / last.seconds;
  if (done.length < 2) return plain;
  const first = done[done.length - 2];
  const slope = ((last.bytes - first.bytes) * 8) / (last.seconds - first.seconds);
  if (!(last.bytes > first.bytes) || !(last.seconds > first.seconds) || !Number.isFinite(slope)) return plain;
  return clamp(slope, plain, plain * 1.25);
}
