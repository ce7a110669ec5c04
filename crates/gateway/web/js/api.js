// The HTTP half of the contract, through the SDK (./sdk/, built from
// sdk/typescript): its Session keeps the tokens fresh and makes the
// authenticated calls. This module is the web client's one session, its
// tokens kept in sessionStorage (one login per tab, gone when the tab
// closes), and names the tab at login.
//
// A refresh answered 1002 means the session is over: ended here (logout),
// from another device, by a password change elsewhere, or with the
// account. The logged-out handler is told which: `logout`, `deleted` or
// `ended` (by someone else).

import { ApiError } from './sdk/errors.js';
import { Http } from './sdk/http.js';
import { Session } from './sdk/session.js';
import { webStorageStore } from './sdk/store.js';

export { ApiError };

/**
 * This tab's name for itself at login, as "Your devices" lists it:
 * browser and system, then a random part so that two tabs differ
 * (`web-Firefox-Linux-1a2b3c4d`; printable ASCII without spaces).
 */
export function deviceId() {
  let id = sessionStorage.getItem('ferrochat.device');
  if (!id) {
    id = ['web', browserName(), systemName(), crypto.randomUUID().slice(0, 8)].filter(Boolean).join('-');
    sessionStorage.setItem('ferrochat.device', id);
  }
  return id;
}

function browserName() {
  const ua = navigator.userAgent;
  for (const [re, name] of [
    [/Firefox\//, 'Firefox'],
    [/Edg\//, 'Edge'],
    [/OPR\//, 'Opera'],
    [/Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'],
  ]) {
    if (re.test(ua)) return name;
  }
  return '';
}

function systemName() {
  const ua = navigator.userAgent;
  for (const [re, name] of [
    [/Android/, 'Android'],
    [/iPhone|iPad|iPod/, 'iOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ]) {
    if (re.test(ua)) return name;
  }
  return '';
}

const session = new Session({
  http: new Http(),
  store: webStorageStore(sessionStorage, 'ferrochat.session'),
  deviceId: deviceId(),
});

export const setLoggedOutHandler = (fn) => {
  session.onEnded = fn;
};
/** The SDK's session itself, for the socket. */
export const sdkSession = session;

/** An authenticated call; a 1002 triggers one refresh and one retry. */
export const api = (method, path, body) => session.call(method, path, body);
export const get = (path) => session.get(path);
export const post = (path, body = {}) => session.post(path, body);
export const put = (path, body = {}) => session.put(path, body);
export const del = (path) => session.del(path);

/**
 * An authenticated GET of a download (`GET /api/v1/users/export`): its
 * body as text, read as it comes (`onProgress(bytes)` after each piece),
 * and the file name the server suggests.
 */
export const download = (path, onProgress) => session.download(path, onProgress);

/**
 * Runs `request(token)` with a fresh access token, for what the SDK's
 * calls do not cover (a file's bytes, a chunk sent with upload progress);
 * a 1002 refreshes and runs it once more. `request` throws an ApiError.
 */
export async function withToken(request) {
  await session.ensureFresh();
  const token = session.accessToken;
  if (!token) throw new ApiError(1002, 'not logged in');
  try {
    return await request(token);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 1002) throw e;
    return request(await session.refresh());
  }
}

/**
 * An authenticated GET of a file's bytes (`GET /api/v1/attachments/{id}`):
 * the Response, its body unread; an error envelope is thrown as an
 * ApiError. The token goes in the header (the only place the server takes
 * it for a download), so a page shows such a file through an object URL.
 */
export const fetchFile = (path, signal) =>
  withToken(async (token) => {
    let res;
    try {
      res = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', signal });
    } catch (e) {
      if (signal && signal.aborted) throw e;
      throw new ApiError(0, 'the server cannot be reached');
    }
    if (res.ok) return res;
    const env = await res.json().catch(() => null);
    throw new ApiError(env ? env.code : 1004, (env && env.message) || `HTTP ${res.status}`, res.status);
  });

export const register = (username, password, nickname) => session.register(username, password, nickname);
export const login = (username, password) => session.login(username, password);
/** Keeps the tokens an OpenID login's callback gave; resolves with the user. */
export const adoptTokens = (pair) => session.adoptTokens(pair);
/** The server's OpenID provider (`{ name }`); 1003 when it has none. */
export const oidcProvider = () => session.http.call('GET', '/api/v1/auth/oidc');
/** Sets a new password with an operator's reset token (no session needed). */
export const resetPassword = (token, newPassword) => session.resetPassword(token, newPassword);
/** Our profile as it is now (after a change): kept with the session. */
export const rememberUser = (user) => session.rememberUser(user);
/** Rotates the token pair; single-flight so a pair is never presented twice. */
export const refresh = () => session.refresh();
export const resume = () => session.resume();
export const logout = () => session.logout();
/** Deletes the account (the password confirms it); the session ends with it. */
export const deleteAccount = (password) => session.deleteAccount(password);
