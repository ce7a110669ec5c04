// Sends with a window: at most `window` sends (the server's
// `gateway.ws.send_window`, 256) wait for their `send-ack` at once; more
// wait here, in order, up to `maxQueued`. Each send's frame id is its
// `client_msg_id`, so its ack (or error) is found by id. A send still
// unanswered when the connection goes is sent again on the next one with
// the same `client_msg_id` (the server stores it once and acks it again);
// one refused with 1007 or 1009 (slow down, busy) is retried after the
// wait the server asked for, up to `maxRetries` times.
import { FrameError } from './errors.js';
const RETRYABLE = new Set([1007, 1009]);
export class Outbox {
    socket;
    onAck;
    window;
    maxQueued;
    maxRetries;
    /** Sent on this connection, waiting for an answer; in the order sent. */
    inFlight = new Map();
    /** Not sent yet (or to be sent again), in order. */
    queue = [];
    waiting = 0;
    constructor({ socket, onAck = () => { }, window = 256, maxQueued = 10_000, maxRetries = 5 }) {
        this.socket = socket;
        this.onAck = onAck;
        this.window = window;
        this.maxQueued = maxQueued;
        this.maxRetries = maxRetries;
    }
    /** Sends and resolves once the message is durable, with its ack. */
    send(body) {
        const pending = this.inFlight.size + this.queue.length + this.waiting;
        if (pending >= this.window + this.maxQueued) {
            return Promise.reject(new FrameError(1007, 'too many sends waiting, slow down'));
        }
        const client_msg_id = body.client_msg_id || randomId();
        return new Promise((resolve, reject) => {
            this.queue.push({ body: { ...body, client_msg_id }, resolve, reject, tries: 0 });
            this.pump();
        });
    }
    /** Sends, or how many wait for an answer or a connection. */
    get pending() {
        return this.inFlight.size + this.queue.length + this.waiting;
    }
    /** A new connection: what the last one left unanswered goes first, then the rest. */
    onOpen() {
        this.queue = [...this.inFlight.values(), ...this.queue];
        this.inFlight.clear();
        this.pump();
    }
    /** Takes the answer to one of our sends; false for any other frame. */
    onFrame(frame) {
        const item = frame.id ? this.inFlight.get(frame.id) : undefined;
        if (!item || !frame.id)
            return false;
        if (frame.type !== 'send-ack' && frame.type !== 'error')
            return false;
        this.inFlight.delete(frame.id);
        if (frame.type === 'send-ack') {
            const ack = frame.data;
            this.onAck(ack);
            item.resolve(ack);
        }
        else {
            this.refused(item, frame.data);
        }
        this.pump();
        return true;
    }
    /** Rejects everything still waiting (the client is closing). */
    drop(reason = 'the client was closed') {
        for (const item of [...this.inFlight.values(), ...this.queue])
            item.reject(new FrameError(0, reason));
        this.inFlight.clear();
        this.queue = [];
    }
    refused(item, d) {
        const code = d.code ?? 0;
        const wait = d.retry_after_ms ?? 0;
        if (RETRYABLE.has(code) && item.tries < this.maxRetries) {
            item.tries += 1;
            this.waiting += 1;
            setTimeout(() => {
                this.waiting -= 1;
                this.queue.unshift(item);
                this.pump();
            }, wait || 250 * 2 ** item.tries);
            return;
        }
        item.reject(new FrameError(code, d.message || 'refused', wait));
    }
    pump() {
        while (this.queue.length > 0 && this.inFlight.size < this.window && this.socket.open) {
            const item = this.queue.shift();
            if (!this.socket.send('send-message', item.body, item.body.client_msg_id)) {
                this.queue.unshift(item);
                return;
            }
            this.inFlight.set(item.body.client_msg_id, item);
        }
    }
}
function randomId() {
    return `c-${globalThis.crypto.randomUUID()}`;
}
