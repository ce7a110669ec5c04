// Sessions: a short-lived access token is refreshed before it expires
// (the socket and HTTP keep working), a reload keeps the session, and
// logout ends it on the server, not only in the page.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server,
  launch,
  register,
  send,
  startChat,
  waitForMessage,
  waitForStatus,
  noProblems,
  PASSWORD,
} from '../lib/harness.mjs';

const tokens = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('ferrochat.session')));

describe('sessions', () => {
  // Access tokens live 3 s here, so the client must refresh them often.
  const server = new Server({ env: { FERROCHAT_AUTH__ACCESS_TTL: '3s' } });
  let browser;
  let alice;
  let bob;

  before(async () => {
    await server.start();
    browser = await launch();
    alice = await register(browser, server, 'alice', { nickname: 'Alice' });
    bob = await register(browser, server, 'bob', { nickname: 'Bob' });
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('the access token is rotated before it expires, and keeps working', async () => {
    const first = await tokens(alice.page);
    await alice.page.waitForFunction(
      (old) => {
        const s = JSON.parse(sessionStorage.getItem('ferrochat.session'));
        return s && s.refresh_token !== old;
      },
      first.refresh_token,
    );
    const second = await tokens(alice.page);
    await alice.page.waitForFunction(
      (old) => JSON.parse(sessionStorage.getItem('ferrochat.session'))?.refresh_token !== old,
      second.refresh_token,
    );
    // Several lifetimes later, HTTP (opening a chat) and the socket still work.
    await startChat(alice.page, bob.userId, 'Bob');
    await send(alice.page, 'still logged in');
    await waitForStatus(alice.page, 'still logged in', ['sent', 'read']);
    // A reconnect dials with a fresh token, not the first one.
    await server.restart();
    await alice.page.click('#banner-retry').catch(() => {});
    await alice.page.waitForSelector('#banner', { state: 'hidden' });
    await send(alice.page, 'and after a reconnect');
    await waitForStatus(alice.page, 'and after a reconnect', ['sent', 'read']);
  });

  test('a reload keeps the session', async () => {
    await alice.page.reload();
    await alice.page.waitForSelector('#app:not([hidden])');
    await alice.page.waitForSelector('.conversation[data-conversation-id="world"]');
  });

  test('logout ends the session on the server', async () => {
    const before = await tokens(bob.page);
    await bob.page.click('#logout');
    await bob.page.waitForSelector('#auth:not([hidden])');
    assert.equal(await tokens(bob.page), null, 'tokens are forgotten');
    const res = await bob.page.evaluate(async (t) => {
      const r = await fetch('/api/v1/users/profile', { headers: { Authorization: `Bearer ${t}` } });
      return (await r.json()).code;
    }, before.access_token);
    assert.equal(res, 1002, 'the old access token is refused');
    // And logging in again works.
    await bob.page.click('#tab-login');
    await bob.page.fill('#auth-username', 'bob');
    await bob.page.fill('#auth-password', PASSWORD);
    await bob.page.click('#auth-submit');
    await bob.page.waitForSelector('#app:not([hidden])');
    await bob.page.locator('.conversation', { hasText: 'Alice' }).first().click();
    await waitForMessage(bob.page, 'and after a reconnect');
    noProblems(alice, bob);
  });

  test('a wrong password is refused with a message', async () => {
    await bob.page.click('#logout');
    await bob.page.waitForSelector('#auth:not([hidden])');
    await bob.page.fill('#auth-username', 'bob');
    await bob.page.fill('#auth-password', 'not the password');
    await bob.page.click('#auth-submit');
    await bob.page.waitForSelector('#auth-error:not([hidden])');
    assert.match(await bob.page.textContent('#auth-error'), /invalid username or password/);
  });
});
