// The client's model: conversations, their message caches, messages
// waiting for an ack, and what is known about other users. Views
// subscribe with `on(event, fn)`; the model never touches the DOM.
//
// A conversation's cache is kept contiguous once it was opened
// (`loaded`): messages are keyed by seq (so a message seen twice, live and
// through sync, is stored once) and `syncSeq` is the highest seq up to
// which nothing is missing. That is the cursor sent in `sync`.

import { get } from './api.js';

export const state = {
  me: null,
  convs: new Map(),
  openId: null,
  pending: new Map(),
  users: new Map(),
  friends: new Map(),
  presence: new Map(),
  typing: new Map(),
};

const listeners = new Map();

export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
}

export function emit(event, arg) {
  for (const fn of listeners.get(event) || []) fn(arg);
}

export function reset() {
  state.me = null;
  state.convs.clear();
  state.openId = null;
  for (const p of state.pending.values()) clearTimeout(p.timer);
  state.pending.clear();
  state.users.clear();
  state.friends.clear();
  state.presence.clear();
  state.typing.clear();
}

function newConv(id) {
  return {
    conversation_id: id,
    type: 'single',
    name: '',
    last_seq: 0,
    read_seq: 0,
    unread: 0,
    last_message: null,
    updated_at: '',
    messages: new Map(),
    loaded: false,
    hasMore: true,
    syncSeq: 0,
    readSent: 0,
    reads: new Map(),
    // The last message that mentions us: "@" in the list until read past it.
    mention_seq: 0,
    // Seqs that will never come (hidden by "delete for me"): the cache is
    // contiguous across them.
    gone: new Set(),
    // Pinned messages by seq, as the server lists them; live events keep
    // them current once loaded, `pinsStale` asks for a reload.
    pins: new Map(),
    pinsLoaded: false,
    pinsStale: false,
    pinsGen: 0,
    // A group's members (`{user_id, role}`) and our role, for mentions and
    // who may pin; reloaded after a membership change.
    members: null,
    myRole: '',
    membersStale: true,
    // Authors no longer members whose profile was read again since the
    // group was last opened (`recheckLeavers`).
    leaversChecked: new Set(),
  };
}

/** Merges a conversation from the server; returns whether a sync is due. */
export function upsertConv(dto) {
  let c = state.convs.get(dto.conversation_id);
  if (!c) {
    c = newConv(dto.conversation_id);
    state.convs.set(c.conversation_id, c);
  }
  const newer = dto.last_seq >= c.last_seq;
  c.type = dto.type;
  c.name = dto.name;
  c.peer_user_id = dto.peer_user_id;
  c.group_id = dto.group_id;
  c.muted = dto.muted;
  c.pinned = dto.pinned;
  if (newer) {
    c.last_seq = dto.last_seq;
    c.last_message = dto.last_message || c.last_message;
    c.updated_at = dto.updated_at;
  }
  c.read_seq = Math.max(c.read_seq, dto.read_seq);
  c.mention_seq = Math.max(c.mention_seq, dto.mention_seq || 0);
  c.readSent = Math.max(c.readSent, dto.read_seq);
  if (newer) c.unread = dto.unread;
  if (c.read_seq >= c.last_seq) c.unread = 0;
  if (dto.peer_read_seq !== undefined && c.peer_user_id) {
    noteRead(c, c.peer_user_id, dto.peer_read_seq);
  }
  if (!c.loaded) {
    c.syncSeq = Math.max(c.syncSeq, c.last_seq);
    return false;
  }
  return c.last_seq > c.syncSeq;
}

export function conv(id) {
  return state.convs.get(id);
}

/** Conversations, most recent activity first. */
export function sortedConvs() {
  return [...state.convs.values()].sort((a, b) => {
    const ta = activity(a);
    const tb = activity(b);
    return ta < tb ? 1 : ta > tb ? -1 : 0;
  });
}

function activity(c) {
  return (c.last_message && c.last_message.created_at) || c.updated_at || '';
}

/**
 * Takes one confirmed message, from any source (new-message, sync,
 * history, an ack). Returns 'new' if it was not seen before, 'dup' if it
 * was, 'gap' if it is new but messages before it are missing.
 */
export function addMessage(m, { fromHistory = false } = {}) {
  let c = state.convs.get(m.conversation_id);
  if (!c) return 'unknown';
  resolvePending(m);
  let result = 'dup';
  if (m.seq > c.last_seq) {
    result = 'new';
    c.last_seq = m.seq;
    c.last_message = m;
    c.updated_at = m.created_at;
    if (m.from_user_id !== (state.me && state.me.user_id) && m.message_type !== 'system') {
      c.unread += 1;
      if (mentionsMe(m)) c.mention_seq = Math.max(c.mention_seq, m.seq);
    } else if (m.from_user_id === (state.me && state.me.user_id)) {
      // Sending a message means having read up to it.
      c.read_seq = Math.max(c.read_seq, m.seq);
      c.unread = Math.max(0, Math.min(c.unread, c.last_seq - c.read_seq));
    }
  }
  if (c.loaded || fromHistory) {
    if (!c.messages.has(m.seq)) {
      c.messages.set(m.seq, m);
      // A history page (read back from the newest) shows its messages as
      // they are now: its events are already in them.
      if (!fromHistory) applyChange(c, m);
      if (result === 'dup' && !fromHistory) result = 'filled';
      if (result !== 'dup' && !fromHistory) applyPin(c, m);
    }
    advance(c);
    if (c.loaded && m.seq > c.syncSeq && result === 'new') result = 'gap';
  } else {
    c.syncSeq = Math.max(c.syncSeq, m.seq);
    if (result === 'new') applyPin(c, m);
  }
  // Someone joined, left or changed roles: who we mention and whether we
  // may pin are to be asked again.
  if (m.message_type === 'system' && c.type === 'group' && result !== 'dup' && !fromHistory) {
    c.membersStale = true;
    emit('members-stale', c.conversation_id);
  }
  return result;
}

/** Moves the contiguous high-water mark over what we hold or know is gone. */
function advance(c) {
  while (c.messages.has(c.syncSeq + 1) || c.gone.has(c.syncSeq + 1)) c.syncSeq += 1;
}

/**
 * Seqs of a loaded conversation that will not come (hidden from us): the
 * server skips them in history and sync, so the cache counts as
 * contiguous across them.
 */
export function noteGone(c, seqs) {
  for (const s of seqs) if (!c.messages.has(s)) c.gone.add(s);
  advance(c);
}

/**
 * Given a run of messages the server answered for the seqs from `from` to
 * the last of them (a history page, a sync entry), notes the seqs it left
 * out as gone.
 */
export function noteRange(c, from, messages) {
  if (!messages.length) return;
  const top = messages[messages.length - 1].seq;
  const had = new Set(messages.map((m) => m.seq));
  const missing = [];
  for (let s = from; s < top; s += 1) if (!had.has(s)) missing.push(s);
  noteGone(c, missing);
}

/** "Delete for me" done: the seqs leave this client's cache. */
export function hideMessages(c, seqs) {
  for (const s of seqs) {
    c.messages.delete(s);
    c.pins.delete(s);
  }
  noteGone(c, seqs);
}

/** Whether a message names us (by id, or as one of all). */
export function mentionsMe(m) {
  if (!state.me || m.from_user_id === state.me.user_id) return false;
  return !!m.mention_all || (Array.isArray(m.mentions) && m.mentions.includes(state.me.user_id));
}

/** A message after our read cursor mentions us. */
export function isMentioned(c) {
  return c.mention_seq > c.read_seq;
}

/**
 * A pin, an unpin or a recall (which unpins) keeps the pinned list of a
 * conversation current; `emit('pins', id)` for the views. A pin of a
 * message we do not hold asks for the list again.
 */
function applyPin(c, m) {
  if (!['pin', 'unpin', 'recall'].includes(m.message_type) || m.target_seq === undefined) return;
  c.pinsGen += 1;
  if (m.message_type === 'pin') {
    const target = c.messages.get(m.target_seq);
    if (target && !target.recalled_at) c.pins.set(m.target_seq, target);
    else c.pinsStale = true;
  } else {
    c.pins.delete(m.target_seq);
  }
  emit('pins', c.conversation_id);
}

const CHANGES = new Set(['edit', 'recall', 'react', 'unreact', 'pin', 'unpin']);

/** Whether `m` is an event that changes the message at `target_seq`. */
export function isChange(m) {
  return CHANGES.has(m.message_type) && m.target_seq !== undefined;
}

/**
 * An event changes its target, if we hold it (one loaded later comes from
 * the server as it is now). Events come in seq order per conversation and
 * each says the state it leaves (an edit its content, a reaction its
 * emoji's count), so applying them in order ends where the server is,
 * whatever state the target started from.
 */
function applyChange(c, m) {
  if (!isChange(m)) return;
  const target = c.messages.get(m.target_seq);
  if (!target || target.recalled_at) return;
  switch (m.message_type) {
    case 'pin':
    case 'unpin':
      // The pinned list holds them (`applyPin`).
      break;
    case 'edit':
      target.content = m.content;
      target.edited_at = m.created_at;
      break;
    case 'recall':
      target.content = '';
      target.recalled_at = m.created_at;
      target.reactions = [];
      // Its earlier edits held its content too.
      for (const e of c.messages.values()) {
        if (e.message_type === 'edit' && e.target_seq === m.target_seq) e.content = '';
      }
      break;
    default: {
      const reactions = (target.reactions || []).slice();
      let r = reactions.find((x) => x.emoji === m.content);
      if (!r) {
        r = { emoji: m.content, count: 0, mine: false };
        reactions.push(r);
      }
      r.count = m.reaction_count ?? r.count;
      if (state.me && m.from_user_id === state.me.user_id) r.mine = m.message_type === 'react';
      target.reactions = reactions.filter((x) => x.count > 0);
    }
  }
}

/** A confirmed copy of one of our pending messages ends its pending life. */
function resolvePending(m) {
  if (!state.me || m.from_user_id !== state.me.user_id) return;
  const p = state.pending.get(m.client_msg_id);
  if (p && p.conversation_id === m.conversation_id) {
    clearTimeout(p.timer);
    state.pending.delete(m.client_msg_id);
  }
}

export function pendingFor(id) {
  return [...state.pending.values()].filter((p) => p.conversation_id === id);
}

export function sortedMessages(c) {
  return [...c.messages.values()].sort((a, b) => a.seq - b.seq);
}

export function noteRead(c, userId, seq) {
  const before = c.reads.get(userId) || 0;
  if (seq > before) c.reads.set(userId, seq);
}

/** How many other members have read up to `seq`. */
export function readers(c, seq) {
  let n = 0;
  for (const [user, upTo] of c.reads) {
    if (user !== state.me.user_id && upTo >= seq) n += 1;
  }
  return n;
}

/** Cursors for `sync`: every conversation's contiguous high-water mark. */
export function cursors() {
  const out = {};
  for (const c of state.convs.values()) out[c.conversation_id] = c.syncSeq;
  return out;
}

/** How a known user is named: a deleted account as "Deleted user". */
function nameOf(u) {
  return u.deleted ? 'Deleted user' : u.nickname || u.username;
}

/** Whether a user's account was deleted, as far as we know. */
export function isDeleted(id) {
  const u = state.users.get(id);
  return !!(u && u.deleted);
}

const reading = new Map();

/**
 * Reads a user's profile again (a deletion since, say): the cached one is
 * replaced and `emit('users')`. Resolves to the profile; one read per user
 * at a time.
 */
export function refreshUser(id) {
  if (!reading.has(id)) {
    const p = get(`/api/v1/users/${encodeURIComponent(id)}`)
      .then((u) => {
        state.users.set(id, u);
        emit('users');
        return u;
      })
      .finally(() => reading.delete(id));
    reading.set(id, p);
  }
  return reading.get(id);
}

/**
 * The authors of a group's loaded messages who are no longer members left
 * it, maybe with their account (which leaves every group first, then is
 * erased): their profiles are read again, once each time the group is
 * opened (`c.leaversChecked`), so their words show as "Deleted user"'s.
 */
export function recheckLeavers(c) {
  if (c.type !== 'group' || !c.members || !c.loaded) return;
  const members = new Set(c.members.map((m) => m.user_id));
  const me = state.me && state.me.user_id;
  for (const m of c.messages.values()) {
    const id = m.from_user_id;
    if (!id || id === me || members.has(id) || isDeleted(id) || c.leaversChecked.has(id)) continue;
    c.leaversChecked.add(id);
    refreshUser(id).catch(() => {});
  }
}

/** A user's display name, fetched once and cached; `emit('users')` when known. */
export function userName(id) {
  if (!id) return '';
  if (state.me && id === state.me.user_id) return 'You';
  const known = state.users.get(id);
  if (known) return nameOf(known);
  if (!state.users.has(id)) {
    state.users.set(id, null);
    refreshUser(id).catch(() => {
      state.users.set(id, { username: `${id.slice(0, 8)}…`, nickname: '' });
    });
  }
  return `${id.slice(0, 8)}…`;
}

/** A user's own name, ours included (`userName` says "You"). */
export function displayName(id) {
  if (state.me && id === state.me.user_id) return state.me.nickname || state.me.username;
  const known = state.users.get(id);
  if (known) return nameOf(known);
  return userName(id);
}

export function convTitle(c) {
  if (c.type === 'world') return c.name || 'World';
  if (c.type === 'single' && c.peer_user_id) {
    const known = state.users.get(c.peer_user_id);
    if (known) return nameOf(known);
    if (c.name) return c.name;
    return userName(c.peer_user_id);
  }
  return c.name || 'Conversation';
}

export function isOnline(userId) {
  if (state.presence.has(userId)) return state.presence.get(userId);
  const f = state.friends.get(userId);
  return f ? !!f.online : undefined;
}

/**
 * A group's members and our role in it (first pages, up to 5,000), for
 * mentions and who may pin; `emit('members', id)` when known. Called
 * again while loading, it loads once more after.
 */
export async function loadMembers(c) {
  if (c.type !== 'group' || !c.group_id) return;
  if (c.membersLoading) {
    c.membersAgain = true;
    return;
  }
  c.membersLoading = true;
  c.membersStale = false;
  try {
    const all = [];
    let after = '';
    for (let page = 0; page < 5; page += 1) {
      const query = after ? `?after=${encodeURIComponent(after)}` : '';
      const d = await get(`/api/v1/groups/${encodeURIComponent(c.group_id)}/members${query}`);
      all.push(...d.members);
      if (!d.has_more || !d.members.length) break;
      after = d.members[d.members.length - 1].user_id;
    }
    c.members = all;
    const mine = state.me && all.find((m) => m.user_id === state.me.user_id);
    c.myRole = mine ? mine.role : '';
  } catch {
    // Not a member any more, or the server is away: what we had stays.
    if (c.members === null) c.members = [];
  } finally {
    c.membersLoading = false;
  }
  emit('members', c.conversation_id);
  if (c.membersAgain) {
    c.membersAgain = false;
    loadMembers(c);
  }
}

/**
 * The pinned messages of a conversation, as the server lists them now;
 * `emit('pins', id)` once loaded. An event that came while asking means
 * the answer may predate it: ask again.
 */
export async function loadPins(c) {
  if (c.type === 'world') return;
  if (c.pinsLoading) {
    c.pinsAgain = true;
    return;
  }
  c.pinsLoading = true;
  try {
    for (let attempt = 0; ; attempt += 1) {
      const gen = c.pinsGen;
      c.pinsStale = false;
      const { messages } = await get(`/api/v1/conversations/${encodeURIComponent(c.conversation_id)}/pins`);
      if (gen !== c.pinsGen && attempt < 3) continue;
      c.pins = new Map(messages.map((m) => [m.seq, c.messages.get(m.seq) || m]));
      c.pinsLoaded = true;
      break;
    }
  } finally {
    c.pinsLoading = false;
  }
  emit('pins', c.conversation_id);
  if (c.pinsAgain) {
    c.pinsAgain = false;
    await loadPins(c);
  }
}
