// The HTTP half of the contract: envelopes, tokens, refresh.
//
// Tokens live in sessionStorage (one login per tab, gone when the tab
// closes). The access token is refreshed at 80% of its life, and once more
// on demand if a call is answered 1002; a refresh answered 1002 means the
// session is over: ended here (logout), from another device, by a password
// change elsewhere, or with the account. The logged-out handler is told
// which: `logout`, `deleted` or `ended` (by someone else).

const KEY = 'ferrochat.session';

export class ApiError extends Error {
  constructor(code, message, status = 0, retryAfterMs = 0) {
    super(message);
    this.code = code;
    this.status = status;
    /** How long the server asked to wait (1007), in ms; 0 when it did not say. */
    this.retryAfterMs = retryAfterMs;
  }
}

let session = load();
let refreshTimer = 0;
let refreshing = null;
let onLoggedOut = () => {};
/** Why the session is about to end, when this tab is ending it itself. */
let leaving = null;

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

function save(s) {
  session = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export function currentSession() {
  return session;
}

export function accessToken() {
  return session && session.access_token;
}

export function setLoggedOutHandler(fn) {
  onLoggedOut = fn;
}

/**
 * This tab's name for itself at login, as "Your devices" lists it:
 * browser and system, then a random part so that two tabs differ
 * (`web-Firefox-Linux-1a2b3c4d`; printable ASCII without spaces).
 */
function deviceId() {
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

async function raw(method, path, body, token) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'the server cannot be reached');
  }
  let env = null;
  try {
    env = await res.json();
  } catch {
    throw new ApiError(1004, `unexpected answer (HTTP ${res.status})`, res.status);
  }
  if (!env || env.code !== 0) throw refusal(env, res);
  return env.data;
}

/** The error an error envelope (or none) says, with the wait it asks for. */
function refusal(env, res) {
  const wait = env && Number.isFinite(env.retry_after_ms) ? env.retry_after_ms : retryAfterHeader(res);
  return new ApiError(env ? env.code : 1004, (env && env.message) || `HTTP ${res.status}`, res.status, wait);
}

function retryAfterHeader(res) {
  const secs = Number(res.headers.get('Retry-After'));
  return Number.isFinite(secs) && secs > 0 ? secs * 1000 : 0;
}

/** An authenticated call; a 1002 triggers one refresh and one retry. */
export async function api(method, path, body) {
  return authed((token) => raw(method, path, body, token));
}

/** Runs `call` with the access token; a 1002 triggers one refresh and one retry. */
async function authed(call) {
  if (!session) throw new ApiError(1002, 'not logged in');
  try {
    return await call(session.access_token);
  } catch (e) {
    if (e.code !== 1002) throw e;
    await refresh();
    return call(session.access_token);
  }
}

/**
 * An authenticated GET of a download (`GET /api/v1/users/export`): its
 * body as text, read as it comes (`onProgress(bytes)` after each piece),
 * and the file name the server suggests. An error envelope is thrown as
 * for any call; a body that stops midway is returned as far as it came
 * (the caller finds it does not parse).
 */
export function download(path, onProgress = () => {}) {
  return authed(async (token) => {
    let res;
    try {
      res = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'the server cannot be reached');
    }
    if (!res.ok) throw refusal(await res.json().catch(() => null), res);
    const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
    const parts = [];
    let bytes = 0;
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        parts.push(decoder.decode(value, { stream: true }));
        onProgress(bytes);
      }
    } catch {
      // Cut off: what came is returned, and does not parse.
    }
    parts.push(decoder.decode());
    return { text: parts.join(''), filename: name ? name[1] : '' };
  });
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const put = (path, body = {}) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

export async function register(username, password, nickname) {
  const body = { username, password };
  if (nickname) body.nickname = nickname;
  return raw('POST', '/api/v1/users/register', body);
}

export async function login(username, password) {
  const data = await raw('POST', '/api/v1/auth/login', {
    username,
    password,
    device_id: deviceId(),
  });
  adopt(data, data.user);
  return data.user;
}

/** Sets a new password with an operator's reset token (no session needed). */
export function resetPassword(token, newPassword) {
  return raw('POST', '/api/v1/auth/password/reset', { token, new_password: newPassword });
}

/** Our profile as it is now (after a change): kept with the session. */
export function rememberUser(user) {
  if (session) save({ ...session, user });
}

function adopt(pair, user) {
  save({
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    expires_at: Date.now() + pair.expires_in * 1000,
    lifetime: pair.expires_in * 1000,
    user: user || (session && session.user),
  });
  schedule();
}

function schedule() {
  clearTimeout(refreshTimer);
  if (!session) return;
  const left = session.expires_at - Date.now();
  const early = Math.min(session.lifetime * 0.2, 60_000);
  const wait = Math.max(1000, left - early);
  refreshTimer = setTimeout(() => {
    refresh().catch(() => {});
  }, wait);
}

/** Rotates the token pair; single-flight so a pair is never presented twice. */
export function refresh() {
  if (refreshing) return refreshing;
  const presented = session && session.refresh_token;
  if (!presented) return Promise.reject(new ApiError(1002, 'not logged in'));
  refreshing = raw('POST', '/api/v1/auth/refresh', { refresh_token: presented })
    .then((pair) => {
      adopt(pair);
      return session.access_token;
    })
    .catch((e) => {
      if (e.code === 1002) {
        endSession('ended');
      } else {
        // The server is away: try again soon, the access token may still work.
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => refresh().catch(() => {}), 5000);
      }
      throw e;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** Refreshes first if the access token has less than `margin` ms to live. */
export async function ensureFresh(margin = 30_000) {
  if (session && session.expires_at - Date.now() < margin) await refresh();
}

export function resume() {
  if (session) schedule();
  return session;
}

/**
 * Whether the session still works, asked with a cheap call: a 1002 there
 * refreshes, and a refresh refused ends the session (the handler is told).
 * Other failures (the server is away) say nothing.
 */
export async function checkSession() {
  if (!session) return false;
  try {
    await api('GET', '/api/v1/users/profile');
  } catch (e) {
    if (e.code === 1002) return false;
  }
  return !!session;
}

/** Forgets the tokens and tells the handler why, once. */
function endSession(reason) {
  clearTimeout(refreshTimer);
  const had = !!session;
  save(null);
  const why = leaving || reason;
  leaving = null;
  if (had) onLoggedOut(why);
}

/**
 * A request that ends this session on the server (logout, deleting the
 * account). The server closes our socket with 4001 meanwhile, and that
 * close may come first: the session then ends for `reason`, not as if
 * ended elsewhere.
 */
async function ending(reason, request) {
  leaving = reason;
  try {
    return await request();
  } finally {
    if (leaving === reason) leaving = null;
  }
}

export async function logout() {
  await ending('logout', async () => {
    try {
      if (session) await raw('POST', '/api/v1/auth/logout', {}, session.access_token);
    } catch {
      // Gone already, or the server is away: forget the tokens regardless.
    }
    endSession('logout');
  });
}

/** Deletes the account (the password confirms it); the session ends with it. */
export async function deleteAccount(password) {
  await ending('deleted', async () => {
    await post('/api/v1/users/delete', { password });
    endSession('deleted');
  });
}
