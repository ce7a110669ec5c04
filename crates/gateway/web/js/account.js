// The Account panel: the profile (nickname, status line, email), the
// devices logged in to this account (log one out, or all the others),
// changing the password, downloading one's data, deleting the account.
// And, on the login screen, setting a new password with an operator's
// reset token. Errors show under their form, in words, from the server's
// envelope.

import * as api from './api.js';
import { $, h, clear, relativeTime, fullTime } from './dom.js';
import { state } from './state.js';

/** Answers to older listings are dropped: only the latest is shown. */
let listSeq = 0;
let throttleTimer = 0;
/** Answers to older profile reads are dropped. */
let profileSeq = 0;

export function initAccount() {
  $('profile-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    saveProfile();
  });
  $('export-start').addEventListener('click', exportData);
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
  profileSeq += 1;
  clearTimeout(throttleTimer);
  clear($('sessions'));
  delete $('sessions').dataset.count;
  say('sessions-status', '');
  for (const id of [...PROFILE_INPUTS, 'password-current', 'password-new', 'password-confirm', 'delete-confirm', 'delete-password']) {
    $(id).value = '';
  }
  for (const id of ['profile-error', 'profile-done', 'password-error', 'password-done', 'export-status', 'export-error']) say(id, '');
  markInvalid(null, PROFILE_INPUTS);
  $('password-submit').disabled = false;
  $('profile-submit').disabled = false;
  $('export-start').disabled = false;
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

/** The API's field names, as the forms call them. */
const FIELDS = {
  current_password: 'Current password',
  new_password: 'New password',
  password: 'Password',
  nickname: 'Nickname',
  status_text: 'Status line',
  email: 'Email',
  token: 'Reset token',
};

/** The field a 1001 names (`email: is not an email address`), if any. */
function fieldOf(e) {
  const m = e.code === 1001 ? /^(\w+): (.*)$/.exec(e.message) : null;
  return m && FIELDS[m[1]] ? { field: m[1], rule: m[2] } : null;
}

/**
 * An error of the account's forms, in words: a field's rule names the
 * field, a throttle says how long to wait (`tooMany`: what there were
 * too many of).
 */
function explain(e, tooMany = 'Too many wrong passwords') {
  const f = fieldOf(e);
  if (f) return `${FIELDS[f.field]} ${f.rule}.`;
  if (e.code === 1007) {
    const secs = Math.max(1, Math.ceil(e.retryAfterMs / 1000));
    return e.retryAfterMs ? `${tooMany}: try again in ${secs} s.` : `${tooMany}: try again later.`;
  }
  return capital(e.message);
}

/** Marks the input in error (`aria-invalid`) among `ids`, the others not; focuses it. */
function markInvalid(bad, ids) {
  for (const id of ids) $(id).removeAttribute('aria-invalid');
  if (!bad) return;
  $(bad).setAttribute('aria-invalid', 'true');
  $(bad).focus();
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

// ---- profile ----------------------------------------------------------------

const PROFILE_INPUTS = ['profile-nickname', 'profile-status', 'profile-email'];
/** Each field of PUT /api/v1/users/profile, and its input. */
const PROFILE_FIELDS = { nickname: 'profile-nickname', status_text: 'profile-status', email: 'profile-email' };

/** Reads our profile and fills the form with it (when the panel opens). */
export async function loadProfile() {
  const mine = ++profileSeq;
  try {
    const profile = await api.get('/api/v1/users/profile');
    if (mine === profileSeq) showProfile(profile);
  } catch (e) {
    if (mine === profileSeq) say('profile-error', `Could not read your profile: ${e.message}`);
  }
}

/** The form shows the profile as the server holds it; the header our name. */
function showProfile(p) {
  $('profile-nickname').value = p.nickname || '';
  $('profile-status').value = p.status_text || '';
  $('profile-email').value = p.email || '';
  $('profile-form').dataset.saved = JSON.stringify([p.nickname || '', p.status_text || '', p.email || '']);
  if (state.me && state.me.user_id === p.user_id) {
    state.me = { ...state.me, nickname: p.nickname };
    api.rememberUser(state.me);
    $('me-name').textContent = p.nickname || p.username;
  }
}

async function saveProfile() {
  say('profile-error', '');
  say('profile-done', '');
  markInvalid(null, PROFILE_INPUTS);
  const body = {};
  for (const [field, id] of Object.entries(PROFILE_FIELDS)) body[field] = $(id).value.trim();
  const button = $('profile-submit');
  button.disabled = true;
  profileSeq += 1;
  try {
    showProfile(await api.put('/api/v1/users/profile', body));
    say('profile-done', 'Profile saved.');
  } catch (e) {
    const f = fieldOf(e);
    // 1006: the only field another account can hold is the email.
    const bad = f ? PROFILE_FIELDS[f.field] : e.code === 1006 ? 'profile-email' : null;
    say('profile-error', e.code === 1006 ? 'This email is already in use by another account.' : explain(e, 'Too many changes'));
    markInvalid(bad, PROFILE_INPUTS);
  } finally {
    button.disabled = false;
  }
}

// ---- your data --------------------------------------------------------------

/**
 * Downloads the export: read with the access token (a plain link cannot
 * carry it), checked whole (a response cut off midway does not parse),
 * then handed to the browser as a file.
 */
async function exportData() {
  const button = $('export-start');
  button.disabled = true;
  say('export-error', '');
  say('export-status', 'Preparing your data…');
  let got;
  try {
    got = await api.download('/api/v1/users/export', (bytes) => {
      say('export-status', `Preparing your data… ${kib(bytes)} received`);
    });
    const doc = JSON.parse(got.text);
    if (!doc || doc.code !== 0 || !doc.data) throw new SyntaxError('not an export');
  } catch (e) {
    say('export-status', '');
    say(
      'export-error',
      e instanceof SyntaxError
        ? 'The download was cut off before the end: try again.'
        : e.code === 1007
          ? 'An export of yours is already running: wait for it to finish.'
          : `Could not download your data: ${e.message}.`,
    );
    button.disabled = false;
    return;
  }
  const name = got.filename || `ferrochat-export-${state.me ? state.me.username : 'me'}.json`;
  saveFile(got.text, name, 'application/json');
  say('export-status', `Your data was saved as ${name} (${kib(got.text.length)}).`);
  button.disabled = false;
}

const kib = (bytes) => (bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 1024)} KiB`);

/** Hands text to the browser as a file download. */
function saveFile(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started; the URL can go a while after.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
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

// ---- password reset (the login screen) ---------------------------------------

const RESET_INPUTS = ['reset-token', 'reset-password', 'reset-confirm'];

/**
 * The reset form: opened by its link, or by a link an operator handed
 * out (`/#reset=<token>`, taken out of the address at once); `done` is
 * called once the password is set.
 */
export function initReset(done) {
  $('reset-open').addEventListener('click', () => showReset(true));
  $('reset-cancel').addEventListener('click', () => showReset(false));
  $('reset-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    resetPassword(done);
  });
}

/** A reset token in the address (`#reset=<token>`), removed from it; or ''. */
export function takeResetToken() {
  const m = /^#reset=(.+)$/.exec(location.hash);
  if (!m) return '';
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  try {
    return decodeURIComponent(m[1]).trim();
  } catch {
    return m[1].trim();
  }
}

/** Shows the reset form instead of the login form (with a token), or back. */
export function showReset(open, token = '') {
  clearTimeout(throttleTimer);
  $('auth-form').hidden = open;
  $('reset-form').hidden = !open;
  for (const id of RESET_INPUTS) $(id).value = '';
  markInvalid(null, RESET_INPUTS);
  say('reset-error', '');
  $('reset-submit').disabled = false;
  if (!open) return;
  $('auth-notice').hidden = true;
  $('reset-token').value = token;
  $(token ? 'reset-password' : 'reset-token').focus();
}

async function resetPassword(done) {
  say('reset-error', '');
  markInvalid(null, RESET_INPUTS);
  const token = $('reset-token').value.trim();
  const problem = !token
    ? ['reset-token', 'Paste the reset token you were given.']
    : !$('reset-password').value
      ? ['reset-password', 'Type a new password.']
      : $('reset-password').value !== $('reset-confirm').value
        ? ['reset-confirm', 'The new passwords do not match.']
        : null;
  if (problem) {
    say('reset-error', problem[1]);
    markInvalid(problem[0], RESET_INPUTS);
    return;
  }
  const button = $('reset-submit');
  button.disabled = true;
  try {
    await api.resetPassword(token, $('reset-password').value);
  } catch (e) {
    // 1002: the server's words ("invalid, used or expired reset token").
    say('reset-error', e.code === 1002 ? `${explain(e)} Ask for a new one.` : explain(e, 'Too many attempts'));
    const f = fieldOf(e);
    markInvalid(f ? { token: 'reset-token', new_password: 'reset-password' }[f.field] : e.code === 1002 ? 'reset-token' : null, RESET_INPUTS);
    rearmAfter(e, () => {
      button.disabled = false;
    });
    return;
  }
  showReset(false);
  done();
}
