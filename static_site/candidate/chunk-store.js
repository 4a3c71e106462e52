// Recorded chunks live in IndexedDB until S3 has them, so a reload, a crashed tab or a lost
// connection never loses an answer. Two stores:
//   attempts: one row per recording attempt not yet finalised
//             {id, owner, questionId, attempt, mimeType, bitrate, recorded, bytes, stopped, createdAt}
//   chunks:   {id, attemptId, index, blob, size}, deleted once S3 answered 2xx; where the
//             browser refuses Blobs in IndexedDB (WebKitGTK, some Safari versions), the row
//             holds {buffer, type} (an ArrayBuffer) instead and is read back as a Blob
// `owner` is a hash of the invitation token, so two invitations in one browser never mix and
// the token itself is never written to disk.
// A chunk and its attempt's counters are written in one transaction: after a crash, `recorded`
// is exactly the number of chunks the page knew about.
const DB_NAME = "oneway-candidate";
const DB_VERSION = 1;

export function attemptKey(owner, questionId, attempt) {
  return `${owner}/${questionId}/${attempt}`;
}

function chunkKey(attemptId, index) {
  return `${attemptId}/${String(index).padStart(5, "0")}`;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
}

const PROBE_ID = "probe/blob";

class IdbStore {
  constructor(db) {
    this.db = db;
    this.persistent = true;
    // Whether this browser stores Blobs in IndexedDB; decided once by probe() at open.
    this.blobs = true;
  }

  static async open({ blobs } = {}) {
    const store = new IdbStore(await IdbStore.connect());
    store.blobs = blobs === undefined ? await store.probe() : blobs;
    return store;
  }

  static connect() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        const attempts = db.createObjectStore("attempts", { keyPath: "id" });
        attempts.createIndex("owner", "owner");
        const chunks = db.createObjectStore("chunks", { keyPath: "id" });
        chunks.createIndex("attemptId", "attemptId");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("IndexedDB blocked"));
    });
  }

  // Writes a one-byte Blob and removes it: a browser that cannot store Blobs fails the write
  // (synchronously or by aborting the transaction), and its chunks are kept as ArrayBuffers.
  async probe() {
    try {
      const tx = this.db.transaction("chunks", "readwrite");
      tx.objectStore("chunks").put({ id: PROBE_ID, attemptId: PROBE_ID, index: 0, blob: new Blob([new Uint8Array([1])]), size: 1 });
      await finished(tx);
    } catch {
      return false;
    }
    const cleanup = this.db.transaction("chunks", "readwrite");
    cleanup.objectStore("chunks").delete(PROBE_ID);
    await finished(cleanup).catch(() => {});
    return true;
  }

  async createAttempt(record) {
    const tx = this.db.transaction("attempts", "readwrite");
    tx.objectStore("attempts").put({ recorded: 0, bytes: 0, stopped: false, createdAt: Date.now(), ...record });
    await finished(tx);
  }

  async putChunk(attemptId, index, blob) {
    // Read before the transaction opens: awaiting anything but IndexedDB would end it.
    const payload = this.blobs ? { blob } : { buffer: await blob.arrayBuffer(), type: blob.type };
    const tx = this.db.transaction(["attempts", "chunks"], "readwrite");
    tx.objectStore("chunks").put({ id: chunkKey(attemptId, index), attemptId, index, size: blob.size, ...payload });
    const attempts = tx.objectStore("attempts");
    const record = await done(attempts.get(attemptId));
    if (record) {
      record.recorded = Math.max(record.recorded, index + 1);
      record.bytes += blob.size;
      attempts.put(record);
    }
    await finished(tx);
  }

  async markStopped(attemptId, count) {
    const tx = this.db.transaction("attempts", "readwrite");
    const attempts = tx.objectStore("attempts");
    const record = await done(attempts.get(attemptId));
    if (record) attempts.put({ ...record, recorded: count, stopped: true });
    await finished(tx);
  }

  async getChunk(attemptId, index) {
    const tx = this.db.transaction("chunks", "readonly");
    const row = await done(tx.objectStore("chunks").get(chunkKey(attemptId, index)));
    if (!row) return null;
    return row.blob || new Blob([row.buffer], { type: row.type || "" });
  }

  async deleteChunk(attemptId, index) {
    const tx = this.db.transaction("chunks", "readwrite");
    tx.objectStore("chunks").delete(chunkKey(attemptId, index));
    await finished(tx);
  }

  async chunksOf(attemptId) {
    const tx = this.db.transaction("chunks", "readonly");
    const rows = await done(tx.objectStore("chunks").index("attemptId").getAll(attemptId));
    return rows.map(({ index, size }) => ({ index, size }));
  }

  async attemptsOf(owner) {
    const tx = this.db.transaction("attempts", "readonly");
    return done(tx.objectStore("attempts").index("owner").getAll(owner));
  }

  async deleteAttempt(attemptId) {
    const tx = this.db.transaction(["attempts", "chunks"], "readwrite");
    tx.objectStore("attempts").delete(attemptId);
    const chunks = tx.objectStore("chunks");
    const keys = await done(chunks.index("attemptId").getAllKeys(attemptId));
    for (const key of keys) chunks.delete(key);
    await finished(tx);
  }
}

// Private windows in some browsers refuse IndexedDB. Uploads still work from memory; only
// surviving a reload is lost, and the page says so.
export class MemoryStore {
  constructor() {
    this.persistent = false;
    this.attempts = new Map();
    this.chunks = new Map();
  }
  async createAttempt(record) {
    this.attempts.set(record.id, { recorded: 0, bytes: 0, stopped: false, createdAt: Date.now(), ...record });
  }
  async putChunk(attemptId, index, blob) {
    this.chunks.set(chunkKey(attemptId, index), { attemptId, index, blob, size: blob.size });
    const record = this.attempts.get(attemptId);
    if (record) {
      record.recorded = Math.max(record.recorded, index + 1);
      record.bytes += blob.size;
    }
  }
  async markStopped(attemptId, count) {
    const record = this.attempts.get(attemptId);
    if (record) Object.assign(record, { recorded: count, stopped: true });
  }
  async getChunk(attemptId, index) {
    const row = this.chunks.get(chunkKey(attemptId, index));
    return row ? row.blob : null;
  }
  async deleteChunk(attemptId, index) {
    this.chunks.delete(chunkKey(attemptId, index));
  }
  async chunksOf(attemptId) {
    return [...this.chunks.values()].filter((c) => c.attemptId === attemptId).map(({ index, size }) => ({ index, size }));
  }
  async attemptsOf(owner) {
    return [...this.attempts.values()].filter((a) => a.owner === owner);
  }
  async deleteAttempt(attemptId) {
    this.attempts.delete(attemptId);
    for (const [key, row] of this.chunks) if (row.attemptId === attemptId) this.chunks.delete(key);
  }
}

// `blobs: false` forces the ArrayBuffer rows (tests exercise that path in every engine).
export async function openStore({ blobs } = {}) {
  try {
    if (!window.indexedDB) throw new Error("no IndexedDB");
    return await IdbStore.open({ blobs });
  } catch {
    return new MemoryStore();
  }
}

// SHA-256 of the token (first 32 hex characters). crypto.subtle needs a secure context
// (https or localhost); elsewhere a plain string hash is enough to keep invitations apart.
export async function ownerOf(token) {
  if (window.crypto && crypto.subtle) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32);
  }
  let hash = 2166136261;
  for (let i = 0; i < token.length; i += 1) hash = Math.imul(hash ^ token.charCodeAt(i), 16777619) >>> 0;
  return `fnv-${hash.toString(16)}-${token.length}`;
}
