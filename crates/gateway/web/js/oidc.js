// Logging in at the server's OpenID provider, when it has one
// (`[auth.oidc]`): a "Log in with …" button that takes this tab to the
// provider, and, when the provider sends it back through the server's
// callback, the outcome the callback put in the URL's fragment: the
// session's tokens, or the error in the server's words. The fragment is
// taken out of the address bar at once, so the tokens stay in no history.
// It counts only in a tab whose button started a login: anyone can make a
// link with a fragment of their own tokens, and a tab that took those
// would work in the link maker's account (a login forged on the victim,
// which the server's `state` check cannot see, the fragment never
// reaching it).

import * as api from './api.js';
import { $ } from './dom.js';

/** Set in this tab's sessionStorage by the button, taken by the callback's page. */
const STARTED = 'ferrochat.oidc-started';

/** Shows the button when the server names a provider (1003: it has none). */
export async function initOidc() {
  let provider;
  try {
    provider = await api.oidcProvider();
  } catch {
    return;
  }
  $('oidc-button').textContent = `Log in with ${provider.name}`;
  $('oidc-button').addEventListener('click', () => {
    $('oidc-button').disabled = true;
    sessionStorage.setItem(STARTED, '1');
    location.assign(`/api/v1/auth/oidc/start?device_id=${encodeURIComponent(api.deviceId())}`);
  });
  $('oidc-login').hidden = false;
}

/**
 * What the callback's fragment says, taken out of the address bar:
 * `{ tokens }` (a token pair to adopt), `{ error }` (the server's words),
 * or null when the page was not opened by the callback of a login this
 * tab started (a fragment it did not ask for is dropped unread).
 */
export function takeOidcResult() {
  const fragment = location.hash.slice(1);
  if (!/(^|&)(access_token|oidc_error)=/.test(fragment)) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  const started = sessionStorage.getItem(STARTED) !== null;
  sessionStorage.removeItem(STARTED);
  if (!started) return null;
  const p = new URLSearchParams(fragment);
  if (p.has('oidc_error')) return { error: p.get('oidc_message') || 'the login failed' };
  return {
    tokens: {
      access_token: p.get('access_token') || '',
      refresh_token: p.get('refresh_token') || '',
      token_type: 'Bearer',
      expires_in: Number(p.get('expires_in')) || 0,
    },
  };
}
