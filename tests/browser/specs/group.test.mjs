// Three people: a group created, joined by id and used by all; the world
// room; members and roles in the details pane; the group renamed by an
// admin.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server,
  launch,
  register,
  shot,
  send,
  openByName,
  waitForMessage,
  waitForStatus,
  messageTexts,
  noProblems,
} from '../lib/harness.mjs';

describe('a group of three', () => {
  const server = new Server();
  let browser;
  let alice;
  let bob;
  let carol;
  let groupId;

  before(async () => {
    await server.start();
    browser = await launch();
    alice = await register(browser, server, 'alice', { nickname: 'Alice' });
    bob = await register(browser, server, 'bob', { nickname: 'Bob' });
    carol = await register(browser, server, 'carol', { nickname: 'Carol' });
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('alice creates a group; bob and carol join it by id', async () => {
    const { page } = alice;
    await page.click('.tab[data-panel="groups"]');
    await page.fill('#group-name', 'Rustaceans');
    await page.fill('#group-description', 'Fearless concurrency, fearless chat');
    await page.click('#group-create button[type=submit]');
    await page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Rustaceans');
    await page.click('#chat-info-button');
    groupId = (await page.locator('#info-body code').first().textContent()).trim();
    assert.ok(groupId.length > 10, `group id shown: ${groupId}`);
    await page.click('#info-close');
    for (const c of [bob, carol]) {
      await c.page.click('.tab[data-panel="groups"]');
      await c.page.fill('#group-join-id', groupId);
      await c.page.click('#group-join button[type=submit]');
      await c.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Rustaceans');
    }
  });

  test('everyone sees everyone, in the same order, with authors', async () => {
    await send(alice.page, 'Welcome, both of you');
    await waitForMessage(bob.page, 'Welcome, both of you');
    await send(bob.page, 'Thanks!');
    await waitForMessage(carol.page, 'Thanks!');
    await send(carol.page, 'Hi all');
    for (const c of [alice, bob, carol]) await waitForMessage(c.page, 'Hi all');
    const expected = ['Welcome, both of you', 'Thanks!', 'Hi all'];
    for (const c of [alice, bob, carol]) assert.deepEqual(await messageTexts(c.page), expected, c.username);
    const authors = await carol.page.$$eval('#message-list .msg.theirs .author', (els) => els.map((e) => e.textContent));
    assert.deepEqual(authors, ['Alice', 'Bob']);
    // Both others have the group open, so both have read alice's message.
    await waitForStatus(alice.page, 'Welcome, both of you', 'read by 2');
    await alice.page.click('#chat-info-button');
    await alice.page.waitForSelector('#info-body h3');
    await shot(alice.page, 'group.png');
    await alice.page.click('#info-close');
  });

  test('the world room reaches everyone', async () => {
    await openByName(bob.page, 'World');
    await send(bob.page, 'Hello, world');
    await openByName(carol.page, 'World');
    await waitForMessage(carol.page, 'Hello, world');
    await openByName(alice.page, 'World');
    await waitForMessage(alice.page, 'Hello, world');
    noProblems(alice, bob, carol);
  });

  test('members and roles: the owner makes bob an admin', async () => {
    await openByName(alice.page, 'Rustaceans');
    await alice.page.click('#chat-info-button');
    const row = (c) => `#members li[data-user-id="${c.userId}"]`;
    await alice.page.waitForSelector(`${row(alice)}[data-role="owner"]`);
    await alice.page.waitForSelector(`${row(carol)}[data-role="member"]`);
    await alice.page.click(`${row(bob)} button:text("Make admin")`);
    await alice.page.waitForSelector(`${row(bob)}[data-role="admin"]`);
    // Carol, a member, sees the roles but no buttons to change them.
    await openByName(carol.page, 'Rustaceans');
    await carol.page.click('#chat-info-button');
    await carol.page.waitForSelector(`${row(bob)}[data-role="admin"]`);
    assert.equal(await carol.page.locator('#members button').count(), 0);
    await shot(alice.page, 'group-members.png');
    noProblems(alice, bob, carol);
  });

  test('settings: bob, an admin, renames the group and everyone sees it', async () => {
    await openByName(bob.page, 'Rustaceans');
    await bob.page.click('#chat-info-button');
    await bob.page.waitForSelector('#group-settings');
    await bob.page.fill('#group-edit-name', 'Crabs');
    await bob.page.fill('#group-edit-description', 'Now with claws');
    await bob.page.fill('#group-edit-announcement', 'Meetup on Friday');
    await bob.page.click('#group-settings button[type=submit]');
    for (const c of [alice, bob, carol]) {
      const told = `${c === bob ? 'You' : 'Bob'} renamed the group "Crabs", changed its description, announced: Meetup on Friday`;
      await c.page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Crabs');
      await c.page.waitForFunction(
        (t) => [...document.querySelectorAll('#message-list .msg.system')].some((e) => e.textContent === t),
        told,
      );
    }
    // Carol, a plain member, has no settings to change.
    await carol.page.click('#chat-info-button');
    await carol.page.waitForSelector('#info-body h3');
    assert.equal(await carol.page.locator('#group-settings').count(), 0);
    assert.equal(await carol.page.locator('#info-body p').first().textContent(), 'Now with claws');
    assert.equal(await carol.page.locator('#group-announcement').textContent(), 'Meetup on Friday');
    noProblems(alice, bob, carol);
  });
});
