// Long history: the first page is the newest, older pages load when the
// reader scrolls up (before_seq), and the result is every message once,
// in order.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server,
  launch,
  register,
  startChat,
  openByName,
  send,
  waitForMessage,
  messageTexts,
  noProblems,
} from '../lib/harness.mjs';

const COUNT = 75;

describe('history', () => {
  const server = new Server();
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

  test('older pages load on scroll, each message once', async () => {
    await startChat(alice.page, bob.userId, 'Bob');
    // Many messages at once, through the HTTP API with alice's own token.
    const codes = await alice.page.evaluate(
      async ({ to, count }) => {
        const { access_token: token } = JSON.parse(sessionStorage.getItem('ferrochat.session'));
        const out = [];
        for (let i = 1; i <= count; i += 1) {
          const r = await fetch('/api/v1/messages/send', {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ to_user_id: to, client_msg_id: `bulk-${i}`, content: `message ${i}` }),
          });
          out.push((await r.json()).code);
        }
        return out;
      },
      { to: bob.userId, count: COUNT },
    );
    assert.ok(codes.every((c) => c === 0), `all sent: ${codes}`);
    await openByName(bob.page, 'Alice');
    await waitForMessage(bob.page, `message ${COUNT}`);
    const firstPage = await messageTexts(bob.page);
    assert.ok(firstPage.length < COUNT, `only a page at first (${firstPage.length})`);
    // Scroll up until the start of the conversation shows.
    while ((await bob.page.textContent('#history-status')) !== 'Start of the conversation') {
      const before = (await messageTexts(bob.page)).length;
      await bob.page.evaluate(() => {
        document.getElementById('messages').scrollTop = 0;
      });
      await bob.page.waitForFunction(
        (n) =>
          document.querySelectorAll('#message-list .msg').length > n ||
          document.getElementById('history-status').textContent === 'Start of the conversation',
        before,
      );
    }
    const all = await messageTexts(bob.page);
    assert.deepEqual(all, Array.from({ length: COUNT }, (_, i) => `message ${i + 1}`));
    noProblems(alice, bob);
  });

  test('a message acked while the first page is on its way stays in the chat', async () => {
    const carol = await register(browser, server, 'carol', { nickname: 'Carol' });
    // The new chat's first page is read by the server at once (empty) but
    // reaches alice's page only after her first message there is acked.
    let pageRead;
    const read = new Promise((resolve) => {
      pageRead = resolve;
    });
    let ackSeen;
    const acked = new Promise((resolve) => {
      ackSeen = resolve;
    });
    await alice.page.route('**/api/v1/messages/history?*', async (route) => {
      const response = await route.fetch();
      pageRead();
      await acked;
      await route.fulfill({ response });
    });
    await startChat(alice.page, carol.userId, 'Carol');
    await read;
    await send(alice.page, 'Are you there?');
    // The ack shows in the conversation list before the page is let through.
    await alice.page.waitForFunction(() =>
      [...document.querySelectorAll('.conversation .conv-preview')].some((e) => e.textContent === 'You: Are you there?'),
    );
    ackSeen();
    await alice.page.waitForFunction(() => document.getElementById('history-status').textContent !== 'Loading…');
    await waitForMessage(alice.page, 'Are you there?');
    assert.deepEqual(await messageTexts(alice.page), ['Are you there?']);
    await alice.page.unroute('**/api/v1/messages/history?*');
    noProblems(alice, carol);
  });
});
