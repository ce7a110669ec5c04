// ferrochat web client: wiring. Logs in, keeps the socket up, routes
// frames into the model and redraws what changed.

import * as api from './api.js';
import { $, h, clear, shortTime, toast, copy } from './dom.js';
import { Socket } from './socket.js';
import {
  state,
  on,
  emit,
  reset,
  conv,
  upsertConv,
  addMessage,
  sortedConvs,
  cursors,
  noteRead,
  convTitle,
  userName,
  isOnline,
  isMentioned,
  noteRange,
  loadMembers,
  recheckLeavers,
} from './state.js';
import {
  initChat,
  openConversation,
  closeConversation,
  renderMessages,
  renderHeader,
  renderContext,
  markRead,
  onAck,
  onSendError,
  onTyping,
  stopTyping,
  flushPending,
  systemText,
  refreshPins,
  jumpTo,
  excerptOf,
} from './chat.js';
import { cancelUploads } from './attach.js';
import { resetAttachments } from './attachments.js';
import { closeLightbox } from './lightbox.js';
import { initSearch, resetSearch } from './search.js';
import { initAccount, resetAccount, loadSessions, loadProfile, initReset, showReset, takeResetToken } from './account.js';
import { initPanels, loadFriends, renderFriends, renderGroups, showInfo, chatWith } from './panels.js';
import { initOidc, takeOidcResult } from './oidc.js';

const SYNC_LIMIT = 200;
const MAX_SYNC_ROUNDS = 50;

let registering = false;
let syncRounds = 0;
let syncing = false;
let syncAgain = false;
let listTimer = 0;
/** The cursors the sync in flight was asked with. */
let syncCursors = {};

const socket = new Socket({
  onFrame,
  onOpen: () => {
    syncRounds = 0;
    syncing = false;
    syncAgain = false;
    requestSync();
    // Requests made while this socket was down come as live frames no
    // more: read them (and friends' presence) again.
    if (state.me) loadFriends();
  },
  onStatus: renderStatus,
  // Closed with 4001: the token expired, or the session was ended (from
  // another device, by a password change elsewhere). A refresh tells
  // which; the socket dials again only once it settled.
  onUnauthorized: () => api.refresh(),
});

// ---- boot -----------------------------------------------------------------

/** What the login screen says after a session ended, by why it ended. */
const ENDED = {
  ended: 'You were logged out: this session was ended from another device, or your password was changed.',
  deleted: 'Your account was deleted.',
};

api.setLoggedOutHandler((reason) => {
  socket.stop();
  cancelUploads();
  closeLightbox();
  resetAttachments();
  reset();
  resetAccount();
  showAuth(ENDED[reason] || '');
});

initAuth();
initChat(socket);
initPanels({ openChat, refreshConversations });
initSearch({ showMessage, showChats: () => showPanel('chats') });
initAccount();
initShell();

// A reset link (`#reset=<token>`) opens the reset form, whatever this tab
// held; back from the OpenID provider, the callback's outcome is taken.
const resetToken = takeResetToken();
const oidc = resetToken ? null : takeOidcResult();
const resumed = resetToken || oidc ? null : api.resume();
if (resumed) startApp(resumed.user);
else if (oidc?.tokens) {
  api.adoptTokens(oidc.tokens).then(startApp, (e) => showAuth(`Could not log in: ${e.message}`));
} else showAuth(oidc?.error ? `Could not log in: ${oidc.error}` : '');
if (resetToken) showReset(true, resetToken);
window.addEventListener('hashchange', () => {
  if ($('auth').hidden) return;
  const token = takeResetToken();
  if (token) showReset(true, token);
});

// ---- auth screen ------------------------------------------------------------

function initAuth() {
  initOidc();
  $('tab-login').addEventListener('click', () => setAuthMode(false));
  $('tab-register').addEventListener('click', () => setAuthMode(true));
  initReset(() => showAuth('Password changed: log in with the new one.'));
  $('auth-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const username = $('auth-username').value.trim();
    const password = $('auth-password').value;
    const nickname = $('auth-nickname').value.trim();
    const err = $('auth-error');
    err.hidden = true;
    $('auth-notice').hidden = true;
    $('auth-submit').disabled = true;
    try {
      if (registering) await api.register(username, password, nickname);
      const user = await api.login(username, password);
      $('auth-password').value = '';
      startApp(user);
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    } finally {
      $('auth-submit').disabled = false;
    }
  });
}

function setAuthMode(register) {
  registering = register;
  showReset(false);
  $('tab-login').classList.toggle('active', !register);
  $('tab-register').classList.toggle('active', register);
  $('auth-nickname-row').hidden = !register;
  $('auth-submit').textContent = register ? 'Create account' : 'Log in';
  $('auth-password').autocomplete = register ? 'new-password' : 'current-password';
  $('auth-error').hidden = true;
}

/** The login screen, with a notice if the session ended by itself. */
function showAuth(notice = '') {
  setAuthMode(false);
  $('app').hidden = true;
  $('banner').hidden = true;
  document.body.classList.remove('offline');
  $('auth').hidden = false;
  $('auth-notice').textContent = notice;
  $('auth-notice').hidden = !notice;
  $('auth-username').focus();
}

// ---- the app shell ----------------------------------------------------------

function initShell() {
  $('logout').addEventListener('click', () => api.logout());
  $('me-id').addEventListener('click', () => copy(state.me.user_id, 'Your user id'));
  $('banner-retry').addEventListener('click', () => socket.reconnectNow());
  $('back').addEventListener('click', () => {
    closeConversation();
  });
  $('chat-info-button').addEventListener('click', () => showInfo());
  for (const tab of document.querySelectorAll('.sidebar .tab')) {
    tab.addEventListener('click', () => showPanel(tab.dataset.panel));
  }
  $('start-chat').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = $('start-chat-id').value.trim();
    if (!id) return;
    await chatWith(id);
    $('start-chat-id').value = '';
  });

  on('list', scheduleList);
  on('users', () => {
    scheduleList();
    renderFriends();
    if (state.openId) {
      renderHeader();
      renderMessages();
      renderContext();
    }
  });
  // Pinned messages changed (an event, or the list loaded): the bar and
  // the messages' Pin/Unpin follow; a pin of a message we do not hold
  // asks the server for the list.
  on('pins', (id) => {
    const c = conv(id);
    if (!c || state.openId !== id) return;
    if (c.pinsStale) refreshPins(c);
    renderMessages();
  });
  // Our role decides who may pin; members, who we may mention.
  on('members', (id) => {
    if (state.openId !== id) return;
    recheckLeavers(conv(id));
    renderMessages();
  });
  on('members-stale', (id) => {
    if (state.openId === id) loadMembers(conv(id));
  });
  on('open', (id) => {
    $('app').classList.toggle('chat-open', !!id);
    $('chat').hidden = !id;
    $('empty').hidden = !!id;
    $('info').hidden = true;
    scheduleList();
  });
  on('gap', () => requestSync());
  on('left', (id) => {
    if (state.openId === id) closeConversation();
    scheduleList();
  });
}

function showPanel(name) {
  for (const tab of document.querySelectorAll('.sidebar .tab')) {
    tab.classList.toggle('active', tab.dataset.panel === name);
  }
  for (const p of ['chats', 'friends', 'groups', 'account']) $(`panel-${p}`).hidden = p !== name;
  if (name === 'friends') loadFriends();
  if (name === 'groups') renderGroups();
  if (name === 'account') {
    loadProfile();
    loadSessions();
  }
}

async function startApp(user) {
  state.me = user;
  $('auth').hidden = true;
  $('app').hidden = false;
  $('me-name').textContent = user.nickname || user.username;
  $('me-id').textContent = `id ${user.user_id}`;
  $('me-id').dataset.userId = user.user_id;
  closeConversation();
  resetSearch();
  resetAccount();
  showPanel('chats');
  await refreshConversations();
  socket.start();
  loadFriends();
}

async function openChat(id) {
  if (!conv(id)) await refreshConversations();
  showPanel('chats');
  await openConversation(id);
}

/** Opens a conversation at one of its messages (a search result), highlighted. */
async function showMessage(id, seq) {
  await openChat(id);
  if (state.openId === id) await jumpTo(seq, { flashMs: 2500 });
  else if (!conv(id)) toast('That conversation is not in your list any more', 'error');
}

/** Reloads the conversation list (unread counts are the server's). */
async function refreshConversations() {
  try {
    const { conversations } = await api.get('/api/v1/conversations');
    let due = false;
    for (const c of conversations) due = upsertConv(c) || due;
    if (due) requestSync();
    renderList();
    markRead();
  } catch (e) {
    if (e.code !== 1002) toast(`Could not load conversations: ${e.message}`, 'error');
  }
}

// ---- connection status ------------------------------------------------------

let statusTimer = 0;

function renderStatus(s) {
  clearInterval(statusTimer);
  const banner = $('banner');
  if (s.state === 'open') {
    banner.hidden = true;
    document.body.classList.remove('offline');
    return;
  }
  if (s.state === 'connecting' && s.attempt === 0) return;
  document.body.classList.add('offline');
  banner.hidden = false;
  const draw = () => {
    const left = Math.max(0, Math.ceil(((s.retryAt || 0) - Date.now()) / 1000));
    $('banner-text').textContent =
      s.state === 'connecting' ? 'Offline: reconnecting…' : `Offline: reconnecting in ${left}s`;
  };
  draw();
  if (s.state === 'offline') statusTimer = setInterval(draw, 1000);
}

// ---- frames -----------------------------------------------------------------

function onFrame(f) {
  const d = f.data || {};
  switch (f.type) {
    case 'new-message':
      takeMessage(d);
      break;
    case 'send-ack': {
      const m = onAck(d);
      if (m) takeMessage(m);
      break;
    }
    case 'read-receipt': {
      const c = conv(d.conversation_id);
      if (!c) break;
      if (d.user_id === state.me.user_id) {
        c.read_seq = Math.max(c.read_seq, d.seq);
        c.unread = Math.max(0, c.last_seq - c.read_seq);
        scheduleList();
      } else {
        noteRead(c, d.user_id, d.seq);
      }
      if (state.openId === c.conversation_id) renderMessages();
      break;
    }
    case 'typing':
      onTyping(d);
      break;
    case 'presence':
      state.presence.set(d.user_id, !!d.online);
      if (state.friends.has(d.user_id)) state.friends.get(d.user_id).online = !!d.online;
      renderFriends();
      scheduleList();
      if (state.openId) renderHeader();
      break;
    case 'friend-request':
      toast('New friend request');
      loadFriends();
      break;
    case 'friend-accepted':
      toast('Friend request accepted');
      loadFriends();
      break;
    case 'group-invited':
      toast(`You were added to ${d.name || 'a group'}`);
      refreshConversations();
      break;
    case 'sync':
      onSync(d);
      break;
    case 'error':
      if (f.id && f.id.startsWith('sync-')) {
        syncing = false;
        toast(`Could not catch up: ${d.message}`, 'error');
        break;
      }
      if (f.id && onSendError(f.id, d)) break;
      if (d.code === 1002) api.refresh().catch(() => {});
      break;
    default:
      break;
  }
}

/** A confirmed message from any source: store once, redraw what changed. */
function takeMessage(m) {
  const result = addMessage(m);
  if (result === 'unknown') {
    // A conversation we have not heard of yet (a new chat or group).
    refreshConversations();
    return;
  }
  if (result === 'gap') requestSync();
  // A group renamed or redescribed: the list and the header follow.
  if ((result === 'new' || result === 'gap') && isGroupUpdate(m)) refreshConversations().then(renderHeader);
  stopTyping(m.conversation_id, m.from_user_id);
  if (state.openId === m.conversation_id) {
    renderMessages({ toBottom: m.from_user_id === state.me.user_id });
    markRead();
  }
  if (result !== 'dup') scheduleList();
}

function isGroupUpdate(m) {
  if (m.message_type !== 'system') return false;
  try {
    return JSON.parse(m.content).event === 'group_updated';
  } catch {
    return false;
  }
}

/** Asks for everything after our cursors; coalesces overlapping requests. */
function requestSync() {
  if (!socket.open) return;
  if (syncing) {
    syncAgain = true;
    return;
  }
  syncing = true;
  syncCursors = cursors();
  socket.send('sync', { cursors: syncCursors, limit: SYNC_LIMIT }, `sync-${Date.now()}`);
}

function onSync(d) {
  syncing = false;
  let more = false;
  let unknown = false;
  for (const entry of d.conversations || []) {
    if (!conv(entry.conversation_id)) unknown = true;
    const messages = (entry.messages || []).slice().sort((a, b) => a.seq - b.seq);
    for (const m of messages) {
      const r = addMessage(m);
      if (r === 'unknown') unknown = true;
    }
    // Seqs after the cursor that the reply skips are hidden from us.
    const c = conv(entry.conversation_id);
    if (c && c.loaded && syncCursors[entry.conversation_id] !== undefined) {
      noteRange(c, syncCursors[entry.conversation_id] + 1, messages);
    }
    if (entry.has_more) more = true;
  }
  if (state.openId) renderMessages();
  syncRounds += 1;
  if ((more || syncAgain) && syncRounds < MAX_SYNC_ROUNDS) {
    syncAgain = false;
    requestSync();
    return;
  }
  syncAgain = false;
  // Caught up: re-send what never got an ack, refresh counts and names.
  flushPending();
  if (state.openId) renderMessages();
  if (unknown || syncRounds === 1) refreshConversations();
  else renderList();
  markRead();
}

// ---- conversation list ------------------------------------------------------

function scheduleList() {
  if (listTimer) return;
  listTimer = requestAnimationFrame(() => {
    listTimer = 0;
    renderList();
  });
}

function renderList() {
  const ul = $('conversations');
  let total = 0;
  const items = sortedConvs().map((c) => {
    total += c.unread;
    const last = c.last_message;
    let preview = 'No messages yet';
    if (last) {
      const who = last.from_user_id === state.me.user_id ? 'You: ' : c.type === 'single' ? '' : `${userName(last.from_user_id)}: `;
      preview =
        last.message_type === 'system'
          ? systemText(last)
          : last.message_type === 'recall' || last.recalled_at
            ? `${userName(last.from_user_id)} recalled a message`
            : last.message_type === 'edit'
              ? `${who}${last.content} (edited)`
              : last.message_type === 'react'
                ? `${userName(last.from_user_id)} reacted ${last.content}`
                : last.message_type === 'unreact'
                  ? `${userName(last.from_user_id)} took a reaction off`
                  : last.message_type === 'pin'
                    ? `${userName(last.from_user_id)} pinned a message`
                    : last.message_type === 'unpin'
                      ? `${userName(last.from_user_id)} unpinned a message`
                      : `${who}${last.forwarded ? '(forwarded) ' : ''}${excerptOf(last)}`;
    }
    const online = c.type === 'single' ? isOnline(c.peer_user_id) : undefined;
    const mentioned = isMentioned(c);
    return h(
      'li',
      {
        className: `conversation ${c.conversation_id === state.openId ? 'active' : ''} ${c.unread ? 'has-unread' : ''} ${mentioned ? 'has-mention' : ''}`,
        dataset: { conversationId: c.conversation_id, type: c.type },
        tabIndex: 0,
        onclick: () => openChat(c.conversation_id),
        onkeydown: (ev) => {
          if (ev.key === 'Enter') openChat(c.conversation_id);
        },
      },
      h('div', { className: `avatar ${c.type}` }, avatarLetter(c), online ? h('span', { className: 'dot on' }) : null),
      h(
        'div',
        { className: 'conv-body' },
        h(
          'div',
          { className: 'conv-top' },
          h('span', { className: 'conv-name' }, convTitle(c)),
          h('time', { className: 'conv-time' }, shortTime(last ? last.created_at : c.updated_at)),
        ),
        h(
          'div',
          { className: 'conv-bottom' },
          h('span', { className: 'conv-preview' }, preview.length > 80 ? `${preview.slice(0, 80)}…` : preview),
          mentioned ? h('span', { className: 'badge mention', title: 'You were mentioned' }, '@') : null,
          c.unread ? h('span', { className: 'badge unread' }, c.unread > 99 ? '99+' : String(c.unread)) : null,
        ),
      ),
    );
  });
  clear(ul).append(...items);
  const badge = $('unread-total');
  badge.textContent = String(total);
  badge.hidden = total === 0;
  document.title = total ? `(${total}) ferrochat` : 'ferrochat';
  if (!$('panel-groups').hidden) renderGroups();
  if (state.openId) renderHeader();
}

function avatarLetter(c) {
  if (c.type === 'world') return 'W';
  const t = convTitle(c);
  return (t.trim()[0] || '?').toUpperCase();
}
