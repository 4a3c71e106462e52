// Uploads one recording attempt to S3 while it is being recorded, and never loses a chunk:
//   1. each chunk is written to the chunk store (IndexedDB) first,
//   2. then POSTed to S3 with the presigned POST the attempt's grant holds for that chunk,
//   3. and deleted from the store only after S3 answered 2xx.
// A grant covers a window of chunk numbers (about half a minute of recording), each with its
// own policy for its exact key; the answer's bound allows only so many. The next window's
// grant is fetched ahead of time while recording goes on, so stopping never waits for one.
// A failed POST is retried with exponential backoff for as long as the page is open (a fresh
// grant is fetched when the policy expired or S3 answers 403). When recording stops and
// every chunk is in, `POST …/finalise {chunks}` hands the answer to the server; a 409 that
// names missing chunks sends them again from the store.
import { attemptKey } from "./chunk-store.js";

const CONCURRENCY = 2; // two parts in flight keep a slow uplink busy without starving the API
const MAX_BACKOFF_MS = 30000;
const GRANT_MARGIN_MS = 60000; // renew a grant a minute before it expires
const GRANT_AHEAD = 10; // ask for the next window this many chunks (seconds) before it is needed
const KEPT_GRANTS = 4;

class Permanent extends Error {}

// The grant names every chunk: `chunk_key_template` holds one `{index:0Nd}` field (Python
// format syntax) for the chunk's index padded to N digits. The server owns the key layout, so
// nothing here knows prefixes or chunk names.
const INDEX_FIELD = /\{index:0(\d+)d\}/;

export function chunkKey(template, index) {
  const field = INDEX_FIELD.exec(template || "");
  if (!field) throw new Permanent("We could not prepare this upload. Please reload the page.");
  return template.replace(INDEX_FIELD, () => String(index).padStart(Number(field[1]), "0"));
}

// Sleep that wakes early when the browser says the connection is back.
function pause(ms) {
  return new Promise((resolve) => {
    const wake = () => { window.clearTimeout(timer); window.removeEventListener("online", wake); resolve(); };
    const timer = window.setTimeout(wake, ms);
    window.addEventListener("online", wake);
  });
}

function fresh(grant) {
  return Date.parse(grant.expires_at) - Date.now() > GRANT_MARGIN_MS;
}

// The grant holding a fresh presigned POST for chunk `index`, if any.
function covering(grants, index) {
  return grants.find((grant) => grant.chunks && grant.chunks[String(index)] && fresh(grant));
}

function backoff(failures) {
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 10));
  return base * (0.5 + Math.random() / 2); // jitter: many tabs must not retry in step
}

export class AttemptUpload extends EventTarget {
  /**
   * call(method, path, body) → JSON (throws ApiError with .status, or a network error).
   * record: {questionId, attempt, mimeType}; grant: the API's `upload` object or null;
   * bitrate: {video, audio} bits per second it is recorded at (kept with the attempt).
   */
  constructor({ store, call, owner, questionId, attempt, mimeType, grant = null, bitrate = null }) {
    super();
    Object.assign(this, { store, call, owner, questionId, attempt, mimeType, bitrate });
    this.grants = grant ? [grant] : []; // windows of chunk numbers, newest last
    this.id = attemptKey(owner, questionId, attempt);
    this.queue = new Map(); // index → Blob (in memory) or null (read it from the store)
    this.active = new Set();
    this.sizes = new Map();
    this.writes = [];
    this.total = null; // chunk count, known once recording stopped
    this.recordedBytes = 0;
    this.uploadedBytes = 0;
    this.recordedParts = 0;
    this.uploadedParts = 0;
    this.failures = 0; // consecutive, for the backoff
    this.retries = 0; // in total, for the tests and the bench
    this.phase = "recording"; // recording | uploading | retrying | finalising | saved | failed
    this.message = "";
    this.answer = null;
    this.finalising = false;
    this.saved = new Promise((resolve, reject) => { this.resolveSaved = resolve; this.rejectSaved = reject; });
    this.saved.catch(() => {}); // callers that care listen; nobody else gets an unhandled rejection
    this.stoppedAt = null;
    this.savedAt = null;
  }

  get questionPath() {
    return `/candidate/questions/${encodeURIComponent(this.questionId)}/attempts/${this.attempt}`;
  }

  emit() {
    this.dispatchEvent(new Event("change"));
  }

  async begin() {
    await this.store.createAttempt({ id: this.id, owner: this.owner, questionId: this.questionId, attempt: this.attempt, mimeType: this.mimeType, bitrate: this.bitrate });
  }

  // Called for every MediaRecorder chunk, in order. The store write comes first; the upload
  // only starts once the chunk is safe on disk.
  addChunk(index, blob) {
    this.recordedParts = Math.max(this.recordedParts, index + 1);
    this.recordedBytes += blob.size;
    this.sizes.set(index, blob.size);
    const write = this.store.putChunk(this.id, index, blob).catch(() => {
      // Disk full or storage refused: keep going from memory rather than stop recording.
      this.store.persistent = false;
    }).then(() => {
      this.queue.set(index, blob);
      this.pump();
    });
    this.writes.push(write);
    this.prefetch(index);
    this.emit();
  }

  // Recording ended after `count` chunks: upload the rest, then finalise.
  async stop(count) {
    this.stoppedAt = performance.now();
    await Promise.all(this.writes);
    this.total = count;
    await this.store.markStopped(this.id, count).catch(() => {});
    if (this.phase === "recording") this.phase = "uploading";
    this.emit();
    this.pump();
    return this.saved;
  }

  // Resume an attempt found in the store after a reload: whatever chunks are still there
  // were never confirmed by S3.
  async resume(record) {
    const pending = await this.store.chunksOf(this.id);
    this.recordedParts = record.recorded;
    this.recordedBytes = record.bytes;
    let pendingBytes = 0;
    for (const { index, size } of pending) {
      this.queue.set(index, null);
      this.sizes.set(index, size);
      pendingBytes += size;
    }
    this.uploadedBytes = Math.max(0, record.bytes - pendingBytes);
    this.uploadedParts = Math.max(0, record.recorded - pending.length);
    this.total = record.recorded;
    this.phase = "uploading";
    this.emit();
    this.pump();
    return this.saved;
  }

  pump() {
    if (this.phase === "saved" || this.phase === "failed") return;
    for (const index of this.queue.keys()) {
      if (this.active.size >= CONCURRENCY) break;
      if (!this.active.has(index)) this.uploadChunk(index);
    }
    if (this.total !== null && this.queue.size === 0 && this.active.size === 0) this.finalise();
  }

  async uploadChunk(index) {
    this.active.add(index);
    try {
      let blob = this.queue.get(index);
      if (!blob) blob = await this.store.getChunk(this.id, index);
      if (!blob) throw new Permanent("A part of this recording was lost on this device. Please record your answer again.");
      for (;;) {
        try {
          const grant = await this.grantFor(index);
          if (blob.size > grant.max_chunk_bytes) throw new Permanent("This recording is larger than the question allows. Please record it again.");
          const own = grant.chunks[String(index)];
          const form = new FormData();
          for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
          for (const [name, value] of Object.entries(own)) form.append(name, value);
          const key = own.key || chunkKey(grant.chunk_key_template, index);
          form.append("file", blob, key.slice(key.lastIndexOf("/") + 1)); // S3 wants the file last
          const response = await fetch(grant.url, { method: "POST", body: form });
          if (response.ok) break;
          // 403: the policy expired or the signature no longer matches; 400 can be an
          // expired token too. Either way a fresh grant is the cure.
          if (response.status === 403 || response.status === 400) this.grants = this.grants.filter((g) => g !== grant);
          throw new Error(`S3 answered ${response.status}`);
        } catch (error) {
          if (error instanceof Permanent) throw error;
          this.failures += 1;
          this.retries += 1;
          this.phase = "retrying";
          this.emit();
          await pause(backoff(this.failures));
        }
      }
      this.failures = 0;
      this.prefetch(index);
      this.queue.delete(index);
      this.uploadedParts += 1;
      this.uploadedBytes += blob.size;
      if (this.phase === "retrying") this.phase = this.total === null ? "recording" : "uploading";
      await this.store.deleteChunk(this.id, index).catch(() => {});
    } catch (error) {
      this.fail(error);
    } finally {
      this.active.delete(index);
      this.emit();
      this.pump();
    }
  }

  // A fresh grant holding chunk `index`: one kept, or the window starting there. One request
  // at a time; a request for another window (a prefetch) is waited out, then looked at again.
  async grantFor(index) {
    for (;;) {
      const found = covering(this.grants, index);
      if (found) return found;
      const grant = await this.requestGrant(index);
      if (grant.chunks && grant.chunks[String(index)]) return grant;
    }
  }

  // While recording: fetch the next window's grant before the current one runs out.
  prefetch(index) {
    if (this.grantRequest) return;
    const current = covering(this.grants, index);
    if (!current || current.end_chunk >= current.max_chunks) return;
    if (index + GRANT_AHEAD < current.end_chunk || covering(this.grants, current.end_chunk)) return;
    this.requestGrant(current.end_chunk).catch(() => {}); // needed later: asked again then
  }

  requestGrant(first) {
    if (!this.grantRequest) {
      this.grantRequest = this.call("POST", `${this.questionPath}/grant?first_chunk=${first}`)
        .then((reply) => {
          const grant = reply.upload;
          this.grants = [...this.grants.filter((g) => fresh(g) && g.first_chunk !== grant.first_chunk), grant].slice(-KEPT_GRANTS);
          return grant;
        })
        .catch((error) => {
          if (error.status === 409) {
            // The server already has this attempt: nothing left to send.
            this.queue.clear();
            throw new Permanent("already-saved");
          }
          if (error.status && error.status !== 429 && error.status < 500) throw new Permanent(error.message);
          throw error;
        })
        .finally(() => { this.grantRequest = null; });
    }
    return this.grantRequest;
  }

  async finalise() {
    if (this.finalising) return;
    this.finalising = true;
    this.finaliseStartedAt = this.finaliseStartedAt || performance.now(); // every chunk is in S3
    this.phase = "finalising";
    this.emit();
    for (;;) {
      try {
        const answer = await this.call("POST", `${this.questionPath}/finalise`, { chunks: this.total });
        return this.succeed(answer);
      } catch (error) {
        if (error.status === 409) {
          const missing = (error.details || []).flatMap((d) => d.missing || []);
          if (missing.length) {
            for (const index of missing) {
              this.queue.set(index, null);
              this.uploadedParts = Math.max(0, this.uploadedParts - 1);
              this.uploadedBytes = Math.max(0, this.uploadedBytes - (this.sizes.get(index) || 0));
            }
            this.finalising = false;
            this.phase = "uploading";
            this.emit();
            this.pump();
            return;
          }
          // "already saved": a retried finalise after a lost reply, or another tab did it.
          return this.succeed(null);
        }
        if (error.status && error.status !== 429 && error.status < 500) {
          this.fail(error);
          return;
        }
        this.failures += 1;
        this.retries += 1;
        this.phase = "retrying";
        this.emit();
        await pause(backoff(this.failures));
        this.phase = "finalising";
        this.emit();
      }
    }
  }

  async succeed(answer) {
    this.answer = answer;
    this.phase = "saved";
    this.savedAt = performance.now();
    this.uploadedParts = this.recordedParts;
    this.uploadedBytes = this.recordedBytes;
    await this.store.deleteAttempt(this.id).catch(() => {});
    this.emit();
    this.resolveSaved(answer);
  }

  fail(error) {
    if (error instanceof Permanent && error.message === "already-saved") {
      this.succeed(null);
      return;
    }
    if (this.phase === "failed" || this.phase === "saved") return;
    this.phase = "failed";
    this.message = error.message || "We could not save this recording.";
    this.emit();
    this.rejectSaved(error);
  }

  // Plain words for what is happening, shown next to the progress bar.
  describe() {
    const parts = `${this.uploadedParts} of ${this.recordedParts} part${this.recordedParts === 1 ? "" : "s"} uploaded`;
    switch (this.phase) {
      case "recording":
        return `Uploading while you record: ${parts}.`;
      case "uploading":
        return `Saving your answer… ${parts}.`;
      case "retrying":
        return "Connection lost — we'll keep trying; don't close this page.";
      case "finalising":
        return "Saving your answer… all parts uploaded, finishing up.";
      case "saved":
        return "Saved.";
      default:
        return this.message;
    }
  }
}

// On page load: every attempt of this invitation that the store still holds was recorded but
// not finalised (a reload, a crash, a closed lid). Send what is left and finalise it.
export async function resumePending({ store, call, owner }) {
  const uploads = [];
  const records = await store.attemptsOf(owner).catch(() => []);
  for (const record of records) {
    if (!record.recorded) {
      // The page closed before the first chunk was written: there is nothing to save.
      await store.deleteAttempt(record.id).catch(() => {});
      continue;
    }
    const upload = new AttemptUpload({ store, call, owner, questionId: record.questionId, attempt: record.attempt, mimeType: record.mimeType });
    upload.resumed = !record.stopped;
    upload.resume(record);
    uploads.push(upload);
  }
  return uploads;
}
