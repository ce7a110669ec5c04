// Resync by seq: every message of your conversations reaches the app
// exactly once and, within a conversation, in seq order, however the
// connection comes and goes.
//
// Each conversation's cursor is the last seq handed to the app. A
// `new-message` at cursor + 1 is handed over; one at or below the cursor
// is a repeat (delivery is at least once on the wire) and dropped; one
// past cursor + 1 means something was missed, so it is dropped too and a
// `sync` asks for everything after the cursors, which the server answers
// in seq order. Every (re)connection syncs the same way. Seqs a sync
// skips (messages deleted for you) are not waited for.
//
// Messages this client sent itself are not handed over: their send
// resolved with their ack. Their seqs are remembered (`acked`) so that the
// cursor steps over them, whichever way they come back.

import { FrameError } from './errors.js';
import type { Socket } from './socket.js';
import type { Ack, Message, SyncData } from './types.js';

export interface InboxOptions {
  socket: Socket;
  /** Each message, once, in seq order within its conversation. */
  onMessage: (message: Message) => void;
  /** A sync the server refused and no retry could mend. */
  onError?: (error: FrameError) => void;
  /** Messages per conversation per sync reply (the server's default is 50). */
  limit?: number;
  /** Sync rounds in a row (each `has_more` asks again) before giving up until the next reason to sync. */
  maxRounds?: number;
}

/** How many acked seqs above the cursors are remembered, all conversations together. */
const MAX_ACKED = 4096;

export class Inbox {
  private readonly socket: Socket;
  private readonly onMessage: (message: Message) => void;
  private readonly onError: (error: FrameError) => void;
  private readonly limit: number;
  private readonly maxRounds: number;
  private readonly cursors = new Map<string, number>();
  /** Per conversation, seqs of our own sends above its cursor. */
  private readonly acked = new Map<string, Set<number>>();
  private ackedCount = 0;
  private syncing = false;
  private again = false;

  constructor({ socket, onMessage, onError = () => {}, limit = 50, maxRounds = 100 }: InboxOptions) {
    this.socket = socket;
    this.onMessage = onMessage;
    this.onError = onError;
    this.limit = limit;
    this.maxRounds = maxRounds;
  }

  /** The last seq handed over in a conversation (0: none yet). */
  cursor(conversationId: string): number {
    return this.cursors.get(conversationId) ?? 0;
  }

  /** Every cursor, as `sync` takes them. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.cursors);
  }

  /**
   * Starts a conversation after `seq` (what the app already has, such as
   * the conversation list's `last_seq`): nothing at or below it is handed
   * over. A conversation without a cursor starts at 0, its whole history.
   */
  startAfter(conversationId: string, seq: number): void {
    if (seq > this.cursor(conversationId)) this.cursors.set(conversationId, seq);
    this.stepOverAcked(conversationId);
  }

  /** One of our own sends was stored at `ack.seq`: the cursor steps over it. */
  ackedOwn(ack: Ack): void {
    if (ack.seq <= this.cursor(ack.conversation_id)) return;
    let seqs = this.acked.get(ack.conversation_id);
    if (!seqs) this.acked.set(ack.conversation_id, (seqs = new Set()));
    if (this.ackedCount >= MAX_ACKED) this.forgetAcked();
    if (!seqs.has(ack.seq)) this.ackedCount += 1;
    seqs.add(ack.seq);
    this.stepOverAcked(ack.conversation_id);
  }

  /** A connection is up: catch up on what it missed. */
  onOpen(): void {
    void this.sync();
  }

  /** Takes a `new-message`; false for any other frame. */
  onFrame(frame: { type: string; data?: unknown }): boolean {
    if (frame.type !== 'new-message') return false;
    const m = frame.data as Message;
    const cursor = this.cursor(m.conversation_id);
    if (m.seq === cursor + 1) this.deliver(m);
    else if (m.seq > cursor + 1) void this.sync();
    return true;
  }

  /** Asks for everything after the cursors until nothing more is owed; coalesces overlapping calls. */
  async sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    try {
      for (let round = 0; round < this.maxRounds; round += 1) {
        this.again = false;
        if (!this.socket.open) return;
        let reply: SyncData;
        try {
          reply = await this.socket.request<SyncData>('sync', { cursors: this.snapshot(), limit: this.limit });
        } catch (e) {
          const error = e instanceof FrameError ? e : new FrameError(0, String(e));
          // Offline: the next connection syncs again. Slowed down: wait as told.
          if (error.code === 0) return;
          if (error.retryAfterMs > 0 && error.code === 1007) {
            await new Promise((r) => setTimeout(r, error.retryAfterMs));
            continue;
          }
          this.onError(error);
          return;
        }
        let more = false;
        for (const entry of reply.conversations) {
          const messages = [...entry.messages].sort((a, b) => a.seq - b.seq);
          for (const m of messages) {
            if (m.seq > this.cursor(m.conversation_id)) this.deliver(m);
          }
          more ||= entry.has_more;
        }
        if (!more && !this.again) return;
      }
    } finally {
      this.syncing = false;
    }
  }

  private deliver(m: Message): void {
    this.cursors.set(m.conversation_id, m.seq);
    const own = this.acked.get(m.conversation_id);
    if (own?.delete(m.seq)) {
      this.ackedCount -= 1;
    } else {
      this.onMessage(m);
    }
    this.stepOverAcked(m.conversation_id);
  }

  /** Our own acked seqs right after the cursor are had already: step over them. */
  private stepOverAcked(conversationId: string): void {
    const own = this.acked.get(conversationId);
    if (!own) return;
    let cursor = this.cursor(conversationId);
    for (const seq of own) {
      if (seq <= cursor) {
        own.delete(seq);
        this.ackedCount -= 1;
      }
    }
    while (own.delete(cursor + 1)) {
      this.ackedCount -= 1;
      cursor += 1;
    }
    this.cursors.set(conversationId, cursor);
    if (own.size === 0) this.acked.delete(conversationId);
  }

  /** Bounded memory: past MAX_ACKED, the oldest conversation's are forgotten (a sync then hands them over). */
  private forgetAcked(): void {
    const first = this.acked.keys().next();
    if (first.done) return;
    this.ackedCount -= this.acked.get(first.value)?.size ?? 0;
    this.acked.delete(first.value);
  }
}
