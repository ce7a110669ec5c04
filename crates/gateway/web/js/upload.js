// One file to the server, as a resumable upload (docs/protocol.md,
// "Resumable uploads"): opened with its name and size, then sent in
// chunks of the size the server asks, each by XMLHttpRequest for its
// upload progress. Every file goes this way, small ones in one chunk:
// the server refuses a file too large or past the quota when the upload
// is opened, before a byte travels, in its own words; and a connection
// that drops costs the chunk under way, not the file: the upload asks
// the server where it stands and goes on from there.

import { ApiError, del, get, post, withToken } from './api.js';

/** Waits between tries after a dropped connection or a busy server. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

/** Codes worth trying again: no answer, a stalled body (408), busy, overloaded. */
const TRANSIENT = new Set([0, 1004, 1007, 1009]);

export class Upload {
  /**
   * `file`: a File. `onProgress(sent, total)` as bytes go out; `onState()`
   * when `state` changes: 'waiting', 'uploading', 'retrying', 'done'
   * (`attachment` set), 'failed' (`error` set), 'cancelled'.
   */
  constructor(file, { onProgress = () => {}, onState = () => {} } = {}) {
    this.file = file;
    this.onProgress = onProgress;
    this.onState = onState;
    this.state = 'waiting';
    this.error = null;
    this.attachment = null;
    this.uploadId = null;
    this.offset = 0;
    this.xhr = null;
    this.wake = null;
  }

  /** Runs to the end: resolves with the attachment, or null if it failed or was cancelled. */
  async run() {
    try {
      this.set('uploading');
      if (!this.uploadId) {
        const up = await post('/api/v1/uploads', { name: this.file.name, size: this.file.size });
        this.uploadId = up.upload_id;
        this.chunkBytes = up.chunk_bytes;
      } else {
        await this.resync();
      }
      for (let tries = 0; !this.attachment; ) {
        if (this.state === 'cancelled') return null;
        try {
          await this.sendChunk();
          tries = 0;
        } catch (e) {
          if (this.state === 'cancelled') return null;
          if (!(e instanceof ApiError) || !TRANSIENT.has(e.code) || tries >= BACKOFF_MS.length) throw e;
          this.set('retrying');
          await this.pause(e.retryAfterMs || BACKOFF_MS[tries]);
          tries += 1;
          if (this.state === 'cancelled') return null;
          await this.resync();
          this.set('uploading');
        }
      }
      this.set('done');
      return this.attachment;
    } catch (e) {
      if (this.state === 'cancelled') return null;
      this.error = e instanceof ApiError ? e : new ApiError(0, String(e && e.message));
      this.set('failed');
      return null;
    }
  }

  /** Whether a failed upload may go on from where the server stands. */
  get resumable() {
    return this.state === 'failed' && !!this.uploadId && TRANSIENT.has(this.error.code);
  }

  /** Stops the upload and abandons it on the server (its chunks freed from the quota). */
  cancel() {
    if (this.state === 'done' || this.state === 'cancelled') return;
    this.set('cancelled');
    if (this.xhr) this.xhr.abort();
    if (this.wake) this.wake();
    if (this.uploadId) del(`/api/v1/uploads/${encodeURIComponent(this.uploadId)}`).catch(() => {});
  }

  set(state) {
    this.state = state;
    this.onState();
  }

  pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Where the server stands, after a break (it may hold more than it acknowledged). */
  async resync() {
    try {
      const up = await get(`/api/v1/uploads/${encodeURIComponent(this.uploadId)}`);
      this.offset = up.offset;
    } catch (e) {
      // Still unreachable: the next chunk fails again and counts a try.
      if (!(e instanceof ApiError) || !TRANSIENT.has(e.code)) throw e;
    }
  }

  /** The next chunk, from `offset`; moves `offset` on, or sets `attachment` at the end. */
  async sendChunk() {
    const start = this.offset;
    const chunk = this.file.slice(start, Math.min(this.file.size, start + this.chunkBytes));
    const path = `/api/v1/uploads/${encodeURIComponent(this.uploadId)}`;
    const up = await withToken((token) => this.patch(path, token, start, chunk));
    this.offset = up.offset;
    this.onProgress(this.offset, this.file.size);
    if (up.attachment) this.attachment = up.attachment;
  }

  patch(path, token, start, chunk) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open('PATCH', path);
      xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.setRequestHeader('Content-Type', 'application/offset+octet-stream');
      xhr.setRequestHeader('Upload-Offset', String(start));
      xhr.upload.onprogress = (ev) => this.onProgress(start + ev.loaded, this.file.size);
      xhr.onerror = () => reject(new ApiError(0, 'the connection was lost'));
      xhr.ontimeout = xhr.onerror;
      xhr.onabort = () => reject(new ApiError(0, 'cancelled'));
      xhr.onload = () => {
        let env = null;
        try {
          env = JSON.parse(xhr.responseText);
        } catch {
          // Not the contract's envelope (a proxy's page): an internal error.
        }
        if (env && env.code === 0) resolve(env.data);
        else {
          const wait = env && Number.isFinite(env.retry_after_ms) ? env.retry_after_ms : 0;
          reject(new ApiError(env ? env.code : 1004, (env && env.message) || `HTTP ${xhr.status}`, xhr.status, wait));
        }
      };
      xhr.send(chunk);
    });
  }
}

/** The message type a file is sent as, from the type the server sniffed. */
export function messageTypeOf(attachment) {
  const t = attachment.media_type || '';
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('audio/')) return 'voice';
  if (t.startsWith('video/')) return 'video';
  return 'file';
}
