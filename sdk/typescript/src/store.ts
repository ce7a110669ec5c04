// Where a session's tokens are kept between calls (and, in a browser tab,
// between page loads): in memory by default, or in a Web Storage area
// (the web client uses sessionStorage: one login per tab, gone when the
// tab closes).

import type { User } from './types.js';

/** What a session keeps: its token pair, when the access token expires, and who it is. */
export interface StoredSession {
  access_token: string;
  refresh_token: string;
  /** When the access token expires, in ms since the epoch (this machine's clock). */
  expires_at: number;
  /** How long the access token lived when issued, in ms. */
  lifetime: number;
  user: User | null;
}

export interface SessionStore {
  load(): StoredSession | null;
  save(session: StoredSession | null): void;
}

/** Kept in this object only: gone with it. */
export function memoryStore(): SessionStore {
  let kept: StoredSession | null = null;
  return {
    load: () => kept,
    save: (s) => {
      kept = s;
    },
  };
}

/** Kept in a Web Storage area under `key`, as JSON; what does not parse reads as none. */
export function webStorageStore(storage: Storage, key: string): SessionStore {
  return {
    load() {
      try {
        return (JSON.parse(storage.getItem(key) ?? 'null') as StoredSession | null) || null;
      } catch {
        return null;
      }
    },
    save(s) {
      if (s) storage.setItem(key, JSON.stringify(s));
      else storage.removeItem(key);
    },
  };
}
