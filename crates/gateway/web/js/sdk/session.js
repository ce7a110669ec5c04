// A logged-in session: its tokens, kept fresh, and the authenticated calls.
//
// The access token is refreshed at 80% of its life (at most a minute
// early, and a second earlier still), and once more on demand when a call is answered 1002; a refresh
// answered 1002 means the session is over: ended here (logout), from
// another device, by a password change elsewhere, or with the account. The
// `onEnded` handler is told which: `logout`, `deleted` or `ended` (by
// someone else). Refreshes are single-flight: a refresh token is never
// presented twice (the server revokes the whole session if it is).
import { ApiError, ErrorCode } from './errors.js';
import { memoryStore } from './store.js';
/**
 * A token expires at a whole second (a JWT's `exp`) and `expires_in` is
 * whole seconds, so it may expire up to a second before `expires_in` says.
 */
const EXPIRY_SLACK_MS = 1000;
/** How long to wait before trying a refresh again when the server was away. */
const REFRESH_RETRY_MS = 5000;
export class Session {
    http;
    /** Told once when the session ends, and why. */
    onEnded;
    store;
    deviceId;
    current;
    refreshTimer;
    refreshing = null;
    /** Why the session is about to end, when this client is ending it itself. */
    leaving = null;
    refreshed = new Set();
    constructor({ http, store = memoryStore(), deviceId, onEnded = () => { } }) {
        this.http = http;
        this.store = store;
        this.deviceId = deviceId;
        this.onEnded = onEnded;
        this.current = store.load();
    }
    /** The session as kept (tokens, expiry, user), or null when logged out. */
    get tokens() {
        return this.current;
    }
    get user() {
        return this.current?.user ?? null;
    }
    get accessToken() {
        return this.current?.access_token ?? null;
    }
    /** Calls `fn` after each refresh with the new access token; returns a function that stops it. */
    onRefreshed(fn) {
        this.refreshed.add(fn);
        return () => this.refreshed.delete(fn);
    }
    /** Creates an account (no session needed, none started). */
    register(username, password, nickname) {
        const body = { username, password };
        if (nickname)
            body.nickname = nickname;
        return this.http.call('POST', '/api/v1/users/register', body);
    }
    /** Logs in and keeps the session; resolves with the user. */
    async login(username, password) {
        const body = { username, password };
        if (this.deviceId)
            body.device_id = this.deviceId;
        const data = (await this.http.call('POST', '/api/v1/auth/login', body));
        this.adopt(data, data.user);
        return data.user;
    }
    /**
     * Keeps a token pair a login elsewhere opened (an OpenID login: the
     * callback's fragment, `access_token`, `refresh_token`, `expires_in`),
     * reads whose it is and keeps that too; resolves with the user. A pair
     * the server refuses leaves no session.
     */
    async adoptTokens(pair) {
        const user = (await this.http.call('GET', '/api/v1/users/profile', undefined, pair.access_token));
        this.adopt(pair, user);
        return user;
    }
    /** Sets a new password with an operator's reset token (no session needed). */
    resetPassword(token, newPassword) {
        return this.http.call('POST', '/api/v1/auth/password/reset', { token, new_password: newPassword });
    }
    /** Our profile as it is now (after a change): kept with the session. */
    rememberUser(user) {
        if (this.current)
            this.save({ ...this.current, user });
    }
    /** Starts keeping a stored session fresh (after a page load); returns it. */
    resume() {
        if (this.current)
            this.schedule();
        return this.current;
    }
    /** Rotates the token pair; resolves with the new access token. */
    refresh() {
        if (this.refreshing)
            return this.refreshing;
        const presented = this.current?.refresh_token;
        if (!presented)
            return Promise.reject(new ApiError(ErrorCode.Unauthorized, 'not logged in'));
        this.refreshing = this.http.call('POST', '/api/v1/auth/refresh', { refresh_token: presented })
            .then((pair) => {
            this.adopt(pair);
            for (const fn of this.refreshed)
                fn(pair.access_token, pair.expires_in);
            return pair.access_token;
        })
            .catch((e) => {
            if (e instanceof ApiError && e.code === ErrorCode.Unauthorized) {
                this.end('ended');
            }
            else {
                // The server is away: try again soon, the access token may still work.
                this.arm(REFRESH_RETRY_MS);
            }
            throw e;
        })
            .finally(() => {
            this.refreshing = null;
        });
        return this.refreshing;
    }
    /**
     * Refreshes first if the access token has less than `marginMs` to live
     * (by default 30 s, or a fifth of its life if shorter, plus a second).
     */
    async ensureFresh(marginMs) {
        if (!this.current)
            return;
        const margin = marginMs ?? Math.min(30_000, this.current.lifetime * 0.2) + EXPIRY_SLACK_MS;
        if (this.current.expires_at - Date.now() < margin)
            await this.refresh();
    }
    /**
     * Whether the session still works, asked with a cheap call: a 1002 there
     * refreshes, and a refresh refused ends the session (the handler is
     * told). Other failures (the server is away) say nothing.
     */
    async check() {
        if (!this.current)
            return false;
        try {
            await this.call('GET', '/api/v1/users/profile');
        }
        catch (e) {
            if (e instanceof ApiError && e.code === ErrorCode.Unauthorized)
                return false;
        }
        return !!this.current;
    }
    /** An authenticated call with the stored token; a 1002 triggers one refresh and one retry. */
    call(method, path, body) {
        return this.authed((token) => this.http.call(method, path, body, token));
    }
    /**
     * A typed authenticated call: `path` is a route of the OpenAPI document
     * (`/api/v1/users/{id}`), its `{…}` parameters filled from `params`, the
     * body and the answer's `data` typed from the document.
     */
    request(method, path, init = {}) {
        const { params, query, body } = init;
        return this.call(method.toUpperCase(), fill(path, params, query), body);
    }
    /** An authenticated GET; resolves with `data`. */
    get(path) {
        return this.call('GET', path);
    }
    post(path, body = {}) {
        return this.call('POST', path, body);
    }
    put(path, body = {}) {
        return this.call('PUT', path, body);
    }
    del(path) {
        return this.call('DELETE', path);
    }
    /** An authenticated download (see Http.download); a 1002 refreshes and retries once. */
    download(path, onProgress) {
        return this.authed((token) => this.http.download(path, token, onProgress));
    }
    /** Ends this session on the server and forgets it (also when the server is away). */
    async logout() {
        await this.ending('logout', async () => {
            try {
                if (this.current)
                    await this.http.call('POST', '/api/v1/auth/logout', {}, this.current.access_token);
            }
            catch {
                // Gone already, or the server is away: forget the tokens regardless.
            }
            this.end('logout');
        });
    }
    /** Deletes the account (the password confirms it); the session ends with it. */
    async deleteAccount(password) {
        await this.ending('deleted', async () => {
            await this.call('POST', '/api/v1/users/delete', { password });
            this.end('deleted');
        });
    }
    /** Stops the refresh timer (the tokens stay stored); `resume` starts it again. */
    pause() {
        clearTimeout(this.refreshTimer);
    }
    async authed(call) {
        if (!this.current)
            throw new ApiError(ErrorCode.Unauthorized, 'not logged in');
        try {
            return await call(this.current.access_token);
        }
        catch (e) {
            if (!(e instanceof ApiError) || e.code !== ErrorCode.Unauthorized)
                throw e;
            await this.refresh();
            if (!this.current)
                throw e;
            return call(this.current.access_token);
        }
    }
    adopt(pair, user) {
        this.save({
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            expires_at: Date.now() + pair.expires_in * 1000,
            lifetime: pair.expires_in * 1000,
            user: user ?? this.current?.user ?? null,
        });
        this.schedule();
    }
    save(s) {
        this.current = s;
        this.store.save(s);
    }
    /** The next refresh: at 80% of the token's life (at most a minute early), a second earlier still. */
    schedule() {
        if (!this.current)
            return;
        const left = this.current.expires_at - Date.now();
        const early = Math.min(this.current.lifetime * 0.2, 60_000) + EXPIRY_SLACK_MS;
        this.arm(Math.max(1000, left - early));
    }
    arm(ms) {
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => {
            this.refresh().catch(() => { });
        }, ms);
        // In node, a pending refresh does not keep the process alive.
        this.refreshTimer.unref?.();
    }
    /** Forgets the tokens and tells the handler why, once. */
    end(reason) {
        clearTimeout(this.refreshTimer);
        const had = !!this.current;
        this.save(null);
        const why = this.leaving ?? reason;
        this.leaving = null;
        if (had)
            this.onEnded(why);
    }
    /**
     * A request that ends this session on the server (logout, deleting the
     * account). The server closes our sockets with 4001 meanwhile, and that
     * close may come first: the session then ends for `reason`, not as if
     * ended elsewhere.
     */
    async ending(reason, request) {
        this.leaving = reason;
        try {
            await request();
        }
        finally {
            if (this.leaving === reason)
                this.leaving = null;
        }
    }
}
/** `/api/v1/users/{id}` with `{id: "01a2…"}` and a query: the path to call. */
function fill(path, params = {}, query = {}) {
    const filled = path.replace(/\{([^}]+)\}/g, (_, name) => {
        const value = params[name];
        if (value === undefined)
            throw new ApiError(ErrorCode.InvalidParams, `${name}: is required`);
        return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
        if (v !== undefined && v !== null)
            search.set(k, String(v));
    const qs = search.toString();
    return qs ? `${filled}?${qs}` : filled;
}
