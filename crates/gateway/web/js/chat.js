// The open conversation: history (older pages on scroll), sending with
// optimistic display, acks and retries, typing and read receipts.

import { get, post } from './api.js';
import { $, h, clear, clockTime, toast } from './dom.js';
import {
  state,
  emit,
  conv,
  addMessage,
  isChange,
  pendingFor,
  sortedMessages,
  readers,
  userName,
  convTitle,
  isOnline,
} from './state.js';

const PAGE = 30;
const ACK_TIMEOUT_MS = 10_000;
const TYPING_EVERY_MS = 2500;
const TYPING_SHOWN_MS = 4000;

let socket = null;
let loadingOlder = false;
let lastTypingSent = 0;
/** What the composer does besides sending: reply to, or edit, one message. */
let context = null;

export function initChat(sock) {
  socket = sock;
  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sendFromComposer();
  });
  $('composer-input').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      sendFromComposer();
    }
  });
  $('composer-input').addEventListener('input', () => {
    autoGrow();
    const now = Date.now();
    if (state.openId && now - lastTypingSent > TYPING_EVERY_MS) {
      lastTypingSent = now;
      socket.send('typing', { conversation_id: state.openId });
    }
  });
  $('composer-context-cancel').addEventListener('click', () => setContext(null));
  $('composer-input').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && context) setContext(null);
  });
  $('messages').addEventListener('scroll', () => {
    if ($('messages').scrollTop < 80) loadOlder();
  });
  document.addEventListener('visibilitychange', () => markRead());
  window.addEventListener('focus', () => markRead());
  setInterval(renderTyping, 1000);
}

function autoGrow() {
  const ta = $('composer-input');
  ta.style.height = 'auto';
  ta.style.height = `${Math.min(ta.scrollHeight, 160)}px`;
}

/** Opens a conversation: first page of history if never loaded, then read. */
export async function openConversation(id) {
  const c = conv(id);
  if (!c) return;
  state.openId = id;
  emit('open', id);
  renderHeader();
  renderMessages({ toBottom: true });
  $('composer-input').focus({ preventScroll: true });
  if (!c.loaded) {
    $('history-status').textContent = 'Loading…';
    try {
      const page = await get(
        `/api/v1/messages/history?conversation_id=${encodeURIComponent(id)}&limit=${PAGE}`,
      );
      c.loaded = true;
      c.hasMore = page.has_more;
      // Live messages that arrived before this first page are older than it
      // only if the page is full; keep the cache contiguous from the page on.
      const first = page.messages.length ? page.messages[0].seq : c.last_seq + 1;
      for (const seq of [...c.messages.keys()]) if (seq < first) c.messages.delete(seq);
      c.syncSeq = first - 1;
      for (const m of page.messages) addMessage(m, { fromHistory: true });
      if (c.last_seq > c.syncSeq) emit('gap', id);
    } catch (e) {
      $('history-status').textContent = '';
      toast(`Could not load messages: ${e.message}`, 'error');
      return;
    }
    if (state.openId !== id) return;
    renderMessages({ toBottom: true });
  }
  markRead();
}

export function closeConversation() {
  state.openId = null;
  setContext(null);
  emit('open', null);
}

/**
 * Puts the composer in reply or edit mode for one message of the open
 * conversation (`{kind: 'reply' | 'edit', seq}`), or back to plain sends.
 */
function setContext(next) {
  const wasEditing = context && context.kind === 'edit';
  context = next;
  const bar = $('composer-context');
  bar.hidden = !context;
  if (!context) {
    if (wasEditing) $('composer-input').value = '';
    $('composer-context-text').textContent = '';
    return;
  }
  renderContext();
  const m = contextMessage();
  if (context.kind === 'edit' && m) $('composer-input').value = m.content;
  autoGrow();
  $('composer-input').focus({ preventScroll: true });
}

function contextMessage() {
  const c = conv(state.openId);
  return context && c ? c.messages.get(context.seq) : undefined;
}

/** The composer's banner; again once a name it shows is known. */
export function renderContext() {
  if (!context) return;
  const m = contextMessage();
  const excerpt = m ? m.content.slice(0, 80) : '';
  $('composer-context-text').textContent =
    context.kind === 'edit' ? 'Editing your message' : `Replying to ${m ? userName(m.from_user_id) : ''}: ${excerpt}`;
}

async function loadOlder() {
  const c = conv(state.openId);
  if (!c || !c.loaded || !c.hasMore || loadingOlder) return;
  const oldest = sortedMessages(c)[0];
  if (!oldest) return;
  loadingOlder = true;
  $('history-status').textContent = 'Loading older messages…';
  try {
    const page = await get(
      `/api/v1/messages/history?conversation_id=${encodeURIComponent(c.conversation_id)}` +
        `&before_seq=${oldest.seq}&limit=${PAGE}`,
    );
    c.hasMore = page.has_more;
    for (const m of page.messages) addMessage(m, { fromHistory: true });
    if (state.openId === c.conversation_id) renderMessages({ keepOffset: true });
  } catch (e) {
    toast(`Could not load older messages: ${e.message}`, 'error');
  } finally {
    loadingOlder = false;
  }
}

function sendFromComposer() {
  const ta = $('composer-input');
  const content = ta.value;
  if (!content.trim() || !state.openId) return;
  if (context && context.kind === 'edit') {
    const seq = context.seq;
    setContext(null);
    change('edit', state.openId, seq, { content });
    return;
  }
  const replyTo = context && context.kind === 'reply' ? context.seq : undefined;
  setContext(null);
  ta.value = '';
  autoGrow();
  const p = {
    client_msg_id: crypto.randomUUID(),
    conversation_id: state.openId,
    content,
    reply_to: replyTo,
    status: 'pending',
    error: '',
    created_at: new Date().toISOString(),
    timer: 0,
  };
  state.pending.set(p.client_msg_id, p);
  transmit(p);
  renderMessages({ toBottom: true });
}

/**
 * Sends (or re-sends) a pending message, always with its first
 * client_msg_id: the server answers a repeat with the original ack.
 */
export function transmit(p) {
  p.status = 'pending';
  p.error = '';
  clearTimeout(p.timer);
  const data = { conversation_id: p.conversation_id, client_msg_id: p.client_msg_id, content: p.content };
  if (p.reply_to !== undefined) data.reply_to = p.reply_to;
  const sent = socket.send('send-message', data, p.client_msg_id);
  // Offline: it stays pending and goes out after the next sync. Online:
  // no ack in time means failed, with a retry button.
  if (sent) p.timer = setTimeout(() => fail(p, 'no answer from the server'), ACK_TIMEOUT_MS);
}

function fail(p, why) {
  if (!state.pending.has(p.client_msg_id)) return;
  p.status = 'failed';
  p.error = why;
  clearTimeout(p.timer);
  if (p.conversation_id === state.openId) renderMessages();
}

/** `send-ack` for one of ours: the confirmed message, or null if not ours. */
export function onAck(ack) {
  const p = state.pending.get(ack.client_msg_id);
  if (!p) return null;
  const c = conv(ack.conversation_id);
  return {
    message_id: ack.message_id,
    conversation_id: ack.conversation_id,
    conversation_type: c ? c.type : '',
    seq: ack.seq,
    from_user_id: state.me.user_id,
    message_type: 'text',
    content: p.content,
    client_msg_id: ack.client_msg_id,
    created_at: ack.created_at,
    reply_to: p.reply_to,
  };
}

/**
 * Edits or recalls one of our messages over HTTP: the server sends the
 * event to every connection of ours (an HTTP send has no sending socket),
 * which applies it like anyone else's.
 */
async function change(kind, conversationId, seq, extra = {}) {
  try {
    await post(`/api/v1/messages/${kind}`, {
      conversation_id: conversationId,
      seq,
      client_msg_id: crypto.randomUUID(),
      ...extra,
    });
  } catch (e) {
    toast(`Could not ${kind} the message: ${e.message}`, 'error');
  }
}

/** An `error` frame answering one of our sends. */
export function onSendError(id, err) {
  const p = state.pending.get(id);
  if (!p) return false;
  fail(p, err.message || 'refused');
  return true;
}

/** Re-sends every pending or failed message still without an ack. */
export function flushPending() {
  for (const p of state.pending.values()) if (p.status === 'pending') transmit(p);
}

/** Tells the server what we have seen, when the conversation is on screen. */
export function markRead() {
  const c = conv(state.openId);
  if (!c || !c.loaded || document.visibilityState !== 'visible') return;
  const upTo = c.last_seq;
  if (upTo <= c.readSent && c.unread === 0) return;
  if (upTo > c.readSent) {
    if (!socket.send('read', { conversation_id: c.conversation_id, seq: upTo })) return;
    c.readSent = upTo;
  }
  c.read_seq = Math.max(c.read_seq, upTo);
  c.unread = 0;
  emit('list');
}

export function onTyping(t) {
  if (state.me && t.user_id === state.me.user_id) return;
  if (!state.typing.has(t.conversation_id)) state.typing.set(t.conversation_id, new Map());
  state.typing.get(t.conversation_id).set(t.user_id, Date.now() + TYPING_SHOWN_MS);
  renderTyping();
}

/** A new message from someone ends their typing indicator. */
export function stopTyping(conversationId, userId) {
  const m = state.typing.get(conversationId);
  if (m) m.delete(userId);
  renderTyping();
}

function renderTyping() {
  const el = $('typing');
  const m = state.typing.get(state.openId);
  const now = Date.now();
  const who = [];
  if (m) {
    for (const [user, until] of m) {
      if (until > now) who.push(userName(user));
      else m.delete(user);
    }
  }
  const text =
    who.length === 0 ? '' : who.length === 1 ? `${who[0]} is typing…` : `${who.join(', ')} are typing…`;
  if (el.textContent !== text) el.textContent = text;
}

export function renderHeader() {
  const c = conv(state.openId);
  if (!c) return;
  $('chat-name').textContent = convTitle(c);
  const sub = $('chat-sub');
  if (c.type === 'single') {
    const online = isOnline(c.peer_user_id);
    sub.textContent = online === undefined ? 'direct message' : online ? 'online' : 'offline';
    sub.className = `sub ${online ? 'online' : ''}`;
  } else if (c.type === 'world') {
    sub.textContent = 'everyone on this server';
    sub.className = 'sub';
  } else {
    sub.textContent = 'group';
    sub.className = 'sub';
  }
}

/** Redraws the message list, keeping the reader where they were. */
export function renderMessages({ toBottom = false, keepOffset = false } = {}) {
  const c = conv(state.openId);
  const box = $('messages');
  const list = $('message-list');
  if (!c) return;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const fromBottom = box.scrollHeight - box.scrollTop;
  const items = [];
  for (const m of sortedMessages(c)) items.push(messageItem(c, m));
  for (const p of pendingFor(c.conversation_id)) items.push(pendingItem(c, p));
  list.replaceChildren(...items.filter(Boolean));
  $('history-status').textContent = !c.loaded
    ? 'Loading…'
    : c.hasMore
      ? ''
      : c.messages.size
        ? 'Start of the conversation'
        : 'No messages yet';
  if (keepOffset) box.scrollTop = box.scrollHeight - fromBottom;
  else if (toBottom || atBottom) box.scrollTop = box.scrollHeight;
  // A short first page does not scroll: fetch more right away.
  if (c.loaded && c.hasMore && box.scrollHeight <= box.clientHeight) loadOlder();
}

function messageItem(c, m) {
  const mine = state.me && m.from_user_id === state.me.user_id;
  if (m.message_type === 'system') {
    return h('li', { className: 'msg system', dataset: { seq: String(m.seq) } }, systemText(m));
  }
  // Edits and reactions show on the message they changed; a recall
  // leaves a line.
  if (isChange(m)) {
    if (m.message_type !== 'recall') return null;
    return h('li', { className: 'msg system', dataset: { seq: String(m.seq) } }, `${userName(m.from_user_id)} recalled a message`);
  }
  const recalled = !!m.recalled_at;
  let status = null;
  if (mine) {
    const n = readers(c, m.seq);
    const read = n > 0;
    const label = !read ? 'sent' : c.type === 'single' ? 'read' : `read by ${n}`;
    status = h('span', { className: `status ${read ? 'read' : 'sent'}` }, label);
  }
  return h(
    'li',
    {
      className: `msg ${mine ? 'mine' : 'theirs'}`,
      dataset: { seq: String(m.seq), clientMsgId: m.client_msg_id, status: mine ? status.textContent : '' },
    },
    !mine && c.type !== 'single' ? h('div', { className: 'author' }, userName(m.from_user_id)) : null,
    h(
      'div',
      { className: 'bubble' },
      m.reply_to ? quote(c, m.reply_to) : null,
      recalled
        ? h('span', { className: 'text recalled' }, 'This message was recalled')
        : h('span', { className: 'text' }, m.content),
    ),
    recalled || !(m.reactions && m.reactions.length) ? null : reactionChips(c, m),
    h(
      'div',
      { className: 'meta' },
      h('time', { dateTime: m.created_at }, clockTime(m.created_at)),
      m.edited_at && !recalled ? h('span', { className: 'edited' }, 'edited') : null,
      status,
      recalled ? null : actions(c, m, mine),
    ),
  );
}

/** What a message answers, as far as we hold it. */
function quote(c, seq) {
  const q = c.messages.get(seq);
  const text = !q ? 'an earlier message' : q.recalled_at ? 'a recalled message' : `${userName(q.from_user_id)}: ${q.content.slice(0, 120)}`;
  return h('div', { className: 'quote', dataset: { replyTo: String(seq) } }, text);
}

/** The emoji the React button offers. */
const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

/** Puts our `emoji` on a message, or takes it off if it is ours already. */
function toggleReaction(c, m, emoji) {
  const ours = (m.reactions || []).some((r) => r.emoji === emoji && r.mine);
  change(ours ? 'unreact' : 'react', c.conversation_id, m.seq, { emoji });
}

/** A message's reactions: each emoji with its count, ours marked; a click toggles ours. */
function reactionChips(c, m) {
  return h(
    'div',
    { className: 'reactions' },
    ...m.reactions.map((r) =>
      h(
        'button',
        {
          type: 'button',
          className: `reaction ${r.mine ? 'mine' : ''}`,
          dataset: { emoji: r.emoji },
          title: r.mine ? 'Take your reaction off' : 'React too',
          onclick: () => toggleReaction(c, m, r.emoji),
        },
        `${r.emoji} ${r.count}`,
      ),
    ),
  );
}

/** Reply to and react to any message; edit and recall our own. */
function actions(c, m, mine) {
  const button = (label, onclick) => h('button', { type: 'button', className: `link action ${label.toLowerCase()}`, onclick }, label);
  const picker = h(
    'span',
    { className: 'picker', hidden: true },
    ...QUICK_REACTIONS.map((e) =>
      h('button', { type: 'button', className: 'link pick', dataset: { emoji: e }, onclick: () => toggleReaction(c, m, e) }, e),
    ),
  );
  return h(
    'span',
    { className: 'msg-actions' },
    button('Reply', () => setContext({ kind: 'reply', seq: m.seq })),
    button('React', () => {
      picker.hidden = !picker.hidden;
    }),
    picker,
    mine ? button('Edit', () => setContext({ kind: 'edit', seq: m.seq })) : null,
    mine ? button('Recall', () => change('recall', c.conversation_id, m.seq)) : null,
  );
}

function pendingItem(c, p) {
  const failed = p.status === 'failed';
  return h(
    'li',
    {
      className: `msg mine ${p.status}`,
      dataset: { clientMsgId: p.client_msg_id, status: p.status },
    },
    h('div', { className: 'bubble' }, p.reply_to ? quote(c, p.reply_to) : null, h('span', { className: 'text' }, p.content)),
    h(
      'div',
      { className: 'meta' },
      h('span', { className: `status ${p.status}`, title: p.error }, failed ? `failed: ${p.error}` : 'sending…'),
      failed
        ? h(
            'button',
            {
              type: 'button',
              className: 'link retry',
              onclick: () => {
                transmit(p);
                renderMessages();
              },
            },
            'Retry',
          )
        : null,
    ),
  );
}

const EVENTS = {
  group_created: (actor) => `${actor} created the group`,
  group_dissolved: (actor) => `${actor} dissolved the group`,
  member_joined: (actor, user) => `${user} joined`,
  member_left: (actor, user) => `${user} left`,
  member_added: (actor, user) => `${actor} added ${user}`,
  member_removed: (actor, user) => `${actor} removed ${user}`,
  member_muted: (actor, user) => `${actor} muted ${user}`,
  member_unmuted: (actor, user) => `${actor} unmuted ${user}`,
  owner_transferred: (actor, user) => `${actor} made ${user} the owner`,
  role_changed: (actor, user, v) => `${actor} made ${user} ${v.role === 'admin' ? 'an admin' : 'a member'}`,
  group_updated: (actor, user, v) => {
    const said = [];
    if (typeof v.name === 'string') said.push(`renamed the group "${v.name}"`);
    if (typeof v.description === 'string') said.push('changed its description');
    if (typeof v.avatar === 'string') said.push(v.avatar ? 'changed its picture' : 'removed its picture');
    if (typeof v.announcement === 'string') said.push(v.announcement ? `announced: ${v.announcement}` : 'removed the announcement');
    if (v.join_policy === 'invite') said.push('made it invite-only');
    if (v.join_policy === 'open') said.push('opened it to anyone');
    return `${actor} ${said.join(', ') || 'changed the group'}`;
  },
};

/** A readable line for a system message (group membership changes). */
export function systemText(m) {
  let v = null;
  try {
    v = JSON.parse(m.content);
  } catch {
    return m.content;
  }
  if (!v || typeof v !== 'object') return m.content;
  const actor = v.actor_id ? userName(v.actor_id) : 'Someone';
  const user = v.user_id ? userName(v.user_id) : '';
  const event = String(v.event || v.type || 'update');
  const say = EVENTS[event];
  return say ? say(actor, user, v) : `${user} ${event.replace(/_/g, ' ')}`.trim();
}
