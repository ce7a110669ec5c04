// @ferrochat/client: a TypeScript client for ferrochat's HTTP and
// WebSocket contract (docs/protocol.md), typed from the documents the
// server serves (src/generated/).
export { ApiError, FrameError, ErrorCode } from './errors.js';
export { Http } from './http.js';
export { Session } from './session.js';
export { memoryStore, webStorageStore } from './store.js';
export { Socket, CloseCode, DEFAULT_BACKOFF, socketUrl, } from './socket.js';
export { Inbox } from './inbox.js';
export { Outbox } from './outbox.js';
export { Client } from './client.js';
