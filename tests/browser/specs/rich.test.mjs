// Replies, edits and recalls in the web client: done with the buttons on a
// message, seen live by the other side, and as they are after a reload.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server,
  launch,
  twoInAChat,
  shot,
  send,
  openByName,
  waitForMessage,
  messageTexts,
  noProblems,
} from '../lib/harness.mjs';

/** The open chat's message `li` whose text is exactly `text`. */
function messageLi(page, text) {
  return page.locator('#message-list .msg', {
    has: page.locator('.text', { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });
}

/** Clicks one of a message's actions (shown on hover). */
async function act(page, text, action) {
  const li = messageLi(page, text).first();
  await li.hover();
  await li.locator(`button.action.${action}`).click();
}

describe('replies, edits and recalls', () => {
  const server = new Server();
  let browser;
  let alice;
  let bob;

  before(async () => {
    await server.start();
    browser = await launch();
    ({ alice, bob } = await twoInAChat(browser, server, 'Lunch at noon?'));
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('bob replies to a message: both see what it answers', async () => {
    await act(bob.page, 'Lunch at noon?', 'reply');
    await bob.page.waitForFunction(
      () => document.getElementById('composer-context-text').textContent === 'Replying to Alice: Lunch at noon?',
    );
    await send(bob.page, 'Sure');
    await waitForMessage(alice.page, 'Sure');
    const quoted = await messageLi(alice.page, 'Sure').locator('.quote').textContent();
    assert.equal(quoted, 'You: Lunch at noon?');
    assert.ok(await bob.page.isHidden('#composer-context'), 'the composer is back to plain sends');
  });

  test('alice edits her message: bob sees the new text, marked edited', async () => {
    await act(alice.page, 'Lunch at noon?', 'edit');
    assert.equal(await alice.page.inputValue('#composer-input'), 'Lunch at noon?');
    await send(alice.page, 'Lunch at one?');
    await waitForMessage(bob.page, 'Lunch at one?');
    const li = messageLi(bob.page, 'Lunch at one?');
    assert.equal(await li.locator('.edited').textContent(), 'edited');
    // The reply quotes the message as it is now.
    await bob.page.waitForFunction(() =>
      [...document.querySelectorAll('#message-list .quote')].some((q) => q.textContent === 'Alice: Lunch at one?'),
    );
    assert.deepEqual(await messageTexts(bob.page), ['Lunch at one?', 'Sure']);
    await shot(bob.page, 'edited.png');
  });

  test('reactions: put on from the picker, counted for both, a click takes ours off', async () => {
    const chip = (page) => messageLi(page, 'Lunch at one?').locator('.reaction[data-emoji="🎉"]');
    const li = messageLi(bob.page, 'Lunch at one?').first();
    await li.hover();
    await li.locator('button.action.react').click();
    await li.locator('button.pick[data-emoji="🎉"]').click();
    await chip(alice.page).waitFor();
    assert.equal(await chip(alice.page).textContent(), '🎉 1');
    await chip(alice.page).click();
    await alice.page.waitForFunction(() => document.querySelector('.reaction[data-emoji="🎉"]')?.textContent === '🎉 2');
    assert.match(await chip(alice.page).getAttribute('class'), /mine/);
    await bob.page.waitForFunction(() => document.querySelector('.reaction[data-emoji="🎉"]')?.textContent === '🎉 2');
    await chip(bob.page).click();
    await alice.page.waitForFunction(() => document.querySelector('.reaction[data-emoji="🎉"]')?.textContent === '🎉 1');
    await bob.page.waitForFunction(() => document.querySelector('.reaction[data-emoji="🎉"]')?.textContent === '🎉 1');
    assert.doesNotMatch(await chip(bob.page).getAttribute('class'), /mine/);
    // After a reload, history says the same.
    await bob.page.reload();
    await openByName(bob.page, 'Alice');
    await chip(bob.page).waitFor();
    assert.equal(await chip(bob.page).textContent(), '🎉 1');
    await shot(alice.page, 'reactions.png');
  });

  test('alice recalls it: gone for both, and after a reload', async () => {
    await act(alice.page, 'Lunch at one?', 'recall');
    await waitForMessage(bob.page, 'This message was recalled');
    await waitForMessage(alice.page, 'This message was recalled');
    await bob.page.waitForFunction(() =>
      [...document.querySelectorAll('#message-list .msg.system')].some((li) => li.textContent === 'Alice recalled a message'),
    );
    assert.deepEqual(await messageTexts(bob.page), ['This message was recalled', 'Sure']);
    // Nothing of the content is left in the page, nor after a reload.
    assert.ok(!(await bob.page.content()).includes('Lunch at'), 'no trace of the recalled text');
    await bob.page.reload();
    await openByName(bob.page, 'Alice');
    await waitForMessage(bob.page, 'This message was recalled');
    assert.deepEqual(await messageTexts(bob.page), ['This message was recalled', 'Sure']);
    assert.ok(!(await bob.page.content()).includes('Lunch at'), 'none from history either');
    noProblems(alice, bob);
  });
});
