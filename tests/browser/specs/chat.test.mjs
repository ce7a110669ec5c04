// Two people in two browser contexts: register, chat both ways, unread
// badges, read receipts, typing, escaping, phone layout, friends.

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
  waitForUnread,
  conversationIdByName,
  messageTexts,
  noProblems,
  PHONE,
  DESKTOP,
} from '../lib/harness.mjs';

describe('two people chatting', () => {
  const server = new Server();
  let browser;
  let alice;
  let bob;
  let convId;

  before(async () => {
    await server.start();
    browser = await launch();
    alice = await register(browser, server, 'alice', { nickname: 'Alice', screenshot: 'login.png' });
    bob = await register(browser, server, 'bob', { nickname: 'Bob' });
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('alice starts a chat; bob sees it with an unread badge', async () => {
    await startChat(alice.page, bob.userId, 'Bob');
    await send(alice.page, 'Hello Bob!');
    await waitForStatus(alice.page, 'Hello Bob!', 'sent');
    convId = await conversationIdByName(bob.page, 'Alice');
    await waitForUnread(bob.page, convId, 1);
    await send(alice.page, 'Are you there?');
    await waitForUnread(bob.page, convId, 2);
    assert.equal(await bob.page.textContent('#unread-total'), '2');
    await shot(bob.page, 'conversations.png');
  });

  test('bob opens it: badge clears, alice sees "read"', async () => {
    await openByName(bob.page, 'Alice');
    await waitForMessage(bob.page, 'Are you there?');
    assert.deepEqual(await messageTexts(bob.page), ['Hello Bob!', 'Are you there?']);
    await waitForUnread(bob.page, convId, 0);
    await waitForStatus(alice.page, 'Are you there?', 'read');
  });

  test('bob types and replies; alice sees both live', async () => {
    await bob.page.fill('#composer-input', 'Hi');
    await bob.page.type('#composer-input', ' Alice');
    await alice.page.waitForFunction(() => document.getElementById('typing').textContent.includes('Bob is typing'));
    await bob.page.press('#composer-input', 'Enter');
    await waitForMessage(alice.page, 'Hi Alice');
    await waitForStatus(bob.page, 'Hi Alice', 'read');
    // Alice has the chat open: no badge for her.
    await waitForUnread(alice.page, convId, 0);
    await send(alice.page, 'Multi\nline message, with a link-like https://example.invalid text');
    await waitForMessage(bob.page, 'Multi\nline message, with a link-like https://example.invalid text');
    await shot(alice.page, 'chat.png');
  });

  test('markup in a message is shown as text, never run', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    await send(alice.page, evil);
    await waitForMessage(bob.page, evil);
    await waitForStatus(alice.page, evil, 'read');
    for (const c of [alice, bob]) {
      assert.equal(await c.page.locator('#message-list img').count(), 0, 'no <img> element was created');
      assert.equal(await c.page.locator('.conversation img').count(), 0, 'none in the list preview either');
    }
    // One more round trip so an injected handler would have had its chance.
    await send(bob.page, 'that was just text');
    await waitForMessage(alice.page, 'that was just text');
    noProblems(alice, bob);
  });

  test('phone width: one pane at a time', async () => {
    await bob.page.setViewportSize(PHONE);
    assert.equal(await bob.page.isVisible('#chat'), true);
    assert.equal(await bob.page.isVisible('.sidebar'), false);
    await shot(bob.page, 'phone-chat.png');
    await bob.page.click('#back');
    assert.equal(await bob.page.isVisible('.sidebar'), true);
    assert.equal(await bob.page.isVisible('#chat'), false);
    await shot(bob.page, 'phone-list.png');
    await bob.page.setViewportSize(DESKTOP);
    await openByName(bob.page, 'Alice');
  });

  test('befriend: request, accept, online dots, each seen live', async () => {
    // Both already look at their friends: what changes comes by itself
    // (live frames; the client does not poll).
    await bob.page.click('.tab[data-panel="friends"]');
    await alice.page.click('.tab[data-panel="friends"]');
    await alice.page.fill('#friend-id', bob.userId);
    await alice.page.fill('#friend-message', 'Friends?');
    await alice.page.click('#friend-request button[type=submit]');
    await alice.page.waitForSelector(`#requests-out li[data-to="${bob.userId}"]`);
    const request = `#requests-in li[data-from="${alice.userId}"]`;
    await bob.page.waitForSelector(request, { timeout: 10_000 });
    await shot(bob.page, 'friend-request.png');
    await bob.page.click(`${request} button.accept`);
    await bob.page.waitForSelector(`#friends li[data-user-id="${alice.userId}"][data-online="true"]`);
    await alice.page.waitForSelector(`#friends li[data-user-id="${bob.userId}"][data-online="true"]`, {
      timeout: 10_000,
    });
    await alice.page.waitForSelector(`#requests-out li[data-to="${bob.userId}"]`, { state: 'detached' });
    await shot(alice.page, 'friends.png');
    noProblems(alice, bob);
  });

  test('blocked: the send fails; after unblock, Retry delivers it once, same client_msg_id', async () => {
    await bob.page.click('.tab[data-panel="chats"]');
    await openByName(bob.page, 'Alice');
    await bob.page.click('#chat-info-button');
    await bob.page.click('#info-body button.danger:text("Block")');
    await bob.page.waitForSelector('#toast:text("is blocked")');
    await alice.page.click('.tab[data-panel="chats"]');
    await openByName(alice.page, 'Bob');
    await send(alice.page, 'can you hear me?');
    await waitForStatus(alice.page, 'can you hear me?', 'failed');
    const item = alice.page.locator('#message-list .msg.failed', { hasText: 'can you hear me?' });
    const firstId = await item.getAttribute('data-client-msg-id');
    await shot(alice.page, 'failed.png');
    await bob.page.click('#info-body button:text("Unblock")');
    await bob.page.waitForSelector('#toast:text("is unblocked")');
    await item.locator('button.retry').click();
    await waitForStatus(alice.page, 'can you hear me?', ['sent', 'read']);
    const sent = alice.page.locator('#message-list .msg.mine', { hasText: 'can you hear me?' });
    assert.equal(await sent.getAttribute('data-client-msg-id'), firstId, 'the retry reused the client_msg_id');
    await bob.page.click('#info-close');
    await waitForMessage(bob.page, 'can you hear me?');
    const texts = await messageTexts(bob.page);
    assert.equal(texts.filter((t) => t === 'can you hear me?').length, 1);
    noProblems(alice, bob);
  });
});
