// The WebSocket half: one connection, reconnected with exponential backoff
// and jitter. The owner gets every frame through `onFrame`, and a call to
// `onOpen` each time a connection is up, where it sends `sync`.
//
// A close with 4001 (logged out, the session ended from another device,
// or the access token expired) waits for `onUnauthorized` (a refresh)
// before dialing again; a refused refresh ends the session, which stops
// the socket. A dial refused before the upgrade (HTTP 401) shows the page
// no code, so after one that never opened the session is checked first.

import { accessToken, ensureFresh, checkSession } from './api.js';

const BASE_MS = 500;
const CAP_MS = 15_000;
const PING_MS = 25_000;
const SILENCE_MS = 70_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** A refusal of a request: the server's `error` frame, or no answer. */
export class FrameError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export class Socket {
  constructor({ onFrame, onOpen, onStatus, onUnauthorized }) {
    this.onFrame = onFrame;
    this.onOpen = onOpen;
    this.onStatus = onStatus;
    this.onUnauthorized = onUnauthorized;
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = 0;
    this.pingTimer = 0;
    this.lastFrameAt = 0;
    this.stopped = true;
    this.connecting = false;
    this.nextRetryAt = 0;
    /** The last dial closed before it opened: check the session before the next. */
    this.refused = false;
    this.requests = new Map();
    this.nextRequest = 0;
  }

  get open() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, 'bye');
    }
    this.dropRequests();
  }

  /** Skips the remaining backoff wait. */
  reconnectNow() {
    if (this.stopped || this.open) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  /** Sends a frame if connected; returns whether it was handed to the socket. */
  send(type, data, id) {
    if (!this.open) return false;
    const frame = { type, data };
    if (id) frame.id = id;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Sends a frame and resolves with the `data` of the reply echoing its id
   * (rejects with a FrameError on an `error` reply, no answer, or offline).
   */
  request(type, data) {
    this.nextRequest += 1;
    const id = `${type}-${Date.now()}-${this.nextRequest}`;
    if (!this.send(type, data, id)) return Promise.reject(new FrameError(0, 'you are offline'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(id);
        reject(new FrameError(0, 'no answer from the server'));
      }, REQUEST_TIMEOUT_MS);
      this.requests.set(id, { resolve, reject, timer });
    });
  }

  /** A reply to one of `request`'s frames: settles it; false otherwise. */
  settle(frame) {
    const r = frame.id && this.requests.get(frame.id);
    if (!r) return false;
    this.requests.delete(frame.id);
    clearTimeout(r.timer);
    const d = frame.data || {};
    if (frame.type === 'error') r.reject(new FrameError(d.code || 0, d.message || 'refused'));
    else r.resolve(d);
    return true;
  }

  /** The connection is gone: what waited for an answer will not get one. */
  dropRequests() {
    for (const r of this.requests.values()) {
      clearTimeout(r.timer);
      r.reject(new FrameError(0, 'the connection was lost'));
    }
    this.requests.clear();
  }

  async connect() {
    if (this.stopped || this.connecting || this.ws) return;
    this.connecting = true;
    try {
      await this.dial();
    } finally {
      this.connecting = false;
    }
  }

  async dial() {
    clearTimeout(this.retryTimer);
    this.onStatus({ state: 'connecting', attempt: this.attempt });
    try {
      await ensureFresh();
      if (this.refused && !(await checkSession())) {
        // Over (the owner stopped us), or not known yet: back off.
        this.retry();
        return;
      }
    } catch {
      // The server may be down; the socket attempt will tell.
    }
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/ws?token=${encodeURIComponent(accessToken() || '')}`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      opened = true;
      this.refused = false;
      this.attempt = 0;
      this.lastFrameAt = Date.now();
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.heartbeat(), PING_MS);
      this.onStatus({ state: 'open' });
      this.onOpen();
    });
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (this.settle(frame)) return;
      this.onFrame(frame);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      this.dropRequests();
      this.refused = !opened;
      if (ev.code === 4001) {
        // Dial again once the refresh settled: with a fresh token, or not
        // at all if the session is over (the owner stops the socket).
        this.onStatus({ state: 'connecting', attempt: this.attempt + 1 });
        Promise.resolve(this.onUnauthorized()).then(
          () => this.retry(),
          () => this.retry(),
        );
        return;
      }
      this.retry();
    });
  }

  heartbeat() {
    if (!this.open) return;
    if (Date.now() - this.lastFrameAt > SILENCE_MS) {
      // Half-open connection: drop it and start over.
      const ws = this.ws;
      this.ws = null;
      ws.close();
      this.dropRequests();
      this.retry();
      return;
    }
    this.send('ping', {}, `ping-${Date.now()}`);
  }

  retry() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    // Exponential backoff with "equal jitter": half fixed, half random.
    const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.nextRetryAt = Date.now() + delay;
    this.onStatus({ state: 'offline', retryAt: this.nextRetryAt, attempt: this.attempt });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
