// Compiled (not run) by `npm test` (tsconfig.test.json): the typed calls
// take what the OpenAPI document says and refuse what it does not.

import type { Session } from '../src/session.js';
import type { Body, Data, PathsFor, ServerFrame } from '../src/types.js';

declare const s: Session;
export const profile: Promise<{ username: string }> = s.request('get', '/api/v1/users/{id}', { params: { id: 'x' } });
export const login: Body<'/api/v1/auth/login', 'post'> = { username: 'a', password: 'b', device_id: 'd' };
export const list: Data<'/api/v1/conversations', 'get'> = { conversations: [] };
export const pair: Data<'/api/v1/auth/refresh', 'post'> = {
  access_token: '',
  refresh_token: '',
  token_type: 'Bearer',
  expires_in: 900,
};
// @ts-expect-error login is a POST route only
export const notGet: PathsFor<'get'> = '/api/v1/auth/login';
// @ts-expect-error the path parameter is `id`
s.request('get', '/api/v1/users/{id}', { params: { nope: 'x' } });
// @ts-expect-error a refresh answers a token pair, not a string
export const notPair: Data<'/api/v1/auth/refresh', 'post'> = 'x';

/** Server frames narrow by `type`. */
export function seqOf(f: ServerFrame): number | undefined {
  if (f.type === 'new-message') return f.data?.seq;
  // @ts-expect-error a pong has no seq
  if (f.type === 'pong') return f.data.seq;
  return undefined;
}
