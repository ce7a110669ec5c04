// The session against a real server: register, login, the contract's
// errors as ApiError with their code, token refresh (before expiry and on
// a 1002), and the ways a session ends (logout here, ended elsewhere).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, Http, Session } from '../dist/index.js';
import { Server, PASSWORD, client, user, until } from './support.mjs';

describe('session', () => {
  // Access tokens live 3 s: refreshes happen within a test's time.
  const server = new Server({ env: { FERROCHAT_AUTH__ACCESS_TTL: '3s' } });
  before(() => server.start());
  after(() => server.stop());

  /** A raw call with a given token, bypassing any session. */
  const raw = (method, path, body, token) => new Http({ baseUrl: server.url }).call(method, path, body, token);

  test('register then login: the user and a token pair, and authenticated calls work', async () => {
    const c = client(server);
    const name = `reg_${Date.now()}`;
    const registered = await c.register(name, PASSWORD, 'Regina');
    assert.equal(registered.username, name);
    assert.equal(registered.nickname, 'Regina');
    const me = await c.login(name, PASSWORD);
    assert.equal(me.user_id, registered.user_id);
    assert.equal(c.session.user.user_id, registered.user_id);
    assert.ok(c.session.accessToken);
    // Typed call: the path's parameter filled in, the envelope's data returned.
    const profile = await c.session.request('get', '/api/v1/users/{id}', { params: { id: me.user_id } });
    assert.equal(profile.username, name);
    c.close();
  });

  test('a token pair opened elsewhere (an OpenID login) is adopted and kept fresh', async () => {
    const name = `adopt_${Date.now()}`;
    const other = client(server);
    await other.register(name, PASSWORD);
    await other.login(name, PASSWORD);
    const pair = {
      access_token: other.session.tokens.access_token,
      refresh_token: other.session.tokens.refresh_token,
      token_type: 'Bearer',
      expires_in: 3,
    };
    other.close();
    const c = client(server);
    await assert.rejects(c.session.adoptTokens({ ...pair, access_token: 'not-a-token' }), { code: 1002 });
    assert.equal(c.session.tokens, null);
    const me = await c.session.adoptTokens(pair);
    assert.equal(me.username, name);
    assert.equal(c.session.user.username, name);
    // Refreshed before it expires, as a login's pair is.
    await until('a refresh', () => c.session.tokens.refresh_token !== pair.refresh_token, 10_000);
    assert.equal((await c.session.get('/api/v1/users/profile')).username, name);
    c.close();
  });

  test("errors are ApiErrors with the contract's code, status and message", async () => {
    const c = client(server);
    const name = `dup_${Date.now()}`;
    await c.register(name, PASSWORD);
    await assert.rejects(c.register(name, PASSWORD), (e) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 1006);
      assert.equal(e.status, 409);
      assert.match(e.message, /already taken/);
      return true;
    });
    await assert.rejects(c.login(name, 'not the password'), { name: 'ApiError', code: 1002, status: 401 });
    await assert.rejects(c.register('x', PASSWORD), { code: 1001, status: 400, message: /username/ });
    await c.login(name, PASSWORD);
    await assert.rejects(c.session.get('/api/v1/users/not-an-id-at-all'), (e) => e.code === 1001 || e.code === 1003);
    c.close();
    // Nobody listening: code 0, no status.
    const gone = new Http({ baseUrl: 'http://127.0.0.1:9' });
    await assert.rejects(gone.call('GET', '/health'), { code: 0, status: 0 });
  });

  test('the token pair is rotated before the access token expires', async () => {
    const c = await user(server, 'early');
    const refreshed = [];
    c.session.onRefreshed((token) => refreshed.push(token));
    const first = c.session.tokens;
    await until('a refresh', () => refreshed.length >= 1, 6000);
    assert.notEqual(c.session.tokens.refresh_token, first.refresh_token);
    assert.equal(c.session.accessToken, refreshed[0]);
    // The rotated refresh token no longer works; the new access token does.
    await assert.rejects(raw('POST', '/api/v1/auth/refresh', { refresh_token: first.refresh_token }), { code: 1002 });
    // Presenting the rotated token revoked the whole session (the server's
    // reuse detection): the client's next call finds it over.
    await assert.rejects(c.session.get('/api/v1/users/profile'), { code: 1002 });
    assert.deepEqual(c.seen.ended, ['ended']);
    assert.equal(c.session.tokens, null);
  });

  test('an access token that expired is refreshed on its 1002, and the call retried', async () => {
    const c = await user(server, 'late');
    c.session.pause(); // no refresh ahead of time
    const before = c.session.accessToken;
    await sleep(4000);
    await assert.rejects(raw('GET', '/api/v1/users/profile', undefined, before), { code: 1002 });
    const profile = await c.session.get('/api/v1/users/profile');
    assert.equal(profile.user_id, c.userId);
    assert.notEqual(c.session.accessToken, before);
    assert.deepEqual(c.seen.ended, []);
    c.close();
  });

  test('logout ends the session on the server and tells the handler once', async () => {
    const c = await user(server, 'leaver');
    const token = c.session.accessToken;
    const refreshToken = c.session.tokens.refresh_token;
    await c.logout();
    assert.deepEqual(c.seen.ended, ['logout']);
    assert.equal(c.session.tokens, null);
    await assert.rejects(raw('GET', '/api/v1/users/profile', undefined, token), { code: 1002 });
    await assert.rejects(raw('POST', '/api/v1/auth/refresh', { refresh_token: refreshToken }), { code: 1002 });
    await assert.rejects(c.session.get('/api/v1/users/profile'), { code: 1002, message: /not logged in/ });
  });

  test('a session ended from another device ends here as `ended`', async () => {
    const phone = await user(server, 'twodev');
    const laptop = client(server);
    await laptop.login(phone.username, PASSWORD);
    const { sessions } = await laptop.session.get('/api/v1/auth/sessions');
    const other = sessions.find((s) => !s.current);
    assert.ok(other, 'the phone session is listed');
    await laptop.session.request('delete', '/api/v1/auth/sessions/{session_id}', {
      params: { session_id: other.session_id },
    });
    await assert.rejects(phone.session.get('/api/v1/users/profile'), { code: 1002 });
    assert.deepEqual(phone.seen.ended, ['ended']);
    assert.deepEqual(laptop.seen.ended, []);
    laptop.close();
  });

  test('a stored session resumes in a new Session over the same store', async () => {
    const c = await user(server, 'resumer');
    const kept = c.session.tokens;
    c.close();
    const store = { load: () => kept, save: () => {} };
    const again = new Session({ http: new Http({ baseUrl: server.url }), store });
    assert.equal(again.resume().user.user_id, c.userId);
    const profile = await again.get('/api/v1/users/profile');
    assert.equal(profile.user_id, c.userId);
    again.pause();
  });
});
