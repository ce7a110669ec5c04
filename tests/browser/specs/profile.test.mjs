// The profile (nickname, status line, email: saved, kept over a reload,
// errors in words, an email another account holds refused), the status
// line as the others see it, downloading one's data (a real file that
// parses and holds one's messages; a cut-off answer and a running export
// said as such), and setting a new password with an operator's reset
// token (by link and by the form; the old password refused, the new one
// working, a used token refused, a throttle's wait said); on a phone too.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  BIN,
  Server,
  launch,
  register,
  openClient,
  loginOn,
  shot,
  send,
  startChat,
  openByName,
  waitForStatus,
  PASSWORD,
  PHONE,
  noProblems,
  waitForLine,
} from '../lib/harness.mjs';

const STATUS = 'Out hiking, back on Monday';

/** A reset token for `username`, as the operator gets it from the running server's data dir. */
async function resetToken(server, username) {
  const { stdout } = await promisify(execFile)(
    BIN,
    ['admin', 'reset-password', username, '--data-dir', server.dataDir],
    { timeout: 30_000 },
  );
  const token = stdout.trim();
  assert.ok(token.length > 20 && !/\s/.test(token), `a token alone on stdout: ${JSON.stringify(stdout)}`);
  return token;
}

/** Opens the Account tab and waits for the profile form to hold our profile. */
async function openProfile(page, nickname) {
  await page.click('.tab[data-panel="account"]');
  await page.waitForFunction((n) => document.getElementById('profile-nickname').value === n, nickname);
}

function profileShown(page) {
  return page.evaluate(() => ({
    nickname: document.getElementById('profile-nickname').value,
    status: document.getElementById('profile-status').value,
    email: document.getElementById('profile-email').value,
    header: document.getElementById('me-name').textContent,
  }));
}

async function saveProfile(page, { nickname, status, email }) {
  if (nickname !== undefined) await page.fill('#profile-nickname', nickname);
  if (status !== undefined) await page.fill('#profile-status', status);
  if (email !== undefined) await page.fill('#profile-email', email);
  await page.click('#profile-submit');
}

const invalid = (page, id) => page.getAttribute(`#${id}`, 'aria-invalid');

/** Tries to log in through the form, expecting a refusal; returns what it says. */
async function tryLogin(page, username, password) {
  await page.fill('#auth-username', username);
  await page.fill('#auth-password', password);
  await page.click('#auth-submit');
  return waitForLine(page, 'auth-error', /./);
}

describe('profile, export, password reset', () => {
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

  test('the profile: saved, shown as saved, kept over a reload; a field in error named', async () => {
    const { page } = alice;
    await openProfile(page, 'Alice');
    assert.deepEqual(await profileShown(page), { nickname: 'Alice', status: '', email: '', header: 'Alice' });

    await saveProfile(page, { email: 'not-an-address' });
    assert.equal(await waitForLine(page, 'profile-error', /./), 'Email is not an email address.');
    assert.equal(await invalid(page, 'profile-email'), 'true');
    assert.equal(await page.isHidden('#profile-done'), true);

    await saveProfile(page, { nickname: '  Alice A.  ', status: ` ${STATUS} `, email: 'Alice@Example.org' });
    await waitForLine(page, 'profile-done', /^Profile saved\.$/);
    assert.equal(await page.isHidden('#profile-error'), true);
    assert.equal(await invalid(page, 'profile-email'), null, 'the mark went with the error');
    // As the server holds it (trimmed), and our name in the header follows.
    assert.deepEqual(await profileShown(page), {
      nickname: 'Alice A.',
      status: STATUS,
      email: 'Alice@Example.org',
      header: 'Alice A.',
    });

    await page.reload();
    await page.waitForSelector('#app:not([hidden])');
    assert.equal(await page.textContent('#me-name'), 'Alice A.', 'the header after a reload');
    await openProfile(page, 'Alice A.');
    assert.deepEqual(await profileShown(page), {
      nickname: 'Alice A.',
      status: STATUS,
      email: 'Alice@Example.org',
      header: 'Alice A.',
    });
    noProblems(alice);
  });

  test('an email another account has (whatever its case) is refused, said so, nothing saved', async () => {
    const { page } = bob;
    await openProfile(page, 'Bob');
    await saveProfile(page, { status: 'Bob here', email: 'ALICE@example.org' });
    assert.equal(
      await waitForLine(page, 'profile-error', /./),
      'This email is already in use by another account.',
    );
    assert.equal(await invalid(page, 'profile-email'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'profile-email');
    // Nothing of that PUT was saved: the form, read again, is as before.
    await page.click('.tab[data-panel="chats"]');
    await openProfile(page, 'Bob');
    await page.waitForFunction(() => document.getElementById('profile-email').value === '');
    assert.deepEqual(await profileShown(page), { nickname: 'Bob', status: '', email: '', header: 'Bob' });
    noProblems(bob);
  });

  test('the others see the status line: in the chat header and when finding people', async () => {
    const { page } = bob;
    await page.click('.tab[data-panel="chats"]');
    await page.fill('#people-q', 'ali');
    await page.click('#people-search button[type=submit]');
    const row = page.locator(`#people li.person[data-user-id="${alice.userId}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.status-line').textContent(), STATUS);

    await startChat(page, alice.userId, 'Alice A.');
    await page.waitForFunction((s) => {
      const e = document.getElementById('chat-status');
      return !e.hidden && e.textContent === s;
    }, STATUS);
    assert.equal(await page.getAttribute('#chat-status', 'title'), STATUS);
    // Nobody but alice sees her email.
    const seen = await page.evaluate(async (id) => {
      const { access_token: t } = JSON.parse(sessionStorage.getItem('ferrochat.session'));
      const r = await fetch(`/api/v1/users/${id}`, { headers: { Authorization: `Bearer ${t}` } });
      return (await r.json()).data;
    }, alice.userId);
    assert.equal(seen.email, undefined);
    await send(page, 'hello Alice, nice status');
    await waitForStatus(page, 'hello Alice, nice status', ['sent', 'read']);
    await shot(page, 'status-line.png');

    // A chat with someone without one shows no line.
    await page.click('.conversation[data-conversation-id="world"]');
    await page.waitForFunction(() => document.getElementById('chat-status').hidden);
    noProblems(bob);
  });

  test('downloading my data: a file that parses and holds my messages', async () => {
    const { page } = alice;
    await page.click('.tab[data-panel="chats"]');
    await openByName(page, 'Bob');
    await send(page, 'this goes in my export');
    await waitForStatus(page, 'this goes in my export', ['sent', 'read']);

    await page.click('.tab[data-panel="account"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-start')]);
    assert.equal(download.suggestedFilename(), 'ferrochat-export-alice.json');
    const doc = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(doc.code, 0);
    assert.equal(doc.data.format, 'ferrochat-export/1');
    assert.equal(doc.data.profile.email, 'Alice@Example.org');
    assert.equal(doc.data.profile.status_text, STATUS);
    const texts = doc.data.conversations.flatMap((c) => c.messages.map((m) => m.content));
    assert.ok(texts.includes('this goes in my export'), JSON.stringify(texts));
    assert.ok(texts.includes('hello Alice, nice status'), JSON.stringify(texts));
    assert.match(
      await waitForLine(page, 'export-status', /saved/),
      /^Your data was saved as ferrochat-export-alice\.json \(\d+ (bytes|KiB)\)\.$/,
    );
    assert.equal(await page.isEnabled('#export-start'), true);
    noProblems(alice);
  });

  test('downloading my data: an answer cut off, and an export already running, are said', async () => {
    const { page } = alice;
    let downloads = 0;
    page.on('download', () => {
      downloads += 1;
    });
    // The real answer, cut in the middle (as the server does when it fails midway).
    await page.route('**/api/v1/users/export', async (route) => {
      const res = await route.fetch();
      const body = await res.body();
      await route.fulfill({ response: res, body: body.subarray(0, Math.floor(body.length / 2)) });
    });
    await page.click('#export-start');
    assert.equal(
      await waitForLine(page, 'export-error', /./),
      'The download was cut off before the end: try again.',
    );
    assert.equal(await page.isHidden('#export-status'), true);
    assert.equal(await page.isEnabled('#export-start'), true);

    await page.unroute('**/api/v1/users/export');
    await page.route('**/api/v1/users/export', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '1' },
        body: JSON.stringify({ code: 1007, message: 'an export of yours is already running' }),
      }),
    );
    await page.click('#export-start');
    assert.equal(
      await waitForLine(page, 'export-error', /running/),
      'An export of yours is already running: wait for it to finish.',
    );
    await page.unroute('**/api/v1/users/export');
    assert.equal(downloads, 0, 'nothing was saved');
    noProblems(alice);
  });

  test('a reset link: the form with the token, errors in words, then the login says so; old password refused', async () => {
    const carol = await register(browser, server, 'carol', { nickname: 'Carol' });
    const token = await resetToken(server, 'carol');
    const client = await openClient(browser, server);
    const { page } = client;
    await page.goto(`${server.url}/#reset=${encodeURIComponent(token)}`);
    await page.waitForSelector('#reset-form:not([hidden])');
    assert.equal(await page.isHidden('#auth-form'), true);
    assert.equal(await page.inputValue('#reset-token'), token);
    assert.equal(await page.evaluate(() => location.hash), '', 'the token left the address');

    await page.fill('#reset-password', 'a new secret');
    await page.fill('#reset-confirm', 'a new secreT');
    await page.click('#reset-submit');
    assert.equal(await waitForLine(page, 'reset-error', /./), 'The new passwords do not match.');
    assert.equal(await invalid(page, 'reset-confirm'), 'true');

    await page.fill('#reset-password', 'short');
    await page.fill('#reset-confirm', 'short');
    await page.click('#reset-submit');
    assert.equal(await waitForLine(page, 'reset-error', /^New/), 'New password must be 8 to 128 characters.');
    assert.equal(await invalid(page, 'reset-password'), 'true');

    await page.fill('#reset-password', 'carols new secret');
    await page.fill('#reset-confirm', 'carols new secret');
    await page.click('#reset-submit');
    await page.waitForSelector('#auth-form:not([hidden])');
    assert.equal(
      await waitForLine(page, 'auth-notice', /./),
      'Password changed: log in with the new one.',
    );
    assert.equal(await page.isHidden('#reset-form'), true);
    // Every session of carol's ended: her other page is on the login screen.
    await carol.page.waitForSelector('#auth:not([hidden])');

    assert.match(await tryLogin(page, 'carol', PASSWORD), /invalid username or password/);
    await loginOn(page, 'carol', 'carols new secret');
    noProblems(client, carol);
    await client.context.close();
    await carol.context.close();
  });

  test('the reset form from the login screen; a used token refused with the server\'s words', async () => {
    const client = await openClient(browser, server);
    const { page } = client;
    const token = await resetToken(server, 'carol');
    await page.click('#reset-open');
    await page.waitForSelector('#reset-form:not([hidden])');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reset-token');
    await page.fill('#reset-token', token);
    await page.fill('#reset-password', 'carols third secret');
    await page.fill('#reset-confirm', 'carols third secret');
    await page.click('#reset-submit');
    await waitForLine(page, 'auth-notice', /^Password changed/);

    // Once more with the same token.
    await page.click('#reset-open');
    await page.fill('#reset-token', token);
    await page.fill('#reset-password', 'carols fourth secret');
    await page.fill('#reset-confirm', 'carols fourth secret');
    await page.click('#reset-submit');
    assert.equal(
      await waitForLine(page, 'reset-error', /./),
      'Invalid, used or expired reset token. Ask for a new one.',
    );
    assert.equal(await invalid(page, 'reset-token'), 'true');
    assert.equal(await page.isEnabled('#reset-submit'), true);

    await page.click('#reset-cancel');
    await page.waitForSelector('#auth-form:not([hidden])');
    assert.match(await tryLogin(page, 'carol', 'carols new secret'), /invalid username or password/);
    assert.match(await tryLogin(page, 'carol', 'carols fourth secret'), /invalid username or password/);
    await loginOn(page, 'carol', 'carols third secret');
    noProblems(client);
    await client.context.close();
  });

  test('a reset throttled: the wait the server asks for is said, the button back after it', async () => {
    const client = await openClient(browser, server);
    const { page } = client;
    let asked = 0;
    await page.route('**/api/v1/auth/password/reset', (route) => {
      asked += 1;
      return route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '2' },
        body: JSON.stringify({ code: 1007, message: 'too many requests, retry in 2 s', retry_after_ms: 1500 }),
      });
    });
    await page.goto(`${server.url}/#reset=some-token`);
    await page.fill('#reset-password', 'whatever it is');
    await page.fill('#reset-confirm', 'whatever it is');
    await page.click('#reset-submit');
    assert.equal(await waitForLine(page, 'reset-error', /./), 'Too many attempts: try again in 2 s.');
    assert.equal(await page.isDisabled('#reset-submit'), true, 'no asking again before the wait is over');
    await page.waitForSelector('#reset-submit:enabled', { timeout: 10_000 });
    assert.equal(asked, 1);
    noProblems(client);
    await client.context.close();
  });

  test('on a phone: the profile, the export and the reset form fit', async () => {
    const client = await openClient(browser, server, PHONE);
    const { page } = client;
    await page.click('#reset-open');
    await page.waitForSelector('#reset-form:not([hidden])');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.equal(await fits(), true, 'the reset form fits');
    await shot(page, 'reset-phone.png');
    await page.click('#reset-cancel');
    await loginOn(page, 'alice');
    await openProfile(page, 'Alice A.');
    assert.equal(await fits(), true, 'the Account panel fits');
    for (const id of ['profile-status', 'profile-email', 'profile-submit', 'export-start']) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `#${id} within the screen: ${JSON.stringify(box)}`);
    }
    await shot(page, 'profile-phone.png');
    noProblems(client);
    await client.context.close();
  });
});
