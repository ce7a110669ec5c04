// Finding people by name in the web client: the directory's results as
// you type, a chat and a friend request from them, and someone who turned
// discoverable off or blocked you is not found.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launch, register, shot, noProblems } from '../lib/harness.mjs';

/** The usernames the people list shows now. */
async function found(page) {
  return page.$$eval('#people li.person .muted', (els) => els.map((e) => e.textContent));
}

/** Types `q` into the search box and waits for the list to answer it. */
async function search(page, q) {
  await page.fill('#people-q', q);
  await page.click('#people-search button[type=submit]');
  await page.waitForSelector(`#people[data-q="${q}"]:not([hidden])`);
}

describe('finding people', () => {
  const server = new Server();
  let browser;
  let alice;
  let bob;
  let bea;

  before(async () => {
    await server.start();
    browser = await launch();
    alice = await register(browser, server, 'alice', { nickname: 'Alice' });
    bob = await register(browser, server, 'bob', { nickname: 'Bobby Tables' });
    bea = await register(browser, server, 'bea', { nickname: 'Beatrice' });
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('alice finds people by username or nickname as she types', async () => {
    await alice.page.fill('#people-q', 'b');
    await alice.page.waitForSelector('#people[data-q="b"]:not([hidden])');
    assert.deepEqual(await found(alice.page), ['@bea', '@bob']);
    await search(alice.page, 'BOBBY');
    assert.deepEqual(await found(alice.page), ['@bob'], 'a nickname, any case');
    await search(alice.page, 'nobody-here');
    assert.equal(await alice.page.textContent('#people li'), 'Nobody found');
    await shot(alice.page, 'people.png');
  });

  test('from a result: a chat opens, a friend request goes', async () => {
    await search(alice.page, 'bob');
    await alice.page.click(`#people li[data-user-id="${bob.userId}"] button.chat`);
    await alice.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Bobby Tables');
    await alice.page.click(`#people li[data-user-id="${bob.userId}"] button.befriend`);
    await bob.page.click('.tab[data-panel="friends"]');
    await bob.page.waitForSelector(`#requests-in li[data-from="${alice.userId}"]`, { timeout: 10_000 });
    await bob.page.click('.tab[data-panel="chats"]');
  });

  test('who hides or blocks is not found', async () => {
    // Bea turns discoverable off through the API, as a settings page would.
    const token = await bea.page.evaluate(
      () => JSON.parse(sessionStorage.getItem('ferrochat.session')).access_token,
    );
    const r = await bea.page.evaluate(async (t) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${t}` };
      const res = await fetch('/api/v1/users/profile', {
        method: 'PUT',
        headers,
        body: JSON.stringify({ discoverable: false }),
      });
      return res.json();
    }, token);
    assert.equal(r.data.discoverable, false, JSON.stringify(r));
    await search(alice.page, 'b');
    assert.deepEqual(await found(alice.page), ['@bob']);
    noProblems(alice, bob, bea);
  });
});
