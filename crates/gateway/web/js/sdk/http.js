// The HTTP half of the contract: every answer is an envelope
// (`{"code":0,"message":"ok","data":…}`); `data` is returned, any other
// code is thrown as an ApiError with the envelope's code and the wait it
// asks for (`retry_after_ms`, or the `Retry-After` header).
import { ApiError } from './errors.js';
export class Http {
    baseUrl;
    fetchFn;
    timeoutMs;
    constructor({ baseUrl = '', fetch: fetchFn, timeoutMs = 30_000 } = {}) {
        this.baseUrl = baseUrl.replace(/\/+$/, '');
        this.timeoutMs = timeoutMs;
        // Bound: a browser's fetch called as a method of another object throws.
        this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
    }
    /** One request; resolves with the envelope's `data`, or throws an ApiError. */
    async call(method, path, body, token) {
        const headers = {};
        if (body !== undefined)
            headers['Content-Type'] = 'application/json';
        const res = await this.send(path, {
            method,
            headers: withToken(headers, token),
            body: body === undefined ? undefined : JSON.stringify(body),
            // A server that stopped answering must not hold the caller (a dial
            // waiting on a refresh) forever.
            signal: AbortSignal.timeout(this.timeoutMs),
        });
        let env = null;
        try {
            env = (await res.json());
        }
        catch {
            throw new ApiError(1004, `unexpected answer (HTTP ${res.status})`, res.status);
        }
        if (!env || env.code !== 0)
            throw refusal(env, res);
        return env.data;
    }
    /**
     * A GET of a download (`GET /api/v1/users/export`): its body as text,
     * read as it comes (`onProgress(bytes)` after each piece), and the file
     * name the server suggests. An error envelope is thrown as for any
     * call; a body that stops midway is returned as far as it came (the
     * caller finds it does not parse).
     */
    async download(path, token, onProgress = () => { }) {
        const res = await this.send(path, { headers: withToken({}, token) });
        if (!res.ok)
            throw refusal((await res.json().catch(() => null)), res);
        const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
        const parts = [];
        let bytes = 0;
        const decoder = new TextDecoder();
        const reader = res.body?.getReader();
        try {
            for (;;) {
                if (!reader)
                    break;
                const { done, value } = await reader.read();
                if (done)
                    break;
                bytes += value.length;
                parts.push(decoder.decode(value, { stream: true }));
                onProgress(bytes);
            }
        }
        catch {
            // Cut off: what came is returned, and does not parse.
        }
        parts.push(decoder.decode());
        return { text: parts.join(''), filename: name?.[1] ?? '' };
    }
    async send(path, init) {
        try {
            return await this.fetchFn(this.baseUrl + path, { ...init, cache: 'no-store' });
        }
        catch {
            throw new ApiError(0, 'the server cannot be reached');
        }
    }
}
function withToken(headers, token) {
    if (token)
        headers.Authorization = `Bearer ${token}`;
    return headers;
}
/** The error an error envelope (or none) says, with the wait it asks for. */
function refusal(env, res) {
    const wait = env && Number.isFinite(env.retry_after_ms) ? Number(env.retry_after_ms) : retryAfterHeader(res);
    return new ApiError(env ? env.code : 1004, env?.message || `HTTP ${res.status}`, res.status, wait);
}
function retryAfterHeader(res) {
    const secs = Number(res.headers.get('Retry-After'));
    return Number.isFinite(secs) && secs > 0 ? secs * 1000 : 0;
}
