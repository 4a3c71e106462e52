// The device check's connection test: random bytes POSTed straight to S3 (as answers are),
// timed. `POST /candidate/network-check` gives a one-minute presigned POST for one object
// under `probes/` that is never an answer and is deleted a day later.
// A first probe of ~100 KB says roughly how fast the uplink is; if it is not clearly too slow,
// a second, larger one (about two seconds' worth, at most 480 KB) gives the figure, and the
// difference between the two discounts each request's fixed cost.
import { uplinkFromProbes, SLOW_UPLINK } from "./bitrate.js";

export const FIRST_PROBE_BYTES = 96 * 1024;
export const MAX_PROBE_BYTES = 480 * 1024;
const SECOND_PROBE_SECONDS = 2;
const PROBE_TIMEOUT_MS = 20000; // 96 KB in 20 s is 0.04 Mbit/s: too slow, whatever follows

function randomBytes(size) {
  // Random, so no compression on the way can make the link look faster than it is.
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  return new Blob([bytes], { type: "application/octet-stream" });
}

// One timed POST of `size` bytes; resolves {bytes, seconds, timedOut}.
async function probe(call, size) {
  const grant = await call("POST", "/candidate/network-check");
  const body = new FormData();
  for (const [name, value] of Object.entries(grant.fields)) body.append(name, value);
  body.append("file", randomBytes(Math.min(size, grant.max_bytes)), "probe"); // S3 wants the file last
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
  const began = performance.now();
  try {
    const response = await fetch(grant.url, { method: "POST", body, signal: controller.signal });
    if (!response.ok) throw new Error(`S3 answered ${response.status}`);
    return { bytes: size, seconds: (performance.now() - began) / 1000, timedOut: false };
  } catch (error) {
    if (controller.signal.aborted) return { bytes: size, seconds: PROBE_TIMEOUT_MS / 1000, timedOut: true };
    throw error;
  } finally {
    window.clearTimeout(timer);
  }
}

// Measures the uplink in bits per second; throws when the test itself could not run.
export async function measureUplink(call) {
  const first = await probe(call, FIRST_PROBE_BYTES);
  const rough = uplinkFromProbes([first]);
  // Clearly too slow: a second probe would only make the candidate wait longer.
  if (first.timedOut || rough < SLOW_UPLINK * 0.8) return { bits: rough, probes: [first] };
  const size = Math.round(Math.min(MAX_PROBE_BYTES, Math.max(2 * FIRST_PROBE_BYTES, (rough / 8) * SECOND_PROBE_SECONDS)));
  const second = await probe(call, size);
  return { bits: uplinkFromProbes([first, second]), probes: [first, second] };
}
