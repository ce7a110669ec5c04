// The WebSocket half: one connection, reconnected with exponential backoff
// and jitter. The owner gets every frame through `onFrame`, and a call to
// `onOpen` each time a connection is up, where it sends `sync`.

import { accessToken, ensureFresh } from './api.js';

const BASE_MS = 500;
const CAP_MS = 15_000;
const PING_MS = 25_000;
const SILENCE_MS = 70_000;

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
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
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
      this.onFrame(frame);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      if (ev.code === 4001) {
        this.onUnauthorized();
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
