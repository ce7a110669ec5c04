// What the SDK's tests share: a real ferrochat (tests/lib/server.mjs: the
// debug binary on 127.0.0.1, port 0, a temporary data dir), clients of the
// compiled SDK (dist/, built by `npm test` first) pointed at it, and
// waiting for something to become true.

import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from '../../../tests/lib/server.mjs';
import { Client } from '../dist/index.js';

export { Server };
export const PASSWORD = 'correct horse battery';

/** Sends and syncs as fast as a test wants: the server's per-user limits raised. */
export const GENEROUS_LIMITS = {
  FERROCHAT_GATEWAY__SEND_RATE_LIMIT__BURST: '10000',
  FERROCHAT_GATEWAY__SEND_RATE_LIMIT__PER_SECOND: '1000',
  FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__BURST: '10000',
  FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__PER_SECOND: '1000',
  FERROCHAT_GATEWAY__SYNC_RATE_LIMIT__BURST: '10000',
  FERROCHAT_GATEWAY__SYNC_RATE_LIMIT__PER_SECOND: '1000',
};

/** A fast backoff, so a test does not wait long for a reconnect. */
export const QUICK_BACKOFF = { baseMs: 100, capMs: 1000 };

/** A client of `server` that records what it is handed. */
export function client(server, options = {}) {
  const seen = { messages: [], frames: [], statuses: [], ended: [] };
  const c = new Client({
    baseUrl: server.url,
    backoff: QUICK_BACKOFF,
    onMessage: (m) => seen.messages.push(m),
    onFrame: (f) => seen.frames.push(f),
    onStatus: (s) => seen.statuses.push(s),
    onEnded: (r) => seen.ended.push(r),
    ...options,
  });
  c.seen = seen;
  return c;
}

/** A new account, logged in on a new client; `name` gets a unique suffix. */
export async function user(server, name, options) {
  const c = client(server, options);
  const username = `${name}_${process.hrtime.bigint().toString(36)}`.slice(0, 32);
  const registered = await c.register(username, PASSWORD);
  await c.login(username, PASSWORD);
  c.username = username;
  c.userId = registered.user_id;
  return c;
}

/** Waits until `check()` is truthy (polling); fails with `what` after `ms`. */
export async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Waits until the client's socket is open. */
export const connected = (c) => until('the socket to open', () => c.socket.open);

/** The texts a client was handed in one conversation, in the order handed. */
export const texts = (c, conversationId) =>
  c.seen.messages.filter((m) => m.conversation_id === conversationId).map((m) => m.content);

/** `promise`, or a failure naming `what` if it has not settled within `ms`. */
export function within(what, promise, ms = 15_000) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
