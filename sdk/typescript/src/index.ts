// @ferrochat/client: a TypeScript client for ferrochat's HTTP and
// WebSocket contract (docs/protocol.md), typed from the documents the
// server serves (src/generated/).

export { ApiError, FrameError, ErrorCode } from './errors.js';
export { Http, type HttpOptions, type Method, type Download } from './http.js';
export { Session, type SessionOptions, type EndReason } from './session.js';
export { memoryStore, webStorageStore, type SessionStore, type StoredSession } from './store.js';
export {
  Socket,
  CloseCode,
  DEFAULT_BACKOFF,
  socketUrl,
  type SocketOptions,
  type SocketStatus,
  type Backoff,
  type WebSocketLike,
} from './socket.js';
export { Inbox, type InboxOptions } from './inbox.js';
export { Outbox, type OutboxOptions } from './outbox.js';
export { Client, type ClientOptions } from './client.js';
export type * from './types.js';
