// The server dies mid-conversation and comes back on the same data: the
// clients show they are offline, keep what was typed meanwhile, reconnect,
// catch up with `sync`, and end with every message exactly once.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server,
  launch,
  register,
  shot,
  send,
  startChat,
  openByName,
  waitForMessage,
  waitForStatus,
  messageTexts,
  noProblems,
} from '../lib/harness.mjs';

describe('a server restart mid-conversation', () => {
  const server = new Server();
  let browser;
  let alice;
  let bob;
  const said = [];

  const say = async (who, text) => {
    await send(who.page, text);
    said.push(text);
  };

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

  test('they chat before the crash', async () => {
    await startChat(alice.page, bob.userId, 'Bob');
    await say(alice, 'one');
    await waitForStatus(alice.page, 'one', 'sent');
    await openByName(bob.page, 'Alice');
    await waitForMessage(bob.page, 'one');
    await say(bob, 'two');
    await waitForMessage(alice.page, 'two');
    await say(alice, 'three');
    await waitForMessage(bob.page, 'three');
  });

  test('the server is killed: both go offline; a message waits', async () => {
    await server.kill();
    for (const c of [alice, bob]) await c.page.waitForSelector('#banner:not([hidden])');
    await say(alice, 'typed while the server was down');
    await waitForStatus(alice.page, 'typed while the server was down', 'pending');
    await shot(alice.page, 'offline.png');
  });

  test('it restarts: clients reconnect, the waiting message goes out once', async () => {
    await server.restart();
    for (const c of [alice, bob]) {
      // Skip the rest of the backoff wait; the automatic retry would do too.
      await c.page.click('#banner-retry').catch(() => {});
      await c.page.waitForSelector('#banner', { state: 'hidden' });
    }
    await waitForMessage(bob.page, 'typed while the server was down');
    await waitForStatus(alice.page, 'typed while the server was down', 'read');
    await say(bob, 'four, after the restart');
    await waitForMessage(alice.page, 'four, after the restart');
    for (const c of [alice, bob]) assert.deepEqual(await messageTexts(c.page), said, c.username);
  });

  test('a second crash right after a send loses and duplicates nothing', async () => {
    // Sent, then the server dies at once: the ack may or may not have made
    // it. The client re-sends with the same client_msg_id after reconnect;
    // the server answers with the original ack.
    await say(bob, 'five, racing the crash');
    await server.restart();
    for (const c of [alice, bob]) {
      await c.page.click('#banner-retry').catch(() => {});
      await c.page.waitForSelector('#banner', { state: 'hidden' });
    }
    // Acknowledged, whichever way. (Not necessarily "read": receipts are
    // live only, and alice may read it before bob is back online.)
    await waitForStatus(bob.page, 'five, racing the crash', ['sent', 'read']);
    await waitForMessage(alice.page, 'five, racing the crash');
    await say(alice, 'six');
    await waitForMessage(bob.page, 'six');
    for (const c of [alice, bob]) assert.deepEqual(await messageTexts(c.page), said, c.username);
  });

  test('messages sent while one client is away arrive through sync', async () => {
    // Keep bob from reconnecting (his browser is offline) while the
    // server restarts and alice sends: only `sync` can bring these to him.
    await bob.context.setOffline(true);
    await server.restart();
    await alice.page.click('#banner-retry').catch(() => {});
    await alice.page.waitForSelector('#banner', { state: 'hidden' });
    for (const text of ['seven', 'eight', 'nine']) {
      await say(alice, text);
      await waitForStatus(alice.page, text, 'sent');
    }
    assert.equal(await bob.page.isVisible('#banner'), true, 'bob is still offline');
    await bob.context.setOffline(false);
    await bob.page.click('#banner-retry').catch(() => {});
    await bob.page.waitForSelector('#banner', { state: 'hidden' });
    await waitForMessage(bob.page, 'nine');
    await waitForStatus(alice.page, 'nine', 'read');
    for (const c of [alice, bob]) assert.deepEqual(await messageTexts(c.page), said, c.username);
  });

  test('a reload restores the session and the same history', async () => {
    await alice.page.reload();
    await alice.page.waitForSelector('#app:not([hidden])');
    await openByName(alice.page, 'Bob');
    await waitForMessage(alice.page, 'nine');
    assert.deepEqual(await messageTexts(alice.page), said);
    await shot(alice.page, 'after-restart.png');
    noProblems(alice, bob);
  });
});
