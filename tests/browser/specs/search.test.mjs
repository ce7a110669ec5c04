// Message search in the web client: the box above the conversation list,
// its results (sender, conversation, time, the words found in <mark>),
// "More results" for the next page, clear words for a bad query, a search
// within the open chat from its header, and a result opening its
// conversation at the message, highlighted, reading older history to
// reach it; on a phone too.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server,
  launch,
  register,
  login,
  shot,
  send,
  startChat,
  openByName,
  waitForMessage,
  waitForStatus,
  PHONE,
  noProblems,
} from '../lib/harness.mjs';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BULK = 45;

/** Searches for `q` with the box and waits for the list to answer it. */
async function search(page, q) {
  // Forget which search the list answered, so the same query again is
  // waited for too.
  await page.evaluate(() => {
    delete document.getElementById('search-results').dataset.q;
  });
  await page.fill('#message-q', q);
  await page.click('#message-search button[type=submit]');
  await page.waitForFunction(
    (want) => {
      const list = document.getElementById('search-results');
      return list.dataset.q === want && !document.getElementById('search').hidden;
    },
    q,
  );
}

/** The results the list shows now, in order. */
function results(page) {
  return page.$$eval('#search-results li.search-result', (els) =>
    els.map((li) => {
      const text = li.querySelector('.sr-text');
      return {
        from: li.querySelector('.sr-from').textContent,
        conv: li.querySelector('.sr-conv').textContent,
        time: li.querySelector('.sr-time').textContent,
        // The content as shown (the "(edited)" note apart).
        text: [...text.childNodes]
          .filter((n) => !(n.classList && n.classList.contains('sr-edited')))
          .map((n) => n.textContent)
          .join(''),
        marks: [...text.querySelectorAll('mark')].map((m) => m.textContent),
        edited: !!text.querySelector('.sr-edited'),
        elements: [...text.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()).filter((t) => t !== 'mark' && t !== 'span'),
      };
    }),
  );
}

const texts = async (page) => (await results(page)).map((r) => r.text);

/** Clicks the result with exactly this text. */
async function clickResult(page, text) {
  await page
    .locator('#search-results li.search-result', {
      has: page.locator('.sr-text', { hasText: new RegExp(`^${escape(text)}`) }),
    })
    .first()
    .click();
}

/** Waits until the open chat shows `text` highlighted, and says whether it is in view. */
async function waitForFlash(page, text) {
  try {
    await page.waitForFunction(
      (t) => [...document.querySelectorAll('#message-list .msg.flash .text')].some((e) => e.textContent === t),
      text,
    );
  } catch (e) {
    const flashed = await page.$$eval('#message-list .msg.flash .text', (els) => els.map((x) => x.textContent));
    const count = await page.$$eval('#message-list .msg', (els) => els.length);
    e.message += `\nwanted ${JSON.stringify(text)} highlighted; highlighted: ${JSON.stringify(flashed)}; ${count} messages shown; chat ${await page.textContent('#chat-name')}`;
    throw e;
  }
  return page.evaluate((t) => {
    const li = [...document.querySelectorAll('#message-list .msg')].find(
      (x) => x.querySelector('.text')?.textContent === t,
    );
    const box = document.getElementById('messages').getBoundingClientRect();
    const r = li.getBoundingClientRect();
    return r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  }, text);
}

/** Clicks one of a message's actions (shown on hover). */
async function act(page, text, action) {
  const li = page
    .locator('#message-list .msg', { has: page.locator('.text', { hasText: new RegExp(`^${escape(text)}$`) }) })
    .first();
  await li.hover();
  await li.locator(`button.action.${action}`).click();
}

describe('message search', () => {
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

  test('bob finds what was said, the matching words marked', async () => {
    await startChat(alice.page, bob.userId, 'Bob');
    await send(alice.page, 'Meet at noon in room 4');
    await openByName(bob.page, 'Alice');
    await waitForMessage(bob.page, 'Meet at noon in room 4');
    await send(bob.page, '明天下午开会议，别忘了');
    await waitForMessage(alice.page, '明天下午开会议，别忘了');
    await send(alice.page, 'draft of the agenda');
    await send(alice.page, '<b>meet</b> & <img src=x onerror=alert(1)>');
    await waitForStatus(alice.page, 'draft of the agenda', ['sent', 'read']);
    // Alice edits a message: it is found by its words as they are now.
    await act(alice.page, 'draft of the agenda', 'edit');
    await alice.page.fill('#composer-input', 'final agenda, with lunch');
    await alice.page.press('#composer-input', 'Enter');
    await waitForMessage(bob.page, 'final agenda, with lunch');
    await waitForMessage(bob.page, '<b>meet</b> & <img src=x onerror=alert(1)>');
    // And in the world room.
    await openByName(alice.page, 'World');
    await send(alice.page, 'meet everyone in the world room');
    await waitForMessage(alice.page, 'meet everyone in the world room');

    await search(bob.page, 'meet');
    const found = await results(bob.page);
    assert.deepEqual(
      found.map((r) => [r.from, r.conv, r.text, r.marks]),
      [
        ['Alice', 'World', 'meet everyone in the world room', ['meet']],
        ['Alice', 'Alice', '<b>meet</b> & <img src=x onerror=alert(1)>', ['meet']],
        ['Alice', 'Alice', 'Meet at noon in room 4', ['Meet']],
      ],
      'whole words, any case, newest first, from every conversation of his',
    );
    assert.ok(found.every((r) => /\d/.test(r.time)), `a time on each: ${found.map((r) => r.time)}`);
    assert.deepEqual(found[1].elements, [], 'message text is text, never HTML');
    assert.equal(await bob.page.isHidden('#search-more'), true, 'one page only');
    await shot(bob.page, 'search.png');

    await search(bob.page, 'ROOM meet');
    assert.deepEqual(
      (await results(bob.page)).map((r) => [r.text, r.marks]),
      [
        ['meet everyone in the world room', ['meet', 'room']],
        ['Meet at noon in room 4', ['Meet', 'room']],
      ],
      'every word must match, each marked',
    );

    await search(bob.page, '会议');
    assert.deepEqual(
      (await results(bob.page)).map((r) => [r.from, r.conv, r.text, r.marks]),
      [['You', 'Alice', '明天下午开会议，别忘了', ['会议']]],
      'Chinese without spaces',
    );

    await search(bob.page, 'lunch');
    assert.deepEqual(
      (await results(bob.page)).map((r) => [r.text, r.marks, r.edited]),
      [['final agenda, with lunch', ['lunch'], true]],
      'an edited message, by its new words',
    );
    await search(bob.page, 'draft');
    assert.deepEqual(await texts(bob.page), []);
    assert.equal(await bob.page.textContent('#search-results li'), 'No messages found');
  });

  test('a bad query is explained', async () => {
    await search(bob.page, '?!');
    assert.equal(await bob.page.textContent('#search-results li.search-error'), 'Your search must hold a word');
    await search(bob.page, 'a b c d e f g h i');
    assert.equal(await bob.page.textContent('#search-results li.search-error'), 'Your search must hold at most 8 words');
    assert.equal(await bob.page.isHidden('#search-more'), true);
    // Emptied: the results go.
    await bob.page.fill('#message-q', '');
    await bob.page.click('#message-search button[type=submit]');
    await bob.page.waitForSelector('#search', { state: 'hidden' });
  });

  test('"More results" pages through many', async () => {
    const codes = await alice.page.evaluate(
      async ({ to, count }) => {
        const { access_token: token } = JSON.parse(sessionStorage.getItem('ferrochat.session'));
        const out = [];
        for (let i = 1; i <= count; i += 1) {
          const r = await fetch('/api/v1/messages/send', {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ to_user_id: to, client_msg_id: `bulk-${i}`, content: `status report ${i}` }),
          });
          out.push((await r.json()).code);
        }
        return out;
      },
      { to: bob.userId, count: BULK },
    );
    assert.ok(codes.every((c) => c === 0), `all sent: ${codes}`);
    await search(bob.page, 'report');
    const want = Array.from({ length: BULK }, (_, i) => `status report ${BULK - i}`);
    assert.deepEqual(await texts(bob.page), want.slice(0, 20), 'a first page, newest first');
    for (const shown of [40, BULK]) {
      await bob.page.click('#search-more');
      await bob.page.waitForSelector(`#search-results[data-count="${shown}"]`);
    }
    const all = await results(bob.page);
    assert.deepEqual(
      all.map((r) => r.text),
      want,
      'every page once, in order',
    );
    assert.ok(all.every((r) => r.marks.join() === 'report'));
    assert.equal(await bob.page.isHidden('#search-more'), true, 'no more after the last page');
  });

  test('a result opens its conversation at the message, older history read to reach it', async () => {
    // A fresh start: the chat's first page holds only the newest 30
    // messages, and the one sought is older than all of them (45 came
    // after it).
    await bob.page.reload();
    await bob.page.waitForSelector('.conversation[data-conversation-id="world"]');
    await openByName(bob.page, 'World');
    await search(bob.page, 'noon');
    await clickResult(bob.page, 'Meet at noon in room 4');
    await bob.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Alice');
    assert.equal(await waitForFlash(bob.page, 'Meet at noon in room 4'), true, 'scrolled into view');
    const shown = await bob.page.$$eval('#message-list .msg:not(.system)', (els) => els.length);
    assert.ok(shown > 30, `history read back to it (${shown} messages shown)`);
    await shot(bob.page, 'search-jump.png');

    // One in another conversation, and one loaded already.
    await search(bob.page, 'everyone');
    await clickResult(bob.page, 'meet everyone in the world room');
    await bob.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'World');
    assert.equal(await waitForFlash(bob.page, 'meet everyone in the world room'), true);
    await search(bob.page, 'report 7');
    await clickResult(bob.page, 'status report 7');
    await bob.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Alice');
    assert.equal(await waitForFlash(bob.page, 'status report 7'), true);
  });

  test('searching one chat from its header', async () => {
    await bob.page.click('#chat-search-button');
    assert.equal(await bob.page.textContent('#search-scope-name'), 'Alice');
    assert.equal(await bob.page.isVisible('#chat'), true, 'the chat stays open beside the list');
    await search(bob.page, 'meet');
    assert.deepEqual(await texts(bob.page), ['<b>meet</b> & <img src=x onerror=alert(1)>', 'Meet at noon in room 4']);
    await bob.page.click('#search-scope-clear');
    await bob.page.waitForSelector('#search-scope', { state: 'hidden' });
    await bob.page.waitForSelector('#search-results[data-scope=""][data-count="3"]');
    assert.equal((await texts(bob.page))[0], 'meet everyone in the world room');
    noProblems(alice, bob);
  });

  test('on a phone: results in the list, a result opens the chat, back returns to them', async () => {
    const phone = await login(browser, server, 'bob', { viewport: PHONE });
    const { page } = phone;
    await search(page, '会议');
    await shot(page, 'phone-search.png');
    await clickResult(page, '明天下午开会议，别忘了');
    await page.waitForSelector('#app.chat-open');
    assert.equal(await page.isHidden('.sidebar'), true, 'the chat takes the screen');
    assert.equal(await waitForFlash(page, '明天下午开会议，别忘了'), true);
    await shot(page, 'phone-search-jump.png');
    await page.click('#back');
    await page.waitForSelector('#search-results li.search-result');
    assert.deepEqual(await texts(page), ['明天下午开会议，别忘了'], 'the results are still there');
    // The header's Search: back to the list, this chat only.
    await openByName(page, 'Alice');
    await page.click('#chat-search-button');
    await page.waitForSelector('#app:not(.chat-open) .sidebar');
    assert.equal(await page.textContent('#search-scope-name'), 'Alice');
    await search(page, 'meet');
    assert.deepEqual(await texts(page), ['<b>meet</b> & <img src=x onerror=alert(1)>', 'Meet at noon in room 4']);
    noProblems(phone);
  });
});
