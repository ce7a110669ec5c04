// The WebSocket half, through the SDK (./sdk/socket.js): one connection
// to this page's origin, reconnected with exponential backoff and jitter,
// heartbeats, requests answered by id, a refresh before dialing again
// after a close with 4001, and each refresh sent as an `auth` frame. The
// owner gets every frame through `onFrame`, and a call to `onOpen` each
// time a connection is up, where it sends `sync`.

import { sdkSession } from './api.js';
import { Socket as SdkSocket, socketUrl } from './sdk/socket.js';

export class Socket extends SdkSocket {
  constructor({ onFrame, onOpen, onStatus, onUnauthorized }) {
    super({ session: sdkSession, url: socketUrl(''), onFrame, onOpen, onStatus, onUnauthorized });
  }
}
