// The WebSocket half: one connection, reconnected with exponential backoff
// and jitter. The owner gets every frame through `onFrame`, and a call to
// `onOpen` each time a connection is up (where it resyncs by seq: see
// Inbox).
//
// Heartbeats: a `ping` every `pingMs` (25 s, under the server's 90 s idle
// timeout); a connection silent for `silenceMs` (70 s, past the server's
// own 30 s pings) is taken for half-open, dropped and dialed again.
//
// A close with 4001 (logged out, the session ended from another device,
// or the access token expired) waits for a refresh before dialing again; a
// refused refresh ends the session, which stops the socket. A dial refused
// before the upgrade (HTTP 401) shows no close code, so after one that
// never opened the session is checked first. While open, each refresh of
// the session is sent as an `auth` frame, so the connection outlives the
// access token it was opened with.
import { FrameError } from './errors.js';
export const DEFAULT_BACKOFF = { baseMs: 500, capMs: 15_000 };
/** Close codes the contract gives a meaning (docs/protocol.md, "Limits and closing"). */
export const CloseCode = { Unauthorized: 4001, TooSlow: 4008, ServiceRestart: 1012 };
const OPEN = 1;
export class Socket {
    onFrame;
    onOpen;
    onStatus;
    session;
    url;
    onUnauthorized;
    WebSocketCtor;
    backoff;
    pingMs;
    silenceMs;
    requestTimeoutMs;
    ws = null;
    attempt = 0;
    retryTimer;
    pingTimer;
    lastFrameAt = 0;
    stopped = true;
    connecting = false;
    /** When the next dial is due, in ms since the epoch (0: none is). */
    nextRetryAt = 0;
    /** The last dial closed before it opened: check the session before the next. */
    refused = false;
    requests = new Map();
    nextRequest = 0;
    stopReauth;
    constructor(o) {
        this.session = o.session;
        this.url = typeof o.url === 'string' ? () => o.url : o.url;
        this.onFrame = o.onFrame ?? (() => { });
        this.onOpen = o.onOpen ?? (() => { });
        this.onStatus = o.onStatus ?? (() => { });
        this.onUnauthorized = o.onUnauthorized ?? (() => this.session.refresh());
        const ctor = o.WebSocket ?? globalThis.WebSocket;
        if (!ctor)
            throw new TypeError('no WebSocket: pass one (node 20 needs --experimental-websocket)');
        this.WebSocketCtor = ctor;
        this.backoff = o.backoff ?? DEFAULT_BACKOFF;
        this.pingMs = o.pingMs ?? 25_000;
        this.silenceMs = o.silenceMs ?? 70_000;
        this.requestTimeoutMs = o.requestTimeoutMs ?? 30_000;
        this.stopReauth = this.session.onRefreshed((token) => {
            // Refused (another session's token, or the socket went): the socket
            // closes with 4001 when its token expires, and dials again then.
            if (this.open)
                this.request('auth', { token }).catch(() => { });
        });
    }
    get open() {
        return !!this.ws && this.ws.readyState === OPEN;
    }
    start() {
        this.stopped = false;
        void this.connect();
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
    /** Stops for good: also stops following the session's refreshes. */
    close() {
        this.stop();
        this.stopReauth();
    }
    /** Skips the remaining backoff wait. */
    reconnectNow() {
        if (this.stopped || this.open)
            return;
        clearTimeout(this.retryTimer);
        void this.connect();
    }
    /** Sends a frame if connected; returns whether it was handed to the socket. */
    send(type, data, id) {
        if (!this.open || !this.ws)
            return false;
        const frame = { type, data };
        if (id)
            frame.id = id;
        this.ws.send(JSON.stringify(frame));
        return true;
    }
    /**
     * Sends a frame and resolves with the `data` of the reply echoing its id
     * (rejects with a FrameError on an `error` reply, no answer, or offline).
     */
    request(type, data, id = this.nextId(type)) {
        if (!this.send(type, data, id))
            return Promise.reject(new FrameError(0, 'you are offline'));
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.requests.delete(id);
                reject(new FrameError(0, 'no answer from the server'));
            }, this.requestTimeoutMs);
            this.requests.set(id, { resolve: resolve, reject, timer });
        });
    }
    /** A fresh frame id, `<type>-<time>-<n>`. */
    nextId(type) {
        this.nextRequest += 1;
        return `${type}-${Date.now()}-${this.nextRequest}`;
    }
    /** A reply to one of `request`'s frames: settles it; false otherwise. */
    settle(frame) {
        const r = frame.id ? this.requests.get(frame.id) : undefined;
        if (!r || !frame.id)
            return false;
        this.requests.delete(frame.id);
        clearTimeout(r.timer);
        const d = (frame.data ?? {});
        if (frame.type === 'error')
            r.reject(new FrameError(d.code || 0, d.message || 'refused', d.retry_after_ms || 0));
        else
            r.resolve(frame.data ?? {});
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
        if (this.stopped || this.connecting || this.ws)
            return;
        this.connecting = true;
        try {
            await this.dial();
        }
        finally {
            this.connecting = false;
        }
    }
    async dial() {
        clearTimeout(this.retryTimer);
        this.onStatus({ state: 'connecting', attempt: this.attempt });
        try {
            await this.session.ensureFresh();
            if (this.refused && !(await this.session.check())) {
                // Over (the owner stopped us), or not known yet: back off.
                this.retry();
                return;
            }
        }
        catch {
            // The server may be down; the socket attempt will tell.
        }
        if (this.stopped)
            return;
        const url = `${this.url()}?token=${encodeURIComponent(this.session.accessToken ?? '')}`;
        let ws;
        try {
            ws = new this.WebSocketCtor(url);
        }
        catch {
            this.retry();
            return;
        }
        this.ws = ws;
        let opened = false;
        ws.addEventListener('open', () => {
            if (this.ws !== ws)
                return;
            opened = true;
            this.refused = false;
            this.attempt = 0;
            this.nextRetryAt = 0;
            this.lastFrameAt = Date.now();
            clearInterval(this.pingTimer);
            this.pingTimer = setInterval(() => this.heartbeat(), this.pingMs);
            this.onStatus({ state: 'open' });
            this.onOpen();
        });
        ws.addEventListener('message', (ev) => {
            if (this.ws !== ws)
                return;
            this.lastFrameAt = Date.now();
            let frame;
            try {
                frame = JSON.parse(String(ev.data));
            }
            catch {
                return;
            }
            if (this.settle(frame))
                return;
            this.onFrame(frame);
        });
        const gone = (code) => {
            if (this.ws !== ws)
                return;
            this.ws = null;
            clearInterval(this.pingTimer);
            this.dropRequests();
            this.refused = !opened;
            if (code === CloseCode.Unauthorized) {
                // Dial again once the refresh settled: with a fresh token, or not
                // at all if the session is over (the owner stops the socket).
                this.onStatus({ state: 'connecting', attempt: this.attempt + 1 });
                this.onUnauthorized().then(() => this.retry(), () => this.retry());
                return;
            }
            this.retry();
        };
        ws.addEventListener('close', (ev) => gone(ev.code));
        // A dial that fails: browsers say `error`, then `close`; node 20's
        // WebSocket may say only `error`, and must not leave us waiting.
        // (Closing it here would make node's say `error` again, and again.)
        ws.addEventListener('error', () => gone(1006));
    }
    heartbeat() {
        if (!this.open || !this.ws)
            return;
        if (Date.now() - this.lastFrameAt > this.silenceMs) {
            // Half-open connection: drop it and start over.
            const ws = this.ws;
            this.ws = null;
            ws.close();
            clearInterval(this.pingTimer);
            this.dropRequests();
            this.retry();
            return;
        }
        this.send('ping', {}, this.nextId('ping'));
    }
    retry() {
        if (this.stopped)
            return;
        clearTimeout(this.retryTimer);
        // Exponential backoff with "equal jitter": half fixed, half random.
        const ceiling = Math.min(this.backoff.capMs, this.backoff.baseMs * 2 ** this.attempt);
        const delay = ceiling / 2 + Math.random() * (ceiling / 2);
        this.attempt += 1;
        this.nextRetryAt = Date.now() + delay;
        this.onStatus({ state: 'offline', retryAt: this.nextRetryAt, attempt: this.attempt });
        this.retryTimer = setTimeout(() => void this.connect(), delay);
    }
}
/** `https://host/base` → `wss://host/base/ws`; `''` (this page's origin) → this page's host. */
export function socketUrl(baseUrl) {
    return () => {
        if (baseUrl)
            return `${baseUrl.replace(/^http/, 'ws')}/ws`;
        const { protocol, host } = globalThis.location;
        return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
    };
}
