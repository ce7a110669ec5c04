// Sends with a window: at most `window` sends (the server's
// `gateway.ws.send_window`, 256) wait for their `send-ack` at once; more
// wait here, in order, up to `maxQueued`. Each send's frame id is its
// `client_msg_id`, so its ack (or error) is found by id. A send still
// unanswered when the connection goes is sent again on the next one with
// the same `client_msg_id` (the server stores it once and acks it again);
// one refused with 1007 or 1009 (slow down, busy) is retried after the
// wait the server asked for, up to `maxRetries` times.

import { FrameError } from './errors.js';
import type { Socket } from './socket.js';
import type { Ack, Outgoing, SendMessage } from './types.js';

export interface OutboxOptions {
  socket: Socket;
  /** Told of each ack (before the send's promise resolves). */
  onAck?: (ack: Ack) => void;
  window?: number;
  maxQueued?: number;
  maxRetries?: number;
}

interface Item {
  body: SendMessage & { client_msg_id: string };
  resolve: (ack: Ack) => void;
  reject: (e: FrameError) => void;
  tries: number;
}

const RETRYABLE = new Set([1007, 1009]);

export class Outbox {
  private readonly socket: Socket;
  private readonly onAck: (ack: Ack) => void;
  private readonly window: number;
  private readonly maxQueued: number;
  private readonly maxRetries: number;
  /** Sent on this connection, waiting for an answer; in the order sent. */
  private readonly inFlight = new Map<string, Item>();
  /** Not sent yet (or to be sent again), in order. */
  private queue: Item[] = [];
  private waiting = 0;

  constructor({ socket, onAck = () => {}, window = 256, maxQueued = 10_000, maxRetries = 5 }: OutboxOptions) {
    this.socket = socket;
    this.onAck = onAck;
    this.window = window;
    this.maxQueued = maxQueued;
    this.maxRetries = maxRetries;
  }

  /** Sends and resolves once the message is durable, with its ack. */
  send(body: Outgoing): Promise<Ack> {
    const pending = this.inFlight.size + this.queue.length + this.waiting;
    if (pending >= this.window + this.maxQueued) {
      return Promise.reject(new FrameError(1007, 'too many sends waiting, slow down'));
    }
    const client_msg_id = body.client_msg_id || randomId();
    return new Promise<Ack>((resolve, reject) => {
      this.queue.push({ body: { ...body, client_msg_id }, resolve, reject, tries: 0 });
      this.pump();
    });
  }

  /** Sends, or how many wait for an answer or a connection. */
  get pending(): number {
    return this.inFlight.size + this.queue.length + this.waiting;
  }

  /** A new connection: what the last one left unanswered goes first, then the rest. */
  onOpen(): void {
    this.queue = [...this.inFlight.values(), ...this.queue];
    this.inFlight.clear();
    this.pump();
  }

  /** Takes the answer to one of our sends; false for any other frame. */
  onFrame(frame: { type: string; id?: string; data?: unknown }): boolean {
    const item = frame.id ? this.inFlight.get(frame.id) : undefined;
    if (!item || !frame.id) return false;
    if (frame.type !== 'send-ack' && frame.type !== 'error') return false;
    this.inFlight.delete(frame.id);
    if (frame.type === 'send-ack') {
      const ack = frame.data as Ack;
      this.onAck(ack);
      item.resolve(ack);
    } else {
      this.refused(item, frame.data as { code?: number; message?: string; retry_after_ms?: number });
    }
    this.pump();
    return true;
  }

  /** Rejects everything still waiting (the client is closing). */
  drop(reason = 'the client was closed'): void {
    for (const item of [...this.inFlight.values(), ...this.queue]) item.reject(new FrameError(0, reason));
    this.inFlight.clear();
    this.queue = [];
  }

  private refused(item: Item, d: { code?: number; message?: string; retry_after_ms?: number }): void {
    const code = d.code ?? 0;
    const wait = d.retry_after_ms ?? 0;
    if (RETRYABLE.has(code) && item.tries < this.maxRetries) {
      item.tries += 1;
      this.waiting += 1;
      setTimeout(
        () => {
          this.waiting -= 1;
          this.queue.unshift(item);
          this.pump();
        },
        wait || 250 * 2 ** item.tries,
      );
      return;
    }
    item.reject(new FrameError(code, d.message || 'refused', wait));
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight.size < this.window && this.socket.open) {
      const item = this.queue.shift() as Item;
      if (!this.socket.send('send-message', item.body, item.body.client_msg_id)) {
        this.queue.unshift(item);
        return;
      }
      this.inFlight.set(item.body.client_msg_id, item);
    }
  }
}

function randomId(): string {
  return `c-${globalThis.crypto.randomUUID()}`;
}
