// The open conversation: history (older pages on scroll), sending with
// optimistic display, acks and retries, typing and read receipts, and what
// can be done to one message (reply, edit, recall, react, pin, forward,
// delete for me); the pinned messages above the list. Files are attached
// by ./attach.js and shown by ./attachments.js.

import { get, post } from './api.js';
import { initAttach } from './attach.js';
import { isAttachment, attachmentView, summary, initAttachments } from './attachments.js';
import { initLightbox } from './lightbox.js';
import { $, h, clear, clockTime, toast } from './dom.js';
import {
  state,
  on,
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
  sortedConvs,
  mentionsMe,
  noteRange,
  hideMessages,
  loadMembers,
  loadPins,
  displayName,
  isDeleted,
  refreshUser,
  recheckLeavers,
} from './state.js';

const PAGE = 30;
/** Pages read to reach an older message (a search result, a pin): bigger, and how many at most. */
const JUMP_PAGE = 200;
const JUMP_MAX_PAGES = 50;
const ACK_TIMEOUT_MS = 10_000;
const TYPING_EVERY_MS = 2500;
const TYPING_SHOWN_MS = 4000;

let socket = null;
/** The older page being read, if any: a second ask waits for it. */
let older = null;
let lastTypingSent = 0;
/** What the composer does besides sending: reply to, or edit, one message. */
let context = null;
/** The message just jumped to (from the pinned bar), highlighted for a moment. */
let flashed = null;
let flashTimer = 0;

export function initChat(sock) {
  socket = sock;
  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sendFromComposer();
  });
  $('composer-input').addEventListener('keydown', (ev) => {
    // The mention list, when open, takes the arrows, Enter, Tab and Escape.
    if (mentionKey(ev)) return;
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
    if (ev.key === 'Escape' && context && !ev.defaultPrevented) setContext(null);
  });
  initMentions();
  initAttach({ sendAttachment, canAttach: (id) => !!conv(id) && !isClosed(conv(id)) });
  initAttachments();
  initLightbox();
  $('forward-cancel').addEventListener('click', closeForward);
  $('forward').addEventListener('click', (ev) => {
    if (ev.target === $('forward')) closeForward();
  });
  $('forward').addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') closeForward();
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
  if (state.openId !== id) {
    clearMentions();
    c.leaversChecked.clear();
  }
  state.openId = id;
  emit('open', id);
  renderHeader();
  renderMessages({ toBottom: true });
  // Our role (who may pin) and who we may mention, as they are now; the
  // peer of a single chat as they are now (their account deleted since?).
  if (c.type === 'group') loadMembers(c);
  if (c.type === 'single' && c.peer_user_id) refreshUser(c.peer_user_id).catch(() => {});
  if (c.type !== 'world' && (!c.pinsLoaded || c.pinsStale)) refreshPins(c);
  $('composer-input').focus({ preventScroll: true });
  if (!c.loaded) {
    $('history-status').textContent = 'Loading…';
    // The newest seq we knew of when we asked: the server had it before it
    // read the page. One that came since (our own ack, a push) may be newer
    // than the page or not; the sync a gap asks for brings it either way.
    const known = c.last_seq;
    try {
      const page = await get(
        `/api/v1/messages/history?conversation_id=${encodeURIComponent(id)}&limit=${PAGE}`,
      );
      c.loaded = true;
      c.hasMore = page.has_more;
      // Live messages that arrived before this first page are older than it
      // only if the page is full; keep the cache contiguous from the page on.
      // An empty page says only that nothing up to `known` is ours to see.
      const first = page.messages.length ? page.messages[0].seq : known + 1;
      for (const seq of [...c.messages.keys()]) if (seq < first) c.messages.delete(seq);
      c.syncSeq = first - 1;
      for (const m of page.messages) addMessage(m, { fromHistory: true });
      // Seqs the page skips are hidden from us ("delete for me").
      noteRange(c, first, page.messages);
      if (c.last_seq > c.syncSeq) emit('gap', id);
      recheckLeavers(c);
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
  clearMentions();
  closeForward();
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
  const excerpt = m ? excerptOf(m).slice(0, 80) : '';
  $('composer-context-text').textContent =
    context.kind === 'edit' ? 'Editing your message' : `Replying to ${m ? userName(m.from_user_id) : ''}: ${excerpt}`;
}

/**
 * The next older page of the open conversation, if any (`limit`
 * messages); resolves to false if it could not be read. The cache stays
 * contiguous: pages are read back from the oldest message held.
 */
function loadOlder(limit = PAGE) {
  if (older) return older;
  const c = conv(state.openId);
  if (!c || !c.loaded || !c.hasMore) return Promise.resolve(false);
  const oldest = sortedMessages(c)[0];
  if (!oldest) return Promise.resolve(false);
  $('history-status').textContent = 'Loading older messages…';
  older = (async () => {
    try {
      const page = await get(
        `/api/v1/messages/history?conversation_id=${encodeURIComponent(c.conversation_id)}` +
          `&before_seq=${oldest.seq}&limit=${limit}`,
      );
      c.hasMore = page.has_more;
      for (const m of page.messages) addMessage(m, { fromHistory: true });
      if (state.openId === c.conversation_id) renderMessages({ keepOffset: true });
      return true;
    } catch (e) {
      toast(`Could not load older messages: ${e.message}`, 'error');
      return false;
    } finally {
      older = null;
    }
  })();
  return older;
}

function sendFromComposer() {
  const ta = $('composer-input');
  const content = ta.value;
  if (!content.trim() || !state.openId || isClosed(conv(state.openId))) return;
  const { mentions, mentionAll } = mentionPayload(content);
  clearMentions();
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
  queueSend({
    conversation_id: state.openId,
    content,
    reply_to: replyTo,
    mentions: mentions.length ? mentions : undefined,
    mention_all: mentionAll || undefined,
  });
}

/** A finished upload, sent to its conversation as a message of `messageType`. */
function sendAttachment(conversationId, messageType, attachmentId) {
  const c = conv(conversationId);
  if (!c || isClosed(c)) return;
  queueSend({ conversation_id: conversationId, message_type: messageType, content: attachmentId });
}

/**
 * A new send of `body` (its conversation and content): kept pending under
 * a fresh client_msg_id until acked, sent, and shown if its conversation
 * is open.
 */
function queueSend(body) {
  const p = {
    client_msg_id: crypto.randomUUID(),
    ...body,
    status: 'pending',
    error: '',
    created_at: new Date().toISOString(),
    timer: 0,
  };
  state.pending.set(p.client_msg_id, p);
  transmit(p);
  if (state.openId === p.conversation_id) renderMessages({ toBottom: true });
}

/** What a message says in one line: its text, or what kind of file it carries. */
export function excerptOf(m) {
  return isAttachment(m) ? summary(m) : m.content;
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
  if (p.message_type) data.message_type = p.message_type;
  if (p.reply_to !== undefined) data.reply_to = p.reply_to;
  if (p.mentions) data.mentions = p.mentions;
  if (p.mention_all) data.mention_all = true;
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
    message_type: p.message_type || 'text',
    content: p.content,
    client_msg_id: ack.client_msg_id,
    created_at: ack.created_at,
    reply_to: p.reply_to,
    mentions: p.mentions,
    mention_all: p.mention_all,
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

/**
 * An `error` frame answering one of our sends. A single chat's refusal
 * (1005) may mean the peer deleted their account: then the chat turns
 * read-only, the server's words show above the composer and the text goes
 * back into it (unless something else was typed there since: then the
 * failed message keeps it).
 */
export function onSendError(id, err) {
  const p = state.pending.get(id);
  if (!p) return false;
  const why = err.message || 'refused';
  const c = conv(p.conversation_id);
  if (err.code !== 1005 || !c || c.type !== 'single' || !c.peer_user_id) {
    fail(p, why);
    return true;
  }
  clearTimeout(p.timer);
  refreshUser(c.peer_user_id).then(
    (u) => {
      if (!u.deleted) {
        fail(p, why);
        return;
      }
      c.refusal = why;
      const ta = $('composer-input');
      if (state.openId === c.conversation_id && !isAttachment(p) && !ta.value.trim() && state.pending.delete(p.client_msg_id)) {
        ta.value = p.content;
        autoGrow();
      } else {
        fail(p, why);
      }
      if (state.openId !== c.conversation_id) return;
      renderHeader();
      renderMessages();
    },
    () => fail(p, why),
  );
  return true;
}

/** A single chat whose peer deleted their account: read-only. */
function isClosed(c) {
  return !!c && c.type === 'single' && isDeleted(c.peer_user_id);
}

/** The composer takes messages, or says why this chat takes none. */
function renderComposer(c) {
  const closed = isClosed(c);
  const ta = $('composer-input');
  ta.readOnly = closed;
  ta.placeholder = closed ? 'This chat is read-only' : 'Message';
  $('composer-send').disabled = closed;
  $('attach-button').disabled = closed;
  const note = $('chat-closed');
  note.textContent = !closed
    ? ''
    : c.refusal
      ? `Not sent: ${c.refusal}. This chat is read-only; your text is kept below.`
      : 'This user deleted their account: this chat is read-only.';
  note.hidden = !closed;
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
  renderComposer(c);
  // The peer's status line, as their profile was last read (on opening).
  const peer = c.type === 'single' && !isClosed(c) ? state.users.get(c.peer_user_id) : null;
  const line = $('chat-status');
  line.textContent = (peer && peer.status_text) || '';
  line.title = line.textContent;
  line.hidden = !line.textContent;
  if (isClosed(c)) {
    sub.textContent = 'deleted their account · read-only';
    sub.className = 'sub deleted';
  } else if (c.type === 'single') {
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
  // The pinned bar shows the messages as they are now (edited, say).
  renderPins();
}

function messageItem(c, m) {
  const mine = state.me && m.from_user_id === state.me.user_id;
  if (m.message_type === 'system') {
    return h('li', { className: 'msg system', dataset: { seq: String(m.seq) } }, systemText(m));
  }
  // Edits and reactions show on the message they changed; a recall, a pin
  // and an unpin leave a line.
  if (isChange(m)) {
    if (m.message_type === 'recall') {
      return h('li', { className: 'msg system', dataset: { seq: String(m.seq) } }, `${userName(m.from_user_id)} recalled a message`);
    }
    if (m.message_type === 'pin' || m.message_type === 'unpin') {
      return h(
        'li',
        {
          className: `msg system ${m.message_type}-event`,
          dataset: { seq: String(m.seq), targetSeq: String(m.target_seq) },
          title: 'Show the message',
          onclick: () => jumpTo(m.target_seq),
        },
        `${userName(m.from_user_id)} ${m.message_type === 'pin' ? 'pinned' : 'unpinned'} a message`,
      );
    }
    return null;
  }
  const recalled = !!m.recalled_at;
  const pinned = c.pins.has(m.seq);
  const flash = flashed && flashed.id === c.conversation_id && flashed.seq === m.seq;
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
      className: `msg ${mine ? 'mine' : 'theirs'} ${!recalled && mentionsMe(m) ? 'mentioned' : ''} ${pinned ? 'pinned' : ''} ${flash ? 'flash' : ''}`,
      dataset: { seq: String(m.seq), clientMsgId: m.client_msg_id, status: mine ? status.textContent : '' },
    },
    !mine && c.type !== 'single'
      ? h('div', { className: `author ${isDeleted(m.from_user_id) ? 'deleted' : ''}` }, userName(m.from_user_id))
      : null,
    h(
      'div',
      { className: 'bubble' },
      m.forwarded ? h('div', { className: 'forwarded' }, 'Forwarded') : null,
      m.reply_to ? quote(c, m.reply_to) : null,
      recalled
        ? h('span', { className: 'text recalled' }, 'This message was recalled')
        : isAttachment(m)
          ? attachmentView(m)
          : h('span', { className: 'text' }, ...contentNodes(m)),
    ),
    recalled || !(m.reactions && m.reactions.length) ? null : reactionChips(c, m),
    h(
      'div',
      { className: 'meta' },
      h('time', { dateTime: m.created_at }, clockTime(m.created_at)),
      m.edited_at && !recalled ? h('span', { className: 'edited' }, 'edited') : null,
      pinned && !recalled ? h('span', { className: 'pinned-mark', title: 'Pinned in this conversation' }, 'pinned') : null,
      status,
      recalled ? null : actions(c, m, mine),
    ),
  );
}

/** What a message answers, as far as we hold it. */
function quote(c, seq) {
  const q = c.messages.get(seq);
  const text = !q ? 'an earlier message' : q.recalled_at ? 'a recalled message' : `${userName(q.from_user_id)}: ${excerptOf(q).slice(0, 120)}`;
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

/**
 * Reply to, react to, forward and delete for ourselves any message; edit
 * and recall our own; pin or unpin where we may.
 */
function actions(c, m, mine) {
  const button = (label, onclick, name = label.toLowerCase()) =>
    h('button', { type: 'button', className: `link action ${name}`, onclick }, label);
  const pinned = c.pins.has(m.seq);
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
    // A file is bound to the conversation it was sent in: the server refuses its forward.
    isAttachment(m) ? null : button('Forward', () => openForward(c, m)),
    mayPin(c) ? button(pinned ? 'Unpin' : 'Pin', () => change(pinned ? 'unpin' : 'pin', c.conversation_id, m.seq)) : null,
    mine && !isAttachment(m) ? button('Edit', () => setContext({ kind: 'edit', seq: m.seq })) : null,
    mine ? button('Recall', () => change('recall', c.conversation_id, m.seq)) : null,
    button('Delete for me', () => deleteForMe(c, [m.seq]), 'delete'),
  );
}

/** Either user of a single chat pins; a group's owner and admins; nobody in the world room. */
function mayPin(c) {
  if (c.type === 'single') return true;
  return c.type === 'group' && (c.myRole === 'owner' || c.myRole === 'admin');
}

// ---- pinned messages --------------------------------------------------------

/** Asks the server for the pinned messages; says so if it cannot. */
export function refreshPins(c) {
  loadPins(c).catch((e) => toast(`Could not load the pinned messages: ${e.message}`, 'error'));
}

/** The bar of the open conversation's pinned messages, oldest first. */
function renderPins() {
  const c = conv(state.openId);
  const bar = $('pins');
  bar.dataset.loaded = String(!!c && c.pinsLoaded && !c.pinsLoading);
  if (!c || !c.pins.size) {
    bar.hidden = true;
    clear($('pins-list'));
    return;
  }
  const seqs = [...c.pins.keys()].sort((a, b) => a - b);
  $('pins-title').textContent = seqs.length === 1 ? '1 pinned message' : `${seqs.length} pinned messages`;
  const manage = mayPin(c);
  $('pins-list').replaceChildren(
    ...seqs.map((seq) => {
      const m = c.messages.get(seq) || c.pins.get(seq);
      const said = excerptOf(m);
      const text = `${userName(m.from_user_id)}: ${said.length > 120 ? `${said.slice(0, 120)}…` : said}`;
      return h(
        'li',
        { className: 'pinned-item', dataset: { seq: String(seq) } },
        h('button', { type: 'button', className: 'link pin-jump', title: 'Show the message', onclick: () => jumpTo(seq) }, text),
        manage
          ? h(
              'button',
              {
                type: 'button',
                className: 'link pin-remove',
                title: 'Unpin',
                onclick: () => change('unpin', c.conversation_id, seq),
              },
              'Unpin',
            )
          : null,
      );
    }),
  );
  bar.hidden = false;
}

/**
 * Scrolls to a message of the open conversation and highlights it for
 * `flashMs`, reading the history back to it first if it is older than
 * what is loaded (big pages, down to a few messages before it). Resolves
 * to whether it is shown.
 */
export async function jumpTo(seq, { flashMs = 1500 } = {}) {
  const c = conv(state.openId);
  if (!c) return false;
  const id = c.conversation_id;
  for (let pages = 0; c.loaded && !c.messages.has(seq) && c.hasMore && pages < JUMP_MAX_PAGES; pages += 1) {
    const oldest = sortedMessages(c)[0];
    if (oldest && oldest.seq < seq) break;
    const limit = oldest ? Math.min(JUMP_PAGE, Math.max(PAGE, oldest.seq - seq + 10)) : PAGE;
    const ok = await loadOlder(limit);
    if (state.openId !== id) return false;
    if (!ok) return false;
  }
  const li = document.querySelector(`#message-list .msg[data-seq="${seq}"]`);
  if (!li) {
    toast('That message is not in this conversation any more');
    return false;
  }
  li.scrollIntoView({ block: 'center' });
  // Highlighted for a moment, across redraws.
  flashed = { id, seq };
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    flashed = null;
  }, flashMs);
  li.classList.add('flash');
  return true;
}

// ---- forward ----------------------------------------------------------------

/** The picker of where to forward a message: our conversations, most recent first. */
function openForward(c, m) {
  const targets = sortedConvs();
  $('forward-text').textContent = m.content.length > 120 ? `${m.content.slice(0, 120)}…` : m.content;
  $('forward-list').replaceChildren(
    ...targets.map((t) =>
      h(
        'li',
        { className: 'row forward-target', dataset: { conversationId: t.conversation_id } },
        h(
          'button',
          { type: 'button', className: 'grow forward-to', onclick: () => forward(c, m, t) },
          convTitle(t),
          t.conversation_id === c.conversation_id ? h('span', { className: 'muted small' }, ' (this chat)') : null,
        ),
      ),
    ),
  );
  $('forward').hidden = false;
  const first = $('forward-list').querySelector('button');
  if (first) first.focus();
}

function closeForward() {
  $('forward').hidden = true;
}

/**
 * Sends a copy of `m` into `t`; the copy comes back to every connection of
 * ours as a new message, marked forwarded.
 */
async function forward(c, m, t) {
  closeForward();
  try {
    await socket.request('forward-messages', {
      conversation_id: c.conversation_id,
      seqs: [m.seq],
      to_conversation_id: t.conversation_id,
      client_msg_id: crypto.randomUUID(),
    });
    toast(`Forwarded to ${convTitle(t)}`);
  } catch (e) {
    toast(`Could not forward the message: ${e.message}`, 'error');
  }
}

// ---- delete for me ----------------------------------------------------------

/** Hides messages from our own history (the other members keep them). */
async function deleteForMe(c, seqs) {
  try {
    const d = await socket.request('delete-messages', { conversation_id: c.conversation_id, seqs });
    hideMessages(c, d.seqs || seqs);
  } catch (e) {
    toast(`Could not delete the message: ${e.message}`, 'error');
    return;
  }
  if (context && seqs.includes(context.seq)) setContext(null);
  // The list previews the newest message we still have.
  if (c.last_message && seqs.includes(c.last_message.seq)) {
    const left = sortedMessages(c).filter((x) => !isChange(x));
    c.last_message = left.length ? left[left.length - 1] : null;
    emit('list');
  }
  if (state.openId === c.conversation_id) renderMessages();
}

function pendingItem(c, p) {
  const failed = p.status === 'failed';
  return h(
    'li',
    {
      className: `msg mine ${p.status}`,
      dataset: { clientMsgId: p.client_msg_id, status: p.status },
    },
    h(
      'div',
      { className: 'bubble' },
      p.reply_to ? quote(c, p.reply_to) : null,
      isAttachment(p) ? attachmentView(p) : h('span', { className: 'text' }, p.content),
    ),
    h(
      'div',
      { className: 'meta' },
      h('span', { className: `status ${p.status}`, title: p.error }, failed ? `failed: ${p.error}` : 'sending…'),
      failed && !isClosed(c)
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

// ---- mentions ---------------------------------------------------------------
// The composer's "@" autocomplete (a group's members, the peer of a single
// chat, "@all" for a group's owner and admins), the ids a send says it
// mentions, and the mentions in a message's text.

const MAX_MENTION_OPTIONS = 8;

/** What the composer's autocomplete inserted: `{id, name}`, id 'all' for everyone. */
let chosen = [];
/** The open list: where its "@" starts, up to the caret, its options, the one active. */
let menu = null;

export function initMentions() {
  const ta = $('composer-input');
  ta.addEventListener('input', update);
  ta.addEventListener('click', update);
  ta.addEventListener('blur', close);
  // Names and members arrive after the list opened: draw it again.
  const again = () => {
    if (document.activeElement === ta) update();
  };
  on('users', again);
  on('members', (id) => {
    if (id === state.openId) again();
  });
}

/** Whether a group's owner or admin may say "@all" there. */
function mayMentionAll(c) {
  return c.type === 'group' && (c.myRole === 'owner' || c.myRole === 'admin');
}

/** Who the composer of conversation `c` can mention. */
function candidates(c) {
  const me = state.me && state.me.user_id;
  if (c.type === 'single') {
    return c.peer_user_id ? [option(c.peer_user_id)] : [];
  }
  if (c.type !== 'group') return [];
  if (c.members === null || c.membersStale) loadMembers(c);
  const out = mayMentionAll(c) ? [{ id: 'all', name: 'all', sub: 'everyone in this group' }] : [];
  for (const m of c.members || []) if (m.user_id !== me) out.push(option(m.user_id));
  return out;
}

function option(id) {
  const known = state.users.get(id);
  return { id, name: displayName(id), sub: known ? `@${known.username}` : '' };
}

/** Opens, filters or closes the list after what is left of the caret. */
function update() {
  const ta = $('composer-input');
  const c = conv(state.openId);
  // An edit keeps the mentions its message was sent with: no list there.
  const editing = context && context.kind === 'edit';
  if (!c || editing || document.activeElement !== ta || ta.selectionStart !== ta.selectionEnd) {
    close();
    return;
  }
  const before = ta.value.slice(0, ta.selectionStart);
  const typed = /(^|\s)@([^\s@]{0,32})$/.exec(before);
  if (!typed) {
    close();
    return;
  }
  const query = typed[2].toLowerCase();
  const matches = candidates(c)
    .map((o) => {
      const name = o.name.toLowerCase();
      const user = o.sub.startsWith('@') ? o.sub.slice(1).toLowerCase() : '';
      const rank = !query || name.startsWith(query) || user.startsWith(query) ? 0 : name.includes(query) || user.includes(query) ? 1 : 2;
      return { o, rank };
    })
    .filter((x) => x.rank < 2)
    .sort((a, b) => a.rank - b.rank || (a.o.id === 'all' ? -1 : b.o.id === 'all' ? 1 : a.o.name.localeCompare(b.o.name)))
    .slice(0, MAX_MENTION_OPTIONS)
    .map((x) => x.o);
  if (!matches.length) {
    close();
    return;
  }
  const wasActive = menu && menu.options[menu.active] && menu.options[menu.active].id;
  const active = Math.max(0, matches.findIndex((o) => o.id === wasActive));
  menu = { start: before.length - typed[2].length - 1, end: ta.selectionStart, options: matches, active };
  render();
}

function render() {
  const list = $('mention-list');
  if (!menu) {
    list.hidden = true;
    list.replaceChildren();
    return;
  }
  list.replaceChildren(
    ...menu.options.map((o, i) =>
      h(
        'li',
        {
          className: `mention-option ${i === menu.active ? 'active' : ''}`,
          role: 'option',
          'aria-selected': String(i === menu.active),
          dataset: { userId: o.id },
          // Keeps the focus (and the caret) in the composer.
          onmousedown: (ev) => ev.preventDefault(),
          onclick: () => choose(o),
        },
        h('span', { className: 'mention-name' }, o.id === 'all' ? '@all' : o.name),
        o.sub ? h('span', { className: 'mention-sub muted small' }, o.sub) : null,
      ),
    ),
  );
  list.hidden = false;
}

function close() {
  if (!menu && $('mention-list').hidden) return;
  menu = null;
  render();
}

/** Puts "@Name " in place of what was typed after "@", and notes who. */
function choose(o) {
  const ta = $('composer-input');
  if (!menu) return;
  const name = o.id === 'all' ? 'all' : o.name;
  const insert = `@${name} `;
  ta.value = ta.value.slice(0, menu.start) + insert + ta.value.slice(menu.end);
  const caret = menu.start + insert.length;
  ta.setSelectionRange(caret, caret);
  if (!chosen.some((x) => x.id === o.id && x.name === name)) chosen.push({ id: o.id, name });
  close();
  ta.focus();
  ta.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The composer's keys while the list is open; true if it took the key. */
export function mentionKey(ev) {
  if (!menu || ev.isComposing) return false;
  const n = menu.options.length;
  switch (ev.key) {
    case 'ArrowDown':
      menu.active = (menu.active + 1) % n;
      break;
    case 'ArrowUp':
      menu.active = (menu.active + n - 1) % n;
      break;
    case 'Enter':
    case 'Tab':
      ev.preventDefault();
      choose(menu.options[menu.active]);
      return true;
    case 'Escape':
      close();
      ev.preventDefault();
      return true;
    default:
      return false;
  }
  ev.preventDefault();
  render();
  return true;
}

/** What a send of `content` mentions: the chosen names still in it. */
export function mentionPayload(content) {
  const ids = new Set();
  let all = false;
  for (const m of chosen) {
    if (!content.includes(`@${m.name}`)) continue;
    if (m.id === 'all') all = true;
    else ids.add(m.id);
  }
  return { mentions: [...ids].slice(0, 50), mentionAll: all };
}

/** A new draft: nothing chosen, no list. */
export function clearMentions() {
  chosen = [];
  close();
}

/** The names a user may be mentioned by, once known. */
function namesOf(id) {
  const u = state.me && id === state.me.user_id ? state.me : state.users.get(id);
  if (!u) {
    displayName(id);
    return [];
  }
  return [u.nickname, u.username].filter(Boolean);
}

/**
 * A message's text with its mentions as chips: "@Name" of each user it
 * mentions, "@all" if it mentions everyone; ours marked. Only text nodes
 * and spans, so its textContent is the content as sent.
 */
export function contentNodes(m) {
  const me = state.me && state.me.user_id;
  const theirs = m.from_user_id !== me;
  const names = [];
  for (const id of m.mentions || []) for (const n of namesOf(id)) names.push({ n, mine: theirs && id === me });
  if (m.mention_all) names.push({ n: 'all', mine: theirs });
  if (!names.length) return [m.content];
  names.sort((a, b) => b.n.length - a.n.length);
  const s = m.content;
  const out = [];
  let plain = '';
  for (let i = 0; i < s.length; ) {
    const hit = s[i] === '@' ? names.find((x) => s.startsWith(x.n, i + 1)) : null;
    if (hit) {
      if (plain) out.push(plain);
      plain = '';
      out.push(h('span', { className: `mention ${hit.mine ? 'to-me' : ''}` }, `@${hit.n}`));
      i += 1 + hit.n.length;
    } else {
      plain += s[i];
      i += 1;
    }
  }
  if (plain) out.push(plain);
  return out;
}
