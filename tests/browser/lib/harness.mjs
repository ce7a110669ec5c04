// Test harness: a real ferrochat binary per test file, headless Chromium,
// and helpers that drive the web client the way a person would.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { ROOT } from '../../lib/server.mjs';

export { Server, ROOT, BIN } from '../../lib/server.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
// Screenshots go to docs/screenshots (tracked, shown in the README) only
// when asked, so an ordinary test run leaves the work tree clean.
export const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(ROOT, 'docs', 'screenshots')
    : path.join(HERE, '..', 'screenshots');
export const PASSWORD = 'correct horse battery';

/**
 * Debian's Chromium, headless. Playwright gives each launch a fresh,
 * temporary user-data dir. The flags keep Chromium off the network.
 */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

export const DESKTOP = { width: 1180, height: 760 };
export const PHONE = { width: 390, height: 780 };

/** A browser context (its own sessionStorage) with a page on the app. */
export async function openClient(browser, server, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const client = { context, page, dialogs: [], problems: [] };
  page.on('dialog', (d) => {
    client.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => client.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) client.problems.push(`console: ${m.text()}`);
  });
  await page.goto(server.url);
  return client;
}

/** Registers through the form and lands in the app; returns the client. */
export async function register(browser, server, username, { nickname, viewport, screenshot } = {}) {
  const client = await openClient(browser, server, viewport);
  const { page } = client;
  await page.click('#tab-register');
  await page.fill('#auth-username', username);
  if (nickname) await page.fill('#auth-nickname', nickname);
  await page.fill('#auth-password', PASSWORD);
  if (screenshot) await shot(page, screenshot);
  await page.click('#auth-submit');
  await page.waitForSelector('#app:not([hidden])');
  client.username = username;
  client.userId = await page.getAttribute('#me-id', 'data-user-id');
  assert.ok(client.userId, 'the app shows the user id');
  // Connected: the world room is listed once the list loaded.
  await page.waitForSelector('.conversation[data-conversation-id="world"]');
  return client;
}

/** Logs an existing user in through the form; returns the client, in the app. */
export async function login(browser, server, username, { password = PASSWORD, viewport } = {}) {
  const client = await openClient(browser, server, viewport);
  await loginOn(client.page, username, password);
  client.username = username;
  return client;
}

/** Fills the login form of a page on the login screen and waits for the app. */
export async function loginOn(page, username, password = PASSWORD) {
  await page.fill('#auth-username', username);
  await page.fill('#auth-password', password);
  await page.click('#auth-submit');
  await page.waitForSelector('#app:not([hidden])');
  await page.waitForSelector('.conversation[data-conversation-id="world"]');
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name) });
}

export const convItem = (id) => `.conversation[data-conversation-id="${id}"]`;

/** Clicks a conversation in the list by its displayed name. */
export async function openByName(page, name) {
  await page.locator('.conversation', { has: page.locator('.conv-name', { hasText: name }) }).first().click();
  await page.waitForFunction((n) => document.getElementById('chat-name').textContent === n, name);
}

export async function send(page, text) {
  await page.fill('#composer-input', text);
  await page.press('#composer-input', 'Enter');
}

/** Waits until a message with exactly this text is in the open chat. */
export async function waitForMessage(page, text) {
  await explain(page, `message ${JSON.stringify(text)}`, () =>
    page.waitForFunction(
      (t) => [...document.querySelectorAll('#message-list .msg .text')].some((e) => e.textContent === t),
      text,
    ),
  );
}

/** On a timeout, says what the open chat did show. */
async function explain(page, what, wait) {
  try {
    await wait();
  } catch (e) {
    const seen = await page
      .$$eval('#message-list .msg', (els) =>
        els.map((li) => `${li.querySelector('.text')?.textContent ?? '(system)'} [${li.dataset.status || ''}]`),
      )
      .catch(() => []);
    const banner = await page.textContent('#banner-text').catch(() => '');
    e.message += `\nwaiting for ${what}; chat ${await page.textContent('#chat-name').catch(() => '?')} shows:\n  ${seen.join('\n  ')}\nbanner: ${banner}`;
    throw e;
  }
}

/** The texts of the open chat's messages, in order. */
export function messageTexts(page) {
  return page.$$eval('#message-list .msg:not(.system) .text', (els) => els.map((e) => e.textContent));
}

/** Waits until our message with this text has the given status (or one of them). */
export async function waitForStatus(page, text, status) {
  const wanted = [status].flat();
  await explain(page, `${JSON.stringify(text)} to be ${wanted.join(' or ')}`, () =>
    page.waitForFunction(
      ([t, s]) =>
        [...document.querySelectorAll('#message-list .msg.mine')].some(
          (li) => li.querySelector('.text')?.textContent === t && s.includes(li.dataset.status),
        ),
      [text, wanted],
    ),
  );
}

/** Waits for the unread badge of a conversation to show `n` (0: no badge). */
export async function waitForUnread(page, conversationId, n) {
  await page.waitForFunction(
    ([sel, want]) => {
      const li = document.querySelector(sel);
      if (!li) return false;
      const badge = li.querySelector('.badge.unread');
      return want === 0 ? !badge : badge?.textContent === String(want);
    },
    [convItem(conversationId), n],
  );
}

/** The conversation id of the single chat with a peer, from the list. */
export async function conversationIdByName(page, name) {
  const li = page.locator('.conversation', { has: page.locator('.conv-name', { hasText: name }) }).first();
  await li.waitFor();
  return li.getAttribute('data-conversation-id');
}

export async function startChat(page, userId, peerName) {
  await page.fill('#start-chat-id', userId);
  await page.click('#start-chat button[type=submit]');
  await page.waitForFunction((n) => document.getElementById('chat-name').textContent === n, peerName);
}

/**
 * Alice and Bob, registered, in a one-to-one chat that each has open:
 * Alice started it and sent `firstText`, which Bob's page shows.
 */
export async function twoInAChat(browser, server, firstText) {
  const alice = await register(browser, server, 'alice', { nickname: 'Alice' });
  const bob = await register(browser, server, 'bob', { nickname: 'Bob' });
  await startChat(alice.page, bob.userId, 'Bob');
  await send(alice.page, firstText);
  await openByName(bob.page, 'Alice');
  await waitForMessage(bob.page, firstText);
  return { alice, bob };
}

/** Waits until the element `#id` is shown and says something matching `re`; returns its text. */
export async function waitForLine(page, id, re) {
  try {
    await page.waitForFunction(
      ([el, src]) => {
        const e = document.getElementById(el);
        return !e.hidden && new RegExp(src).test(e.textContent);
      },
      [id, re.source],
    );
  } catch (e) {
    e.message += `\n#${id} says: ${JSON.stringify(await page.textContent(`#${id}`).catch(() => '?'))}`;
    throw e;
  }
  return page.textContent(`#${id}`);
}

export function noProblems(...clients) {
  for (const c of clients) {
    assert.deepEqual(c.problems, [], 'no page errors or CSP violations');
    assert.deepEqual(c.dialogs, [], 'no dialog was opened');
  }
}
