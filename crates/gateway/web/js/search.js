// Message search: the box at the top of the Chats panel, its results (who
// said it, where, when, the words found marked), further pages on "More",
// one conversation only when asked from a chat's header, and a result
// opening its conversation at the message.

import { get } from './api.js';
import { $, h, clear, shortTime } from './dom.js';
import { state, on, conv, userName, convTitle } from './state.js';
import { closeConversation } from './chat.js';

const PAUSE_MS = 300;
const PAGE = 20;
/** A result's text is cut to about this many characters around its first match. */
const EXCERPT = 240;
const PHONE = '(max-width: 720px)';

let hooks = { showMessage: async () => {}, showChats: () => {} };
/** The conversation searched within (its id), or null: all of ours. */
let scope = null;
/** What the list shows: `{q, scope, results, next}`; null when nothing. */
let shown = null;
/** Answers to older searches (and their pages) are dropped. */
let searchSeq = 0;
let typing = 0;

export function initSearch(h0) {
  hooks = h0;
  const input = $('message-q');
  // As you type (a short pause first), or on Search.
  input.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => search(), PAUSE_MS);
  });
  $('message-search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(typing);
    search();
  });
  $('search-more').addEventListener('click', () => more());
  $('search-scope-clear').addEventListener('click', () => {
    setScope(null);
    search();
  });
  // The open chat's header: search this conversation only.
  $('chat-search-button').addEventListener('click', () => {
    if (!state.openId) return;
    setScope(state.openId);
    hooks.showChats();
    // On a phone the list and the chat take turns: back to the list.
    if (window.matchMedia(PHONE).matches) closeConversation();
    input.focus();
    if (input.value.trim()) search();
  });
  // Names arrive after the results: draw them again.
  on('users', () => {
    setScope(scope);
    render();
  });
  on('left', (id) => {
    if (scope === id) {
      setScope(null);
      if (shown) search();
    }
  });
}

/** A new session: no query, no scope, no results. */
export function resetSearch() {
  clearTimeout(typing);
  searchSeq += 1;
  $('message-q').value = '';
  setScope(null);
  shown = null;
  render();
}

function setScope(id) {
  scope = id;
  const c = id ? conv(id) : null;
  $('search-scope').hidden = !id;
  $('search-scope-name').textContent = c ? convTitle(c) : '';
  $('message-q').placeholder = id ? 'Search this chat' : 'Search messages';
}

function query(q, before, within = scope) {
  let path = `/api/v1/messages/search?q=${encodeURIComponent(q)}&limit=${PAGE}`;
  if (within) path += `&conversation_id=${encodeURIComponent(within)}`;
  if (before) path += `&before=${encodeURIComponent(before)}`;
  return get(path);
}

/** The first page for what the box holds now (nothing: the list goes). */
async function search() {
  const q = $('message-q').value.trim();
  const mine = ++searchSeq;
  if (!q) {
    shown = null;
    render();
    return;
  }
  const at = scope;
  let page;
  try {
    page = await query(q);
  } catch (e) {
    if (mine !== searchSeq) return;
    shown = { q, scope: at, results: [], next: null, error: explain(e) };
    render();
    return;
  }
  if (mine !== searchSeq) return;
  shown = { q, scope: at, results: page.results || [], next: page.next || null, error: '' };
  render();
}

/** The next page of the results shown, after them. */
async function more() {
  if (!shown || !shown.next) return;
  const mine = searchSeq;
  const was = shown;
  const button = $('search-more');
  button.disabled = true;
  try {
    // The scope the shown results were asked in, whatever it is now.
    const page = await query(was.q, was.next, was.scope);
    if (mine !== searchSeq || shown !== was) return;
    was.results = was.results.concat(page.results || []);
    was.next = page.next || null;
    was.error = '';
  } catch (e) {
    if (mine !== searchSeq || shown !== was) return;
    was.error = explain(e);
  } finally {
    button.disabled = false;
  }
  render();
}

/** What went wrong, in words: a bad query names what is wrong with it. */
function explain(e) {
  if (e.code === 1001) {
    const m = /^q\b[:\s]*(.*)$/.exec(e.message);
    if (m) return `Your search ${m[1]}`;
  }
  return `Search failed: ${e.message}`;
}

function render() {
  const box = $('search');
  const list = $('search-results');
  if (!shown) {
    box.hidden = true;
    clear(list);
    delete list.dataset.q;
    delete list.dataset.count;
    $('search-more').hidden = true;
    return;
  }
  const items = shown.results.map(resultItem);
  if (!items.length && !shown.error) items.push(h('li', { className: 'muted search-none' }, 'No messages found'));
  if (shown.error) items.push(h('li', { className: 'error search-error' }, shown.error));
  clear(list).append(...items);
  // Which search the list answers, and how many results it holds.
  list.dataset.q = shown.q;
  list.dataset.scope = shown.scope || '';
  list.dataset.count = String(shown.results.length);
  $('search-more').hidden = !shown.next;
  box.hidden = false;
}

function resultItem(r) {
  const m = r.message;
  const c = conv(m.conversation_id);
  const open = () => hooks.showMessage(m.conversation_id, m.seq);
  return h(
    'li',
    {
      className: 'search-result',
      dataset: { conversationId: m.conversation_id, seq: String(m.seq) },
      tabIndex: 0,
      title: 'Show this message in its conversation',
      onclick: open,
      onkeydown: (ev) => {
        if (ev.key === 'Enter') open();
      },
    },
    h(
      'div',
      { className: 'sr-top' },
      h('span', { className: 'sr-from' }, userName(m.from_user_id)),
      h('span', { className: 'sr-conv' }, c ? convTitle(c) : 'a conversation'),
      h('time', { className: 'sr-time', dateTime: m.created_at }, shortTime(m.created_at)),
    ),
    h(
      'div',
      { className: 'sr-text' },
      ...marked(m.content, r.highlights),
      m.edited_at ? h('span', { className: 'sr-edited' }, ' (edited)') : null,
    ),
  );
}

const isLow = (s, i) => i > 0 && i < s.length && s.charCodeAt(i) >= 0xdc00 && s.charCodeAt(i) <= 0xdfff;

/**
 * The text as nodes, each `[start, end)` range (UTF-16 units, as the
 * server gives them) in a <mark>; a long text cut around its first
 * match. Text nodes only: the content is never parsed as HTML.
 */
export function marked(text, highlights) {
  let ranges = (Array.isArray(highlights) ? highlights : [])
    .filter((r) => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1]))
    .map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)])
    .filter(([s, e]) => s < e)
    .sort((a, b) => a[0] - b[0]);
  // Overlapping or touching ranges are one mark.
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  ranges = merged;
  let from = 0;
  let to = text.length;
  if (text.length > EXCERPT) {
    const first = ranges.length ? ranges[0][0] : 0;
    if (first > EXCERPT / 3) from = first - 40;
    to = Math.min(text.length, from + EXCERPT);
    // Never half of a surrogate pair.
    if (isLow(text, from)) from -= 1;
    if (isLow(text, to)) to -= 1;
  }
  const out = [];
  if (from > 0) out.push('…');
  let at = from;
  for (const [s0, e0] of ranges) {
    const s = Math.max(s0, from);
    const e = Math.min(e0, to);
    if (s >= e) continue;
    if (s > at) out.push(text.slice(at, s));
    out.push(h('mark', {}, text.slice(s, e)));
    at = e;
  }
  if (at < to) out.push(text.slice(at, to));
  if (to < text.length) out.push('…');
  return out;
}
