// The Account panel: the devices logged in to this account (log one out,
// or all the others), changing the password, deleting the account. Errors
// show under their form, in words, from the server's envelope.

import * as api from './api.js';
import { $, h, clear, relativeTime, fullTime } from './dom.js';
import { state } from './state.js';

/** Answers to older listings are dropped: only the latest is shown. */
let listSeq = 0;
let throttleTimer = 0;

export function initAccount() {
  $('logout-others').addEventListener('click', logoutOthers);
  $('password-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    changePassword();
  });
  $('delete-start').addEventListener('click', () => showDelete(true));
  $('delete-cancel').addEventListener('click', () => showDelete(false));
  $('delete-confirm').addEventListener('input', armDelete);
  $('delete-password').addEventListener('input', armDelete);
  $('delete-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    deleteAccount();
  });
}

/** A new session (or none): empty forms, nothing said. */
export function resetAccount() {
  listSeq += 1;
  clearTimeout(throttleTimer);
  clear($('sessions'));
  delete $('sessions').dataset.count;
  say('sessions-status', '');
  for (const id of ['password-current', 'password-new', 'password-confirm', 'delete-confirm', 'delete-password']) {
    $(id).value = '';
  }
  say('password-error', '');
  say('password-done', '');
  $('password-submit').disabled = false;
  showDelete(false);
}

/** Shows a message in one of the panel's lines (scrolled to), or hides it when empty. */
function say(id, text) {
  const line = $(id);
  line.textContent = text;
  line.hidden = !text;
  if (text) line.scrollIntoView({ block: 'nearest' });
}

// ---- your devices -----------------------------------------------------------

/** Reads the live sessions again and lists them, this device first. */
export async function loadSessions() {
  const list = $('sessions');
  const mine = ++listSeq;
  let sessions;
  try {
    ({ sessions } = await api.get('/api/v1/auth/sessions'));
  } catch (e) {
    if (mine !== listSeq) return;
    clear(list).append(h('li', { className: 'error' }, `Could not list your devices: ${e.message}`));
    return;
  }
  if (mine !== listSeq) return;
  const ordered = [...sessions.filter((s) => s.current), ...sessions.filter((s) => !s.current)];
  clear(list).append(...ordered.map(sessionRow));
  list.dataset.count = String(ordered.length);
  $('logout-others').disabled = ordered.length < 2;
}

/**
 * A device as a person reads it: this client's own ids
 * (`web-Chrome-Linux-1a2b3c4d`) as "Chrome on Linux (1a2b)", the
 * random part telling two tabs apart; any other id as it is.
 */
function deviceName(id) {
  if (!id) return 'unnamed device';
  const m = /^web-([A-Za-z]+)-([A-Za-z]+)-([0-9a-f]{8})$/.exec(id);
  return m ? `${m[1]} on ${m[2]} (${m[3].slice(0, 4)})` : id;
}

function sessionRow(s) {
  return h(
    'li',
    {
      className: `row session ${s.current ? 'current' : ''}`,
      dataset: { sessionId: s.session_id, deviceId: s.device_id || '' },
    },
    h(
      'div',
      { className: 'grow' },
      h(
        'div',
        { className: 'name' },
        h('span', { className: 'device', title: s.device_id || '' }, deviceName(s.device_id)),
        s.current ? h('span', { className: 'this-device' }, 'this device') : null,
      ),
      h(
        'div',
        { className: 'muted small' },
        'logged in ',
        h('time', { className: 'created', dateTime: s.created_at, title: fullTime(s.created_at) }, relativeTime(s.created_at)),
        ' · last seen ',
        h('time', { className: 'seen', dateTime: s.last_seen_at, title: fullTime(s.last_seen_at) }, relativeTime(s.last_seen_at)),
      ),
    ),
    s.current
      ? null
      : h('button', { type: 'button', className: 'end-session', onclick: (ev) => endSession(s, ev.currentTarget) }, 'Log out'),
  );
}

async function endSession(s, button) {
  button.disabled = true;
  say('sessions-status', '');
  try {
    await api.del(`/api/v1/auth/sessions/${encodeURIComponent(s.session_id)}`);
    say('sessions-status', `${s.device_id ? deviceName(s.device_id) : 'The unnamed device'} was logged out.`);
  } catch (e) {
    // 1003: it ended meanwhile (expired, logged out there); the list says so.
    say('sessions-status', e.code === 1003 ? 'That device was logged out already.' : `Could not log it out: ${e.message}`);
  }
  await loadSessions();
}

async function logoutOthers() {
  const button = $('logout-others');
  button.disabled = true;
  say('sessions-status', '');
  try {
    const { revoked } = await api.post('/api/v1/auth/logout/others');
    say('sessions-status', revoked ? `${devices(revoked)} logged out.` : 'No other device was logged in.');
  } catch (e) {
    say('sessions-status', `Could not log the other devices out: ${e.message}`);
  }
  await loadSessions();
}

/** "1 other device was", "3 other devices were". */
function devices(n) {
  return n === 1 ? '1 other device was' : `${n} other devices were`;
}

// ---- change password --------------------------------------------------------

const FIELDS = {
  current_password: 'Current password',
  new_password: 'New password',
  password: 'Password',
};

/**
 * An error of the account's forms, in words: a field's rule names the
 * field, a throttle says how long to wait.
 */
function explain(e) {
  if (e.code === 1001) {
    const m = /^(\w+): (.*)$/.exec(e.message);
    if (m && FIELDS[m[1]]) return `${FIELDS[m[1]]} ${m[2]}.`;
  }
  if (e.code === 1007) {
    const secs = Math.max(1, Math.ceil(e.retryAfterMs / 1000));
    return e.retryAfterMs
      ? `Too many wrong passwords: try again in ${secs} s.`
      : 'Too many wrong passwords: try again later.';
  }
  return capital(e.message);
}

const capital = (s) => (s ? `${s[0].toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}` : s);

/**
 * After a refusal, the button comes back (`rearm`), at once or, after a
 * throttle, once the wait the server asked for is over.
 */
function rearmAfter(e, rearm) {
  clearTimeout(throttleTimer);
  if (e.code === 1007 && e.retryAfterMs) throttleTimer = setTimeout(rearm, e.retryAfterMs);
  else rearm();
}

/** What is wrong with the password form before asking, if anything. */
function passwordProblem() {
  if (!$('password-current').value) return ['password-current', 'Type your current password.'];
  if (!$('password-new').value) return ['password-new', 'Type a new password.'];
  if ($('password-new').value !== $('password-confirm').value) {
    return ['password-confirm', 'The new passwords do not match.'];
  }
  return null;
}

async function changePassword() {
  say('password-error', '');
  say('password-done', '');
  const problem = passwordProblem();
  if (problem) {
    say('password-error', problem[1]);
    $(problem[0]).focus();
    return;
  }
  const button = $('password-submit');
  button.disabled = true;
  let done;
  try {
    const { revoked } = await api.post('/api/v1/auth/password', {
      current_password: $('password-current').value,
      new_password: $('password-new').value,
    });
    done = `Your password was changed. ${revoked ? `${devices(revoked)} logged out.` : 'No other device was logged in.'}`;
  } catch (e) {
    if (e.code !== 1009) {
      say('password-error', explain(e));
      rearmAfter(e, () => {
        button.disabled = false;
      });
      if (e.code === 1005) $('password-current').select();
      return;
    }
    // Changed, but not every node may have ended the other sessions yet.
    done = 'Your password was changed, but other devices may stay logged in for a while: use “Log out all other devices”.';
  }
  button.disabled = false;
  for (const id of ['password-current', 'password-new', 'password-confirm']) $(id).value = '';
  say('password-done', done);
  await loadSessions();
}

// ---- delete account ---------------------------------------------------------

function showDelete(open) {
  $('delete-form').hidden = !open;
  $('delete-start').hidden = open;
  $('delete-confirm').value = '';
  $('delete-password').value = '';
  say('delete-error', '');
  $('delete-username').textContent = state.me ? state.me.username : '';
  armDelete();
  if (open) $('delete-confirm').focus();
}

/** The button works once the username is typed as it is, and a password. */
function armDelete() {
  const typed = $('delete-confirm').value.trim();
  $('delete-submit').disabled = !state.me || typed !== state.me.username || !$('delete-password').value;
}

async function deleteAccount() {
  const button = $('delete-submit');
  if (button.disabled) return;
  button.disabled = true;
  say('delete-error', '');
  try {
    // On success the session ends: the login screen says the account is gone.
    await api.deleteAccount($('delete-password').value);
  } catch (e) {
    // 1006: groups of ours stand in the way; the server names them.
    say('delete-error', explain(e));
    rearmAfter(e, armDelete);
  }
}
