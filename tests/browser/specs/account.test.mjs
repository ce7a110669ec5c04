// The Account panel: the devices logged in (this one marked, one or all
// the others logged out, whose pages land on the login screen saying so
// and stay there), changing the password (errors in words, the others
// logged out, the new one logs in), deleting the account (refused while
// owning groups, named; then the login screen), and what the others see
// of a deleted user ("Deleted user", a read-only chat that keeps what was
// typed); on a phone too.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Server,
  launch,
  register,
  login as harnessLogin,
  loginOn,
  shot,
  send,
  startChat,
  openByName,
  waitForMessage,
  waitForStatus,
  PASSWORD,
  DESKTOP,
  PHONE,
  noProblems,
  waitForLine,
} from '../lib/harness.mjs';

const NEW_PASSWORD = 'a brand new secret';

/** Counts the sockets a page opens from now on, to tell it stops dialing once logged out. */
function watchSockets(client) {
  client.sockets = 0;
  client.page.on('websocket', () => {
    client.sockets += 1;
  });
  return client;
}

/** Logs in through the form, its sockets counted. */
async function login(browser, server, username, options) {
  return watchSockets(await harnessLogin(browser, server, username, options));
}

/** A session made through the API (no device id), as another app would. */
async function apiLogin(server, username, password = PASSWORD) {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const env = await res.json();
  assert.equal(env.code, 0, `login ${username}: ${env.message}`);
  return env.data.access_token;
}

/** The code the API answers an authenticated GET with. */
async function codeOf(server, token, path = '/api/v1/users/profile') {
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return (await res.json()).code;
}

/** An authenticated call from the page, with its tokens; resolves to the envelope. */
function call(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const { access_token: token } = JSON.parse(sessionStorage.getItem('ferrochat.session'));
      const r = await fetch(path, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return r.json();
    },
    { method, path, body },
  );
}

const deviceOf = (page) => page.evaluate(() => sessionStorage.getItem('ferrochat.device'));

/** Opens the Account tab and waits for a list of `n` devices. */
async function openAccount(page, n) {
  await page.click('.tab[data-panel="account"]');
  await waitForDevices(page, n);
}

async function waitForDevices(page, n) {
  try {
    await page.waitForFunction((want) => document.querySelectorAll('#sessions li.session').length === want, n);
  } catch (e) {
    e.message += `\nwanted ${n} devices; shown: ${JSON.stringify(await devices(page).catch(() => []))}`;
    throw e;
  }
}

/** The devices the panel lists, in order. */
function devices(page) {
  return page.$$eval('#sessions li.session', (els) =>
    els.map((li) => ({
      id: li.dataset.deviceId,
      device: li.querySelector('.device').textContent,
      current: li.querySelector('.this-device')?.textContent ?? '',
      created: li.querySelector('time.created').textContent,
      seen: li.querySelector('time.seen').textContent,
      button: li.querySelector('button.end-session')?.textContent ?? '',
    })),
  );
}

/** The page was logged out from elsewhere: the login screen, saying so, tokens gone. */
async function waitForLoggedOut(client, re = /^You were logged out/) {
  const { page } = client;
  await page.waitForSelector('#auth:not([hidden])');
  assert.match(await waitForLine(page, 'auth-notice', re), re);
  assert.equal(await page.isHidden('#app'), true);
  assert.equal(await page.isHidden('#banner'), true, 'no "reconnecting" banner');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('ferrochat.session')), null, 'tokens forgotten');
  client.socketsWhenOut = client.sockets;
}

/** It did not dial again since it landed on the login screen. */
function stayedOut(client) {
  assert.equal(client.sockets, client.socketsWhenOut, 'no socket dialed after the logout');
}

describe('account', () => {
  // One wrong password is free; the next locks the account for a minute.
  const server = new Server({
    env: {
      FERROCHAT_GATEWAY__LOGIN_THROTTLE__FREE_FAILURES: '1',
      FERROCHAT_GATEWAY__LOGIN_THROTTLE__FIRST_BACKOFF: '60s',
    },
  });
  let browser;
  let alice;
  let bob;
  let carol;
  let alice2;
  let alice3;
  let apiToken;

  before(async () => {
    await server.start();
    browser = await launch();
    alice = watchSockets(await register(browser, server, 'alice', { nickname: 'Alice' }));
    bob = watchSockets(await register(browser, server, 'bob', { nickname: 'Bob' }));
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  test('your devices: this one first and marked, the others by name or "unnamed device"', async () => {
    alice2 = await login(browser, server, 'alice');
    apiToken = await apiLogin(server, 'alice');
    await openAccount(alice.page, 3);
    const mine = await deviceOf(alice.page);
    const other = await deviceOf(alice2.page);
    assert.match(mine, /^web-Chrome-Linux-[0-9a-f]{8}$/, 'the browser and system name the device');
    assert.notEqual(mine, other, 'each tab is a device of its own');
    const shown = await devices(alice.page);
    const name = (id) => `Chrome on Linux (${id.slice(-8, -4)})`;
    assert.deepEqual(shown[0], {
      id: mine,
      device: name(mine),
      current: 'this device',
      created: 'just now',
      seen: 'just now',
      button: '',
    });
    assert.deepEqual(
      shown
        .slice(1)
        .map((d) => [d.id, d.device, d.current, d.button])
        .sort(),
      [
        ['', 'unnamed device', '', 'Log out'],
        [other, name(other), '', 'Log out'],
      ],
    );
    assert.ok(shown.every((d) => d.created === 'just now' && d.seen === 'just now'), JSON.stringify(shown));
    await shot(alice.page, 'account.png');
  });

  test('logging another device out: its page lands on the login screen, told why, and stays there', async () => {
    const other = await deviceOf(alice2.page);
    await alice.page.locator(`#sessions li.session[data-device-id="${other}"] button.end-session`).click();
    await waitForLoggedOut(alice2);
    assert.equal(
      await waitForLine(alice.page, 'sessions-status', /was logged out/),
      `Chrome on Linux (${other.slice(-8, -4)}) was logged out.`,
    );
    await waitForDevices(alice.page, 2);
    assert.deepEqual(
      (await devices(alice.page)).map((d) => d.id),
      [await deviceOf(alice.page), ''],
    );
    await shot(alice2.page, 'logged-out.png');
  });

  test('"Log out all other devices" says how many were ended', async () => {
    alice3 = await login(browser, server, 'alice');
    const token2 = await apiLogin(server, 'alice');
    // The list is read when the tab opens: open it again.
    await alice.page.click('.tab[data-panel="chats"]');
    await openAccount(alice.page, 4);
    await alice.page.click('#logout-others');
    assert.equal(
      await waitForLine(alice.page, 'sessions-status', /other devices? w(as|ere) logged out/),
      '3 other devices were logged out.',
    );
    await waitForDevices(alice.page, 1);
    assert.equal(await alice.page.isDisabled('#logout-others'), true, 'nobody else to log out');
    await waitForLoggedOut(alice3);
    assert.equal(await codeOf(server, apiToken), 1002, 'an API session ended too');
    assert.equal(await codeOf(server, token2), 1002);
    // This device goes on.
    await alice.page.click('.tab[data-panel="chats"]');
    await startChat(alice.page, bob.userId, 'Bob');
    await send(alice.page, 'still here');
    await waitForStatus(alice.page, 'still here', ['sent', 'read']);
    stayedOut(alice2);
    noProblems(alice, alice2, alice3);
  });

  test('changing the password: errors in words, the others logged out, the new one logs in', async () => {
    alice2 = await login(browser, server, 'alice');
    await openAccount(alice.page, 2);
    const { page } = alice;
    // Checked here first: the confirmation must match.
    await page.fill('#password-current', PASSWORD);
    await page.fill('#password-new', NEW_PASSWORD);
    await page.fill('#password-confirm', `${NEW_PASSWORD}!`);
    await page.click('#password-submit');
    assert.equal(await waitForLine(page, 'password-error', /./), 'The new passwords do not match.');
    // The server's answers: a wrong current password, a rule broken.
    await page.fill('#password-current', 'not my password');
    await page.fill('#password-confirm', NEW_PASSWORD);
    await page.click('#password-submit');
    assert.equal(await waitForLine(page, 'password-error', /wrong/), 'The current password is wrong.');
    await page.fill('#password-current', PASSWORD);
    await page.fill('#password-new', 'short');
    await page.fill('#password-confirm', 'short');
    await page.click('#password-submit');
    assert.equal(
      await waitForLine(page, 'password-error', /characters/),
      'New password must be 8 to 128 characters.',
    );
    assert.equal(await page.isHidden('#password-done'), true);
    await shot(page, 'account-password-error.png');

    await page.fill('#password-new', NEW_PASSWORD);
    await page.fill('#password-confirm', NEW_PASSWORD);
    await page.click('#password-submit');
    assert.equal(
      await waitForLine(page, 'password-done', /changed/),
      'Your password was changed. 1 other device was logged out.',
    );
    assert.equal(await page.isHidden('#password-error'), true);
    assert.equal(await page.inputValue('#password-current'), '', 'the fields are emptied');
    await waitForLoggedOut(alice2);
    await waitForDevices(page, 1);

    // The old password no longer logs in; the new one does.
    await alice2.page.fill('#auth-username', 'alice');
    await alice2.page.fill('#auth-password', PASSWORD);
    await alice2.page.click('#auth-submit');
    assert.match(await waitForLine(alice2.page, 'auth-error', /./), /invalid username or password/);
    await loginOn(alice2.page, 'alice', NEW_PASSWORD);
    assert.equal(await alice2.page.isHidden('#auth-notice'), true, 'the notice went with the login');
    await openByName(alice2.page, 'Bob');
    await waitForMessage(alice2.page, 'still here');
    // This device stayed logged in, and its socket works.
    await page.click('.tab[data-panel="chats"]');
    await openByName(page, 'Bob');
    await send(page, 'new password, same me');
    await waitForMessage(alice2.page, 'new password, same me');
    noProblems(alice, alice2);
  });

  test('too many wrong passwords: the wait the server asks for is said', async () => {
    carol = watchSockets(await register(browser, server, 'carol', { nickname: 'Carol' }));
    const { page } = carol;
    await openAccount(page, 1);
    await page.fill('#password-current', 'wrong guess one');
    await page.fill('#password-new', NEW_PASSWORD);
    await page.fill('#password-confirm', NEW_PASSWORD);
    for (let i = 0; i < 2; i += 1) {
      await page.evaluate(() => {
        document.getElementById('password-error').hidden = true;
      });
      await page.click('#password-submit');
      assert.equal(await waitForLine(page, 'password-error', /wrong/), 'The current password is wrong.');
    }
    await page.click('#password-submit');
    const said = await waitForLine(page, 'password-error', /Too many/);
    const wait = /^Too many wrong passwords: try again in (\d+) s\.$/.exec(said);
    assert.ok(wait && Number(wait[1]) > 30 && Number(wait[1]) <= 60, `the minute's lock, less what passed: ${said}`);
    assert.equal(await page.isDisabled('#password-submit'), true, 'no use asking again before then');
    noProblems(carol);
  });

  test('deleting the account: refused while owning groups (named), then done; the login screen says so', async () => {
    const { page } = alice;
    // Two groups of alice's, bob in one; a word in each chat.
    const club = await call(page, 'POST', '/api/v1/groups/create', { name: 'Book club', member_ids: [bob.userId] });
    const chess = await call(page, 'POST', '/api/v1/groups/create', { name: 'Chess' });
    assert.equal(club.code, 0, club.message);
    assert.equal(chess.code, 0, chess.message);
    await page.click('.tab[data-panel="chats"]');
    await openByName(page, 'Book club');
    await send(page, 'welcome to the club');
    await waitForStatus(page, 'welcome to the club', ['sent', 'read']);
    await openByName(bob.page, 'Alice');
    await waitForMessage(bob.page, 'new password, same me');
    // Carol has a chat with alice, open, and no group with her.
    await carol.page.click('.tab[data-panel="chats"]');
    await startChat(carol.page, alice.userId, 'Alice');
    await send(carol.page, 'hi alice');
    await waitForStatus(carol.page, 'hi alice', ['sent', 'read']);

    await page.click('.tab[data-panel="account"]');
    await page.click('#delete-start');
    assert.equal(await page.textContent('#delete-username'), 'alice');
    await page.fill('#delete-password', NEW_PASSWORD);
    assert.equal(await page.isDisabled('#delete-submit'), true, 'not before the username is typed');
    await page.fill('#delete-confirm', 'alic');
    assert.equal(await page.isDisabled('#delete-submit'), true);
    await page.fill('#delete-confirm', 'alice');
    assert.equal(await page.isEnabled('#delete-submit'), true);
    await page.click('#delete-submit');
    const refused = await waitForLine(page, 'delete-error', /own groups/);
    assert.match(refused, /Book club/, refused);
    assert.match(refused, /Chess/, refused);
    assert.match(refused, /transfer or dissolve them first/, refused);
    await shot(page, 'account-delete-refused.png');

    // One handed on to bob, the other dissolved (its details pane: the
    // owner's "Dissolve group", confirmed): now it goes.
    const moved = await call(page, 'POST', `/api/v1/groups/${club.data.group_id}/transfer`, { user_id: bob.userId });
    assert.equal(moved.code, 0, moved.message);
    await page.click('.tab[data-panel="chats"]');
    await openByName(page, 'Chess');
    await page.click('#chat-info-button');
    await page.click('#dissolve');
    await page.click('#dissolve-confirm');
    await page.waitForFunction(() => document.getElementById('toast').textContent === '"Chess" was dissolved');
    await page.waitForSelector('#info', { state: 'hidden' });
    await page.click('.tab[data-panel="account"]');
    // The server closes this page's socket (4001) as it deletes: let that
    // close, and the refresh it sets off, come before the answer, and the
    // page still says why it was logged out.
    await page.route('**/api/v1/users/delete', async (route) => {
      const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
      const response = await route.fetch();
      await refreshed;
      await route.fulfill({ response });
    });
    await page.click('#delete-submit');
    await waitForLoggedOut(alice, /^Your account was deleted\.$/);
    await page.unrouteAll();
    await waitForLoggedOut(alice2);
    await shot(page, 'account-deleted.png');
    // Gone: the name logs in no more.
    await page.fill('#auth-username', 'alice');
    await page.fill('#auth-password', NEW_PASSWORD);
    await page.click('#auth-submit');
    assert.match(await waitForLine(page, 'auth-error', /./), /invalid username or password/);
  });

  test('what the others see: "Deleted user", and a read-only chat that keeps what was typed', async () => {
    // Carol did not hear of it: her send is refused, her text kept.
    const { page } = carol;
    await page.fill('#composer-input', 'are you still there?');
    await page.press('#composer-input', 'Enter');
    const said = await waitForLine(page, 'chat-closed', /deleted their account/);
    assert.match(said, /^Not sent: this user deleted their account\./, said);
    assert.equal(await page.inputValue('#composer-input'), 'are you still there?', 'the text is kept');
    assert.equal(await page.getAttribute('#composer-input', 'readonly'), '', 'read-only');
    assert.equal(await page.isDisabled('#composer-send'), true);
    assert.equal(await page.locator('#message-list .msg.mine', { hasText: 'are you still there?' }).count(), 0);
    await page.waitForFunction(() => document.getElementById('chat-name').textContent === 'Deleted user');
    assert.equal(await page.textContent('#chat-sub'), 'deleted their account · read-only');
    await waitForMessage(page, 'hi alice');
    await shot(page, 'deleted-user-chat.png');

    // Bob shared a group with her, which she left: her words stay there,
    // as "Deleted user"'s, and his chat with her is read-only.
    await openByName(bob.page, 'Book club');
    await waitForMessage(bob.page, 'welcome to the club');
    await bob.page.waitForFunction(() =>
      [...document.querySelectorAll('#message-list .msg')].some(
        (li) => li.querySelector('.text')?.textContent === 'welcome to the club' && li.querySelector('.author')?.textContent === 'Deleted user',
      ),
    );
    assert.equal(await bob.page.isEnabled('#composer-send'), true, 'the group still takes messages');
    assert.equal(await bob.page.isHidden('#chat-closed'), true);
    await openByName(bob.page, 'Deleted user');
    await waitForLine(bob.page, 'chat-closed', /^This user deleted their account: this chat is read-only\.$/);
    assert.equal(await bob.page.isDisabled('#composer-send'), true);
    await waitForMessage(bob.page, 'new password, same me');

    // Afresh (a reload): read-only from the start.
    await page.reload();
    await page.waitForSelector('.conversation[data-conversation-id="world"]');
    await openByName(page, 'Deleted user');
    assert.equal(
      await waitForLine(page, 'chat-closed', /read-only/),
      'This user deleted their account: this chat is read-only.',
    );
    assert.equal(await page.isDisabled('#composer-send'), true);
    await waitForMessage(page, 'hi alice');
    stayedOut(alice);
    stayedOut(alice2);
    noProblems(bob, carol);
  });

  test('a session ended without this device hearing of it: found out before dialing again, no redial loop', async () => {
    const reg = await fetch(`${server.url}/api/v1/users/register`, {
      method: 'POST',
      body: JSON.stringify({ username: 'dave', password: PASSWORD }),
    });
    assert.equal((await reg.json()).code, 0);
    // The page's sockets pass through here, and the server's 4001 close is
    // lost on the way (a network cut at that moment): the page sees 1006.
    const context = await browser.newContext({ viewport: DESKTOP });
    let dials = 0;
    await context.routeWebSocket(/\/ws/, (ws) => {
      dials += 1;
      const upstream = ws.connectToServer();
      upstream.onClose((code) => ws.close({ code: code === 4001 ? 4000 : code, reason: 'cut' }));
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(server.url);
    await loginOn(page, 'dave', PASSWORD);
    const token = await apiLogin(server, 'dave');
    const res = await fetch(`${server.url}/api/v1/auth/logout/others`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal((await res.json()).data.revoked, 1);
    await waitForLoggedOut({ page });
    assert.ok(dials <= 2, `at most one dial after the cut, refused (${dials} in all)`);
    await context.close();
  });

  test('on a phone: the Account tab, the devices and the forms fit', async () => {
    const phone = await login(browser, server, 'bob', { viewport: PHONE });
    const { page } = phone;
    await openAccount(page, 2);
    const shown = await devices(page);
    assert.equal(shown[0].current, 'this device');
    assert.equal(await page.isVisible('#password-submit'), true);
    const overflow = await page.evaluate(() => {
      const panel = document.getElementById('panel-account');
      return panel.scrollWidth - panel.clientWidth;
    });
    assert.equal(overflow, 0, 'nothing wider than the screen');
    await shot(page, 'phone-account.png');
    // bob's desktop page is the other device: log it out from the phone.
    await page.locator('#sessions li.session button.end-session').click();
    await waitForLoggedOut(bob);
    noProblems(phone);
  });
});
