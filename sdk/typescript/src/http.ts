// The HTTP half of the contract: every answer is an envelope
// (`{"code":0,"message":"ok","data":…}`); `data` is returned, any other
// code is thrown as an ApiError with the envelope's code and the wait it
// asks for (`retry_after_ms`, or the `Retry-After` header).

import { ApiError } from './errors.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpOptions {
  /** Where the server is (`https://chat.example.com`); `''` for the page's own origin. */
  baseUrl?: string;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** How long a call may take before it fails as unreachable (not a download), in ms. */
  timeoutMs?: number;
}

interface Envelope {
  code: number;
  message?: string;
  data?: unknown;
  retry_after_ms?: number;
}

/** A download's body and the file name the server suggests. */
export interface Download {
  text: string;
  filename: string;
}

export class Http {
  readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor({ baseUrl = '', fetch: fetchFn, timeoutMs = 30_000 }: HttpOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
    // Bound: a browser's fetch called as a method of another object throws.
    this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** One request; resolves with the envelope's `data`, or throws an ApiError. */
  async call(method: Method, path: string, body?: unknown, token?: string): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.send(path, {
      method,
      headers: withToken(headers, token),
      body: body === undefined ? undefined : JSON.stringify(body),
      // A server that stopped answering must not hold the caller (a dial
      // waiting on a refresh) forever.
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    let env: Envelope | null = null;
    try {
      env = (await res.json()) as Envelope;
    } catch {
      throw new ApiError(1004, `unexpected answer (HTTP ${res.status})`, res.status);
    }
    if (!env || env.code !== 0) throw refusal(env, res);
    return env.data;
  }

  /**
   * A GET of a download (`GET /api/v1/users/export`): its body as text,
   * read as it comes (`onProgress(bytes)` after each piece), and the file
   * name the server suggests. An error envelope is thrown as for any
   * call; a body that stops midway is returned as far as it came (the
   * caller finds it does not parse).
   */
  async download(path: string, token: string, onProgress: (bytes: number) => void = () => {}): Promise<Download> {
    const res = await this.send(path, { headers: withToken({}, token) });
    if (!res.ok) throw refusal((await res.json().catch(() => null)) as Envelope | null, res);
    const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
    const parts: string[] = [];
    let bytes = 0;
    const decoder = new TextDecoder();
    const reader = res.body?.getReader();
    try {
      for (;;) {
        if (!reader) break;
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
    return { text: parts.join(''), filename: name?.[1] ?? '' };
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchFn(this.baseUrl + path, { ...init, cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'the server cannot be reached');
    }
  }
}

function withToken(headers: Record<string, string>, token?: string): Record<string, string> {
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/** The error an error envelope (or none) says, with the wait it asks for. */
function refusal(env: Envelope | null, res: Response): ApiError {
  const wait = env && Number.isFinite(env.retry_after_ms) ? Number(env.retry_after_ms) : retryAfterHeader(res);
  return new ApiError(env ? env.code : 1004, env?.message || `HTTP ${res.status}`, res.status, wait);
}

function retryAfterHeader(res: Response): number {
  const secs = Number(res.headers.get('Retry-After'));
  return Number.isFinite(secs) && secs > 0 ? secs * 1000 : 0;
}
