// Logging in at an OpenID provider: the login screen's "Log in with …"
// button takes the tab to a real provider (panva's oidc-provider, from
// tests/oidc, on 127.0.0.1), its login and consent pages are filled in as
// a person would, and the provider sends the tab back through the server's
// callback into the app, logged in, with nothing left in the address bar.
// Cancelling at the provider comes back to the login screen, saying so.
// A link carrying someone's tokens (or an error) in its fragment, which
// no login of the tab asked for, logs nobody in and says nothing.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { Server, ROOT, launch, openClient, noProblems } from '../lib/harness.mjs';

const CLIENT_ID = 'ferrochat-browser-test';
const CLIENT_SECRET = 'the browser test client secret';

/** A port free now on 127.0.0.1, for a server whose address must be known before it starts. */
async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The provider process, redirecting to `redirect`; resolves with its issuer and the process. */
function startProvider(redirect) {
  const proc = spawn('node', ['provider.mjs', CLIENT_ID, CLIENT_SECRET, redirect], {
    cwd: path.join(ROOT, 'tests/oidc'),
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the OpenID provider did not start in 30 s')), 30_000);
    const lines = readline.createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      const m = /^issuer (.+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ issuer: m[1], proc });
      }
    });
    proc.on('exit', (code) => reject(new Error(`the OpenID provider exited with ${code}`)));
  });
}

describe('OpenID login', () => {
  let server;
  let provider;
  let browser;

  before(async () => {
    const port = await freePort();
    provider = await startProvider(`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`);
    server = new Server({
      env: {
        FERROCHAT_AUTH__OIDC__ISSUER: provider.issuer,
        FERROCHAT_AUTH__OIDC__CLIENT_ID: CLIENT_ID,
        FERROCHAT_AUTH__OIDC__CLIENT_SECRET: CLIENT_SECRET,
        FERROCHAT_AUTH__OIDC__REDIRECT_URL: `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`,
        FERROCHAT_AUTH__OIDC__NAME: 'Test ID',
      },
    });
    await server.start(`127.0.0.1:${port}`);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    provider?.proc.kill();
  });

  /** On the provider's pages (`page` was sent there): signs in as `name` and consents. */
  async function signInAtProvider(page, name) {
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', name);
    await page.fill('input[name="password"]', 'anything');
    await page.click('button[type="submit"]');
    await page.waitForSelector('button:has-text("Continue")');
    await page.click('button:has-text("Continue")');
  }

  test('the button logs in through the provider, and the account is the same the next time', async () => {
    const client = await openClient(browser, server);
    const { page } = client;
    await page.waitForSelector('#oidc-button:visible');
    assert.equal(await page.textContent('#oidc-button'), 'Log in with Test ID');
    await page.click('#oidc-button');
    await page.waitForURL((u) => u.toString().startsWith(provider.issuer));
    await signInAtProvider(page, 'olivia');

    await page.waitForSelector('#app:not([hidden])');
    assert.equal(await page.textContent('#me-name'), 'olivia');
    await page.waitForSelector('.conversation[data-conversation-id="world"]');
    // The tokens left the address bar, and are kept as a login's are.
    assert.equal(new URL(page.url()).hash, '');
    const kept = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ferrochat.session')));
    assert.ok(kept.refresh_token, 'a refresh token is kept');
    assert.equal(kept.user.username, 'olivia');
    const userId = kept.user.user_id;
    // The session is named after this tab, as a password login's is.
    await page.click('.sidebar .tab[data-panel="account"]');
    await page.waitForSelector('#sessions li');
    assert.match(await page.textContent('#sessions'), /Chrome on Linux/);

    // Logged out, and in again: the same account (the provider remembers
    // the browser, so no login page this time, maybe a consent).
    await page.click('#logout');
    await page.waitForSelector('#auth:not([hidden])');
    await page.click('#oidc-button');
    await page.waitForSelector('#app:not([hidden]), input[name="login"], button:has-text("Continue")');
    if (await page.$('input[name="login"]')) await signInAtProvider(page, 'olivia');
    else if (await page.$('button:has-text("Continue")')) await page.click('button:has-text("Continue")');
    await page.waitForSelector('#app:not([hidden])');
    const again = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ferrochat.session')));
    assert.equal(again.user.user_id, userId);
    noProblems(client);
    await client.context.close();
  });

  test('tokens in a link the tab did not ask for log nobody in', async () => {
    // Mallory's own token pair, as anyone can get theirs.
    const post = async (p, body) => {
      const r = await fetch(`${server.url}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const reply = await r.json();
      assert.equal(reply.code, 0, JSON.stringify(reply));
      return reply.data;
    };
    await post('/api/v1/users/register', { username: 'mallory', password: 'correct horse battery' });
    const t = await post('/api/v1/auth/login', { username: 'mallory', password: 'correct horse battery' });
    const fragments = [
      `access_token=${t.access_token}&refresh_token=${t.refresh_token}&token_type=Bearer&expires_in=900`,
      'oidc_error=1002&oidc_message=Call%20this%20number',
    ];
    for (const fragment of fragments) {
      const client = await openClient(browser, server);
      const { page } = client;
      // A page load of its own (from the app's page, a fragment alone
      // would only scroll).
      await page.goto('about:blank');
      await page.goto(`${server.url}/#${fragment}`);
      await page.waitForSelector('#auth:not([hidden])');
      await page.waitForSelector('#oidc-button:visible');
      assert.ok(await page.$eval('#auth-notice', (e) => e.hidden || e.textContent === ''), 'no notice');
      assert.equal(new URL(page.url()).hash, '', 'the fragment left the address bar');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('ferrochat.session')), null);
      assert.equal(await page.isHidden('#app'), true);
      noProblems(client);
      await client.context.close();
    }
  });

  test('a login cancelled at the provider comes back to the login screen, saying so', async () => {
    const client = await openClient(browser, server);
    const { page } = client;
    await page.waitForSelector('#oidc-button:visible');
    await page.click('#oidc-button');
    await page.waitForSelector('input[name="login"]');
    await page.click('a:has-text("Cancel")');
    await page.waitForSelector('#auth:not([hidden])');
    await page.waitForSelector('#auth-notice:not([hidden])');
    assert.equal(await page.textContent('#auth-notice'), 'Could not log in: the identity provider did not log you in');
    assert.equal(new URL(page.url()).hash, '');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('ferrochat.session')), null);
    noProblems(client);
    await client.context.close();
  });
});
