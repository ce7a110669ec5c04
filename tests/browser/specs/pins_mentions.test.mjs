// Mentions, pins, forwards and "delete for me" in the web client: done the
// way a person would (the "@" list in the composer, the buttons on a
// message, the pinned bar, the forward picker), and seen by the others
// live and after a reload.

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
  convItem,
  conversationIdByName,
  waitForMessage,
  waitForStatus,
  messageTexts,
  noProblems,
} from '../lib/harness.mjs';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The open chat's message `li` whose text is exactly `text`. */
function messageLi(page, text) {
  return page.locator('#message-list .msg', {
    has: page.locator('.text', { hasText: new RegExp(`^${escape(text)}$`) }),
  });
}

/** Clicks one of a message's actions (shown on hover). */
async function act(page, text, action) {
  const li = messageLi(page, text).first();
  await li.hover();
  await li.locator(`button.action.${action}`).click();
}

/** Waits until the mention list offers exactly these names, in this order. */
async function waitForOptions(page, names) {
  try {
    await page.waitForFunction(
      (want) => {
        const list = document.getElementById('mention-list');
        const got = list.hidden ? [] : [...list.querySelectorAll('.mention-option .mention-name')].map((e) => e.textContent);
        return JSON.stringify(got) === JSON.stringify(want);
      },
      names,
    );
  } catch (e) {
    const got = await page.$$eval('#mention-list .mention-option .mention-name', (els) => els.map((x) => x.textContent));
    e.message += `\nwanted the mention list ${JSON.stringify(names)}, it shows ${JSON.stringify(got)}`;
    throw e;
  }
}

/** Waits until the pinned bar lists exactly these lines (none: the bar is hidden). */
async function waitForPins(page, lines) {
  try {
    await page.waitForFunction((want) => {
      const bar = document.getElementById('pins');
      const got = bar.hidden ? [] : [...bar.querySelectorAll('.pinned-item .pin-jump')].map((e) => e.textContent);
      return JSON.stringify(got) === JSON.stringify(want);
    }, lines);
  } catch (e) {
    const got = await page.$$eval('#pins:not([hidden]) .pinned-item .pin-jump', (els) => els.map((x) => x.textContent));
    e.message += `\nwanted the pinned bar ${JSON.stringify(lines)}, it shows ${JSON.stringify(got)}`;
    throw e;
  }
}

/** Waits for a system line of the open chat with exactly this text. */
async function waitForLine(page, text) {
  await page.waitForFunction(
    (t) => [...document.querySelectorAll('#message-list .msg.system')].some((li) => li.textContent === t),
    text,
  );
}

/** Whether the conversation's list entry shows the "@" badge. */
function mentionBadge(page, conversationId) {
  return page.locator(`${convItem(conversationId)} .badge.mention`);
}

describe('mentions, pins, forwards and delete for me', () => {
  const server = new Server();
  let browser;
  let alice;
  let bob;
  let carol;
  let crew;

  before(async () => {
    await server.start();
    browser = await launch();
    alice = await register(browser, server, 'alice', { nickname: 'Alice' });
    bob = await register(browser, server, 'bob', { nickname: 'Bob' });
    carol = await register(browser, server, 'carol', { nickname: 'Carol' });
    // Alice's group; bob and carol join it by its id.
    await alice.page.click('.tab[data-panel="groups"]');
    await alice.page.fill('#group-name', 'Crew');
    await alice.page.click('#group-create button[type=submit]');
    await alice.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Crew');
    await alice.page.click('#chat-info-button');
    const groupId = (await alice.page.locator('#info-body code').first().textContent()).trim();
    await alice.page.click('#info-close');
    for (const c of [bob, carol]) {
      await c.page.click('.tab[data-panel="groups"]');
      await c.page.fill('#group-join-id', groupId);
      await c.page.click('#group-join button[type=submit]');
      await c.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Crew');
    }
    crew = await conversationIdByName(alice.page, 'Crew');
    // Carol looks at another room while she is mentioned.
    await openByName(carol.page, 'World');
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('alice mentions carol from the "@" list; carol sees it highlighted and "@" in her list until she reads it', async () => {
    const input = alice.page.locator('#composer-input');
    await input.click();
    await input.pressSequentially('Ping @');
    // The owner may mention everyone; the others by name.
    await waitForOptions(alice.page, ['@all', 'Bob', 'Carol']);
    await shot(alice.page, 'mention-list.png');
    await input.pressSequentially('car');
    await waitForOptions(alice.page, ['Carol']);
    await alice.page.keyboard.press('Enter');
    assert.equal(await input.inputValue(), 'Ping @Carol ', 'Enter chose Carol, and sent nothing');
    assert.ok(await alice.page.isHidden('#mention-list'));
    await input.pressSequentially('are you there?');
    await alice.page.keyboard.press('Enter');
    const text = 'Ping @Carol are you there?';
    await waitForMessage(alice.page, text);
    await waitForMessage(bob.page, text);
    // Bob sees the name as a mention, not as one of his.
    assert.equal(await messageLi(bob.page, text).locator('.mention').textContent(), '@Carol');
    assert.equal(await messageLi(bob.page, text).locator('.mention.to-me').count(), 0);
    assert.doesNotMatch(await messageLi(bob.page, text).getAttribute('class'), /mentioned/);

    // Carol, in the world room, is told in her list.
    await mentionBadge(carol.page, crew).waitFor();
    assert.equal(await mentionBadge(carol.page, crew).textContent(), '@');
    await shot(carol.page, 'mention-badge.png');
    await openByName(carol.page, 'Crew');
    await waitForMessage(carol.page, text);
    const li = messageLi(carol.page, text);
    assert.match(await li.getAttribute('class'), /\bmentioned\b/, 'the message that names her stands out');
    assert.equal(await li.locator('.mention.to-me').textContent(), '@Carol');
    // Read now: the "@" goes, and stays gone after a reload.
    await mentionBadge(carol.page, crew).waitFor({ state: 'detached' });
    await waitForStatus(alice.page, text, 'read by 2');
    await carol.page.reload();
    await carol.page.locator(convItem(crew)).waitFor();
    assert.equal(await mentionBadge(carol.page, crew).count(), 0, 'no "@" once read, after a reload either');
    await openByName(carol.page, 'Crew');
    await waitForMessage(carol.page, text);
    assert.match(await messageLi(carol.page, text).getAttribute('class'), /\bmentioned\b/, 'still marked in history');
  });

  test('bob, a plain member, picks alice with a click; Escape closes the list', async () => {
    const input = bob.page.locator('#composer-input');
    await input.click();
    await input.pressSequentially('@');
    await waitForOptions(bob.page, ['Alice', 'Carol']);
    await bob.page.keyboard.press('Escape');
    await waitForOptions(bob.page, []);
    assert.equal(await input.inputValue(), '@', 'Escape leaves the text as typed');
    await input.pressSequentially('al');
    await waitForOptions(bob.page, ['Alice']);
    await bob.page.click('#mention-list .mention-option');
    assert.equal(await input.inputValue(), '@Alice ');
    await input.pressSequentially('thanks for the invite');
    await bob.page.keyboard.press('Enter');
    const text = '@Alice thanks for the invite';
    await waitForMessage(alice.page, text);
    assert.match(await messageLi(alice.page, text).getAttribute('class'), /\bmentioned\b/);
    assert.equal(await messageLi(alice.page, text).locator('.mention.to-me').textContent(), '@Alice');
    // A name typed without the list is just text: it mentions nobody.
    await send(bob.page, 'and @Carol too');
    await waitForMessage(carol.page, 'and @Carol too');
    assert.doesNotMatch(await messageLi(carol.page, 'and @Carol too').getAttribute('class'), /mentioned/);
    await shot(alice.page, 'mentions.png');
  });

  test('alice pins two messages: both see the pinned bar; unpinned, it goes, after a reload too', async () => {
    await send(bob.page, 'Deploy at 5');
    await waitForMessage(alice.page, 'Deploy at 5');
    // A plain member of a group does not pin.
    const bobsLi = messageLi(bob.page, 'Deploy at 5');
    await bobsLi.hover();
    await bobsLi.locator('button.action.reply').waitFor();
    assert.equal(await bobsLi.locator('button.action.pin').count(), 0, 'no Pin for a plain member');

    await act(alice.page, 'Ping @Carol are you there?', 'pin');
    await act(alice.page, 'Deploy at 5', 'pin');
    await waitForPins(alice.page, ['You: Ping @Carol are you there?', 'Bob: Deploy at 5']);
    await waitForPins(bob.page, ['Alice: Ping @Carol are you there?', 'You: Deploy at 5']);
    assert.equal(await bob.page.textContent('#pins-title'), '2 pinned messages');
    await waitForLine(bob.page, 'Alice pinned a message');
    await waitForLine(alice.page, 'You pinned a message');
    assert.equal(await messageLi(bob.page, 'Deploy at 5').locator('.pinned-mark').textContent(), 'pinned');
    await shot(bob.page, 'pins.png');

    // A click on a pinned message shows it.
    await bob.page.locator('#pins .pin-jump', { hasText: 'Ping @Carol' }).click();
    await bob.page.waitForFunction(() =>
      [...document.querySelectorAll('#message-list .msg.flash .text')].some((e) => e.textContent === 'Ping @Carol are you there?'),
    );

    // Unpinned from its message: gone from both bars.
    await act(alice.page, 'Deploy at 5', 'unpin');
    await waitForPins(alice.page, ['You: Ping @Carol are you there?']);
    await waitForPins(bob.page, ['Alice: Ping @Carol are you there?']);
    await waitForLine(bob.page, 'Alice unpinned a message');
    assert.equal(await messageLi(bob.page, 'Deploy at 5').locator('.pinned-mark').count(), 0);

    // The server says the same after a reload.
    await bob.page.reload();
    await openByName(bob.page, 'Crew');
    await waitForPins(bob.page, ['Alice: Ping @Carol are you there?']);
    assert.equal(await bob.page.textContent('#pins-title'), '1 pinned message');

    // The last one, unpinned from the bar.
    await alice.page.click('#pins .pin-remove');
    await waitForPins(alice.page, []);
    await waitForPins(bob.page, []);
    await bob.page.reload();
    await openByName(bob.page, 'Crew');
    await waitForMessage(bob.page, 'Deploy at 5');
    await waitForLine(bob.page, 'Alice unpinned a message');
    await bob.page.waitForSelector('#pins[data-loaded="true"]', { state: 'attached' });
    assert.ok(await bob.page.isHidden('#pins'), 'no pinned bar after a reload');
  });

  test('alice forwards a message to bob: he sees it marked forwarded, and either of them may pin it there', async () => {
    await startChat(alice.page, bob.userId, 'Bob');
    await openByName(alice.page, 'Crew');
    await act(alice.page, 'Deploy at 5', 'forward');
    await alice.page.waitForSelector('#forward:not([hidden])');
    await shot(alice.page, 'forward.png');
    await alice.page.locator('#forward-list .forward-to', { hasText: /^Bob$/ }).click();
    assert.ok(await alice.page.isHidden('#forward'), 'the picker closes');
    await alice.page.waitForFunction(() => document.getElementById('toast').textContent === 'Forwarded to Bob');

    await openByName(bob.page, 'Alice');
    await waitForMessage(bob.page, 'Deploy at 5');
    const copy = messageLi(bob.page, 'Deploy at 5');
    assert.match(await copy.getAttribute('class'), /\btheirs\b/, "the copy is alice's");
    assert.equal(await copy.locator('.forwarded').textContent(), 'Forwarded');
    await openByName(alice.page, 'Bob');
    await waitForMessage(alice.page, 'Deploy at 5');
    assert.equal(await messageLi(alice.page, 'Deploy at 5').locator('.forwarded').textContent(), 'Forwarded');
    // In a single chat, "@" offers the peer.
    const input = alice.page.locator('#composer-input');
    await input.click();
    await input.pressSequentially('@');
    await waitForOptions(alice.page, ['Bob']);
    await alice.page.keyboard.press('Escape');
    await input.fill('');
    // The original, in the group, is not marked.
    await openByName(alice.page, 'Crew');
    assert.equal(await messageLi(alice.page, 'Deploy at 5').locator('.forwarded').count(), 0);

    // In a single chat, either user pins.
    await act(bob.page, 'Deploy at 5', 'pin');
    await waitForPins(bob.page, ['Alice: Deploy at 5']);
    await openByName(alice.page, 'Bob');
    await waitForPins(alice.page, ['You: Deploy at 5']);
  });

  test('carol deletes a message for herself: gone for her, after a reload too; the others keep it', async () => {
    await waitForMessage(carol.page, 'Deploy at 5');
    await act(carol.page, 'Deploy at 5', 'delete');
    await carol.page.waitForFunction(() =>
      [...document.querySelectorAll('#message-list .msg .text')].every((e) => e.textContent !== 'Deploy at 5'),
    );
    assert.deepEqual(await messageTexts(carol.page), [
      'Ping @Carol are you there?',
      '@Alice thanks for the invite',
      'and @Carol too',
    ]);

    await carol.page.reload();
    await openByName(carol.page, 'Crew');
    await waitForMessage(carol.page, 'Ping @Carol are you there?');
    assert.deepEqual(
      await messageTexts(carol.page),
      ['Ping @Carol are you there?', '@Alice thanks for the invite', 'and @Carol too'],
      'history leaves it out',
    );

    // The others still have it.
    await openByName(alice.page, 'Crew');
    await waitForMessage(alice.page, 'Deploy at 5');
    await bob.page.reload();
    await openByName(bob.page, 'Crew');
    await waitForMessage(bob.page, 'Deploy at 5');

    // Past the hidden seq, carol's chat goes on as before.
    await send(alice.page, 'After the hole');
    await waitForMessage(carol.page, 'After the hole');
    assert.deepEqual(await messageTexts(carol.page), [
      'Ping @Carol are you there?',
      '@Alice thanks for the invite',
      'and @Carol too',
      'After the hole',
    ]);
  });

  test('a refused forward says why, as other failures do', async () => {
    // Carol blocks alice in their chat: alice may not write there any more.
    await startChat(alice.page, carol.userId, 'Carol');
    await startChat(carol.page, alice.userId, 'Alice');
    await carol.page.click('#chat-info-button');
    await carol.page.click('#info-body button.danger:text-is("Block")');
    await carol.page.waitForFunction(() => document.getElementById('toast').textContent === 'Alice is blocked');
    await openByName(alice.page, 'Crew');
    await act(alice.page, 'After the hole', 'forward');
    await alice.page.locator('#forward-list .forward-to', { hasText: /^Carol$/ }).click();
    await alice.page.waitForFunction(() => {
      const t = document.getElementById('toast');
      return !t.hidden && t.classList.contains('toast-error') && t.textContent.startsWith('Could not forward the message: ');
    });
    const said = await alice.page.textContent('#toast');
    assert.match(said, /does not accept your messages/, said);
    await openByName(carol.page, 'Alice');
    await carol.page.waitForFunction(() => document.getElementById('history-status').textContent === 'No messages yet');
    assert.deepEqual(await messageTexts(carol.page), [], 'nothing reached carol');
    noProblems(alice, bob, carol);
  });
});
