// Side panels: friends (requests, presence, blocks), groups (create, join),
// and the details of the open conversation (settings, members and roles).

import { get, post, put, del } from './api.js';
import { $, h, clear, copy, toast } from './dom.js';
import { state, emit, conv, userName, convTitle, isOnline, upsertConv, isDeleted } from './state.js';

let openChat = async () => {};
const SEARCH_PAUSE_MS = 250;
/** Answers to older searches are dropped: only the latest is shown. */
let searchSeq = 0;
let refreshConversations = async () => {};

export function initPanels(hooks) {
  openChat = hooks.openChat;
  refreshConversations = hooks.refreshConversations;

  // The directory: as you type (a short pause first), or on Find.
  let typing = 0;
  $('people-q').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => searchPeople($('people-q').value), SEARCH_PAUSE_MS);
  });
  $('people-search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(typing);
    searchPeople($('people-q').value);
  });

  $('friend-request').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const to = $('friend-id').value.trim();
    const message = $('friend-message').value.trim();
    if (!to) return;
    try {
      const body = { to_user_id: to };
      if (message) body.message = message;
      const r = await post('/api/v1/friends/requests', body);
      $('friend-id').value = '';
      $('friend-message').value = '';
      toast(r && r.status === 'accepted' ? 'You are now friends' : 'Friend request sent');
      await loadFriends();
    } catch (e) {
      toast(`Friend request failed: ${e.message}`, 'error');
    }
  });

  $('group-create').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('group-name').value.trim();
    if (!name) return;
    const body = { name, join_policy: $('group-invite-only').checked ? 'invite' : 'open' };
    const description = $('group-description').value.trim();
    if (description) body.description = description;
    try {
      const g = await post('/api/v1/groups/create', body);
      $('group-name').value = '';
      $('group-description').value = '';
      toast(`Group "${g.name}" created`);
      await refreshConversations();
      await openChat(g.conversation_id);
    } catch (e) {
      toast(`Could not create the group: ${e.message}`, 'error');
    }
  });

  $('group-join').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = $('group-join-id').value.trim();
    if (!id) return;
    try {
      const g = await post(`/api/v1/groups/${encodeURIComponent(id)}/join`);
      $('group-join-id').value = '';
      toast(`Joined "${g.name}"`);
      await refreshConversations();
      await openChat(g.conversation_id);
    } catch (e) {
      toast(`Could not join: ${e.message}`, 'error');
    }
  });

  $('info-close').addEventListener('click', () => {
    $('info').hidden = true;
  });
}

/** Friends, presence and pending requests; quietly empty while unsupported. */
export async function loadFriends() {
  let friends = [];
  let requests = { incoming: [], outgoing: [] };
  try {
    [friends, requests] = await Promise.all([
      get('/api/v1/friends').then((d) => d.friends || []),
      get('/api/v1/friends/requests'),
    ]);
  } catch (e) {
    $('friends').replaceChildren(h('li', { className: 'muted' }, `Friends unavailable: ${e.message}`));
    return;
  }
  state.friends.clear();
  for (const f of friends) {
    state.friends.set(f.user_id, f);
    state.presence.set(f.user_id, !!f.online);
    if (!state.users.get(f.user_id)) state.users.set(f.user_id, f);
  }
  renderRequests(requests.incoming || [], requests.outgoing || []);
  renderFriends();
  emit('list');
}

function renderRequests(incoming, outgoing) {
  const badge = $('requests-badge');
  badge.textContent = String(incoming.length);
  badge.hidden = incoming.length === 0;
  clear($('requests-in')).append(
    ...(incoming.length
      ? incoming.map((r) =>
          h(
            'li',
            { className: 'row request', dataset: { requestId: r.request_id, from: r.from_user_id } },
            h(
              'div',
              { className: 'grow' },
              h('div', { className: 'name' }, userName(r.from_user_id)),
              r.message ? h('div', { className: 'muted small' }, r.message) : null,
            ),
            h('button', { type: 'button', className: 'primary accept', onclick: () => answer(r, 'accept') }, 'Accept'),
            h('button', { type: 'button', className: 'reject', onclick: () => answer(r, 'reject') }, 'Reject'),
          ),
        )
      : [h('li', { className: 'muted' }, 'None')]),
  );
  clear($('requests-out')).append(
    ...(outgoing.length
      ? outgoing.map((r) =>
          h(
            'li',
            { className: 'row request', dataset: { requestId: r.request_id, to: r.to_user_id } },
            h('div', { className: 'grow name' }, userName(r.to_user_id)),
            h('span', { className: 'muted small' }, 'pending'),
          ),
        )
      : [h('li', { className: 'muted' }, 'None')]),
  );
}

async function answer(r, verb) {
  try {
    await post(`/api/v1/friends/requests/${encodeURIComponent(r.request_id)}/${verb}`);
    toast(verb === 'accept' ? 'Friend request accepted' : 'Friend request rejected');
  } catch (e) {
    toast(`Could not ${verb}: ${e.message}`, 'error');
  }
  await loadFriends();
}

export function renderFriends() {
  const list = [...state.friends.values()].sort((a, b) =>
    (a.nickname || a.username).localeCompare(b.nickname || b.username),
  );
  clear($('friends')).append(
    ...(list.length
      ? list.map((f) => {
          const online = isOnline(f.user_id);
          return h(
            'li',
            { className: 'row friend', dataset: { userId: f.user_id, online: String(!!online) } },
            h('span', { className: `dot ${online ? 'on' : 'off'}`, title: online ? 'online' : 'offline' }),
            h(
              'div',
              { className: 'grow' },
              h('div', { className: 'name' }, f.nickname || f.username),
              h('div', { className: 'muted small' }, `@${f.username}`),
            ),
            h('button', { type: 'button', className: 'primary', onclick: () => chatWith(f.user_id) }, 'Chat'),
            h('button', { type: 'button', onclick: () => unfriend(f.user_id) }, 'Remove'),
            h('button', { type: 'button', className: 'danger', onclick: () => block(f.user_id, true) }, 'Block'),
          );
        })
      : [h('li', { className: 'muted' }, 'No friends yet: find people above, or send a request with their user id.')]),
  );
}

/** Finds people by a username or nickname prefix (the server's directory). */
async function searchPeople(raw) {
  const q = raw.trim();
  const list = $('people');
  const mine = ++searchSeq;
  if (!q) {
    clear(list).hidden = true;
    delete list.dataset.q;
    return;
  }
  let users;
  try {
    ({ users } = await get(`/api/v1/users/search?q=${encodeURIComponent(q)}&limit=10`));
  } catch (e) {
    if (mine !== searchSeq) return;
    clear(list).append(h('li', { className: 'muted' }, `Search failed: ${e.message}`));
    list.hidden = false;
    return;
  }
  if (mine !== searchSeq) return;
  clear(list).append(
    ...(users.length
      ? users.map((u) =>
          h(
            'li',
            { className: 'row person', dataset: { userId: u.user_id } },
            h(
              'div',
              { className: 'grow' },
              h('div', { className: 'name' }, u.nickname || u.username),
              h('div', { className: 'muted small' }, `@${u.username}`),
              u.status_text ? h('div', { className: 'muted small status-line', title: u.status_text }, u.status_text) : null,
            ),
            h('button', { type: 'button', className: 'primary chat', onclick: () => chatWith(u.user_id) }, 'Chat'),
            state.friends.has(u.user_id)
              ? null
              : h('button', { type: 'button', className: 'befriend', onclick: () => befriend(u.user_id) }, 'Add friend'),
          ),
        )
      : [h('li', { className: 'muted' }, 'Nobody found')]),
  );
  // Which search the list answers (the latest: older answers are dropped).
  list.dataset.q = q;
  list.hidden = false;
}

async function befriend(userId) {
  try {
    const r = await post('/api/v1/friends/requests', { to_user_id: userId });
    toast(r && r.status === 'accepted' ? 'You are now friends' : 'Friend request sent');
    await loadFriends();
  } catch (e) {
    toast(`Friend request failed: ${e.message}`, 'error');
  }
}

/** Opens (creating if needed) the single conversation with a user. */
export async function chatWith(userId) {
  try {
    const c = await post('/api/v1/conversations/create', { peer_user_id: userId });
    upsertConv(c);
    emit('list');
    await openChat(c.conversation_id);
  } catch (e) {
    toast(`Could not open the chat: ${e.message}`, 'error');
  }
}

async function unfriend(userId) {
  try {
    await del(`/api/v1/friends/${encodeURIComponent(userId)}`);
    toast('Friend removed');
  } catch (e) {
    toast(`Could not remove: ${e.message}`, 'error');
  }
  await loadFriends();
}

async function block(userId, on) {
  try {
    if (on) await post(`/api/v1/blocks/${encodeURIComponent(userId)}`);
    else await del(`/api/v1/blocks/${encodeURIComponent(userId)}`);
    toast(on ? `${userName(userId)} is blocked` : `${userName(userId)} is unblocked`);
  } catch (e) {
    toast(`Could not ${on ? 'block' : 'unblock'}: ${e.message}`, 'error');
  }
  await loadFriends();
}

export function renderGroups() {
  const groups = [...state.convs.values()].filter((c) => c.type === 'group');
  clear($('groups')).append(
    ...(groups.length
      ? groups.map((c) =>
          h(
            'li',
            { className: 'row group', dataset: { conversationId: c.conversation_id } },
            h('div', { className: 'grow name' }, convTitle(c)),
            h('button', { type: 'button', onclick: () => openChat(c.conversation_id) }, 'Open'),
          ),
        )
      : [h('li', { className: 'muted' }, 'No groups yet.')]),
  );
}

/** The details pane of the open conversation. */
export async function showInfo() {
  const c = conv(state.openId);
  if (!c) return;
  $('info').hidden = false;
  $('info-title').textContent = convTitle(c);
  const body = clear($('info-body'));
  if (c.type === 'world') {
    body.append(h('p', {}, 'The world room: every user of this server is in it.'));
    return;
  }
  if (c.type === 'single') {
    const id = c.peer_user_id;
    const known = state.users.get(id);
    if (isDeleted(id)) {
      body.append(
        h('p', {}, 'This user deleted their account. What they wrote stays; nothing more can be sent here.'),
        idLine('User id', id),
      );
      return;
    }
    body.append(
      h('p', {}, known ? `@${known.username}` : ''),
      known && known.status_text ? h('p', { className: 'muted small status-text' }, known.status_text) : null,
      idLine('User id', id),
      h(
        'div',
        { className: 'actions' },
        state.friends.has(id)
          ? null
          : h('button', { type: 'button', className: 'primary', onclick: () => befriend(id) }, 'Add friend'),
        h('button', { type: 'button', className: 'danger', onclick: () => block(id, true) }, 'Block'),
        h('button', { type: 'button', onclick: () => block(id, false) }, 'Unblock'),
      ),
    );
    return;
  }
  await renderGroupInfo(c, body);
}

function idLine(label, id) {
  return h(
    'p',
    { className: 'id-line' },
    `${label}: `,
    h('code', { className: 'copyable' }, id),
    ' ',
    h('button', { type: 'button', className: 'link small', onclick: () => copy(id, label) }, 'Copy'),
  );
}

async function renderGroupInfo(c, body) {
  let group;
  try {
    group = await get(`/api/v1/groups/${encodeURIComponent(c.group_id)}`);
  } catch (e) {
    body.append(h('p', { className: 'error' }, `Could not load the group: ${e.message}`));
    return;
  }
  const role = group.my_role || 'member';
  const manager = role === 'owner' || role === 'admin';
  body.append(
    group.description ? h('p', {}, group.description) : null,
    group.announcement ? h('p', { className: 'announcement', id: 'group-announcement' }, group.announcement) : null,
    idLine('Group id', group.group_id),
    h(
      'p',
      { className: 'muted small' },
      `${group.member_count} of ${group.max_members} members · ${group.join_policy === 'invite' ? 'invite only' : 'open'} · you are ${role}`,
    ),
  );
  if (manager) body.append(groupSettings(group));
  if (manager) {
    const input = h('input', { placeholder: 'User id to add', 'aria-label': 'User id to add' });
    body.append(
      h(
        'form',
        {
          className: 'inline-form',
          id: 'add-member',
          onsubmit: async (ev) => {
            ev.preventDefault();
            const id = input.value.trim();
            if (!id) return;
            await act(() => post(`/api/v1/groups/${enc(group)}/members`, { user_ids: [id] }), 'Member added');
          },
        },
        input,
        h('button', { type: 'submit' }, 'Add'),
      ),
    );
  }
  const list = h('ul', { className: 'rows members', id: 'members' });
  body.append(h('h3', {}, 'Members'), list);
  try {
    const { members } = await get(`/api/v1/groups/${enc(group)}/members`);
    const order = { owner: 0, admin: 1, member: 2 };
    members.sort((a, b) => (order[a.role] ?? 3) - (order[b.role] ?? 3));
    list.append(...members.map((m) => memberRow(group, role, m)));
  } catch (e) {
    list.append(h('li', { className: 'muted' }, `Members unavailable: ${e.message}`));
  }
  body.append(h('div', { className: 'actions' }, role === 'owner' ? dissolveButton(group) : leaveButton(c, group)));
}

function leaveButton(c, group) {
  return h(
    'button',
    {
      type: 'button',
      className: 'danger',
      onclick: async () => {
        try {
          await post(`/api/v1/groups/${enc(group)}/leave`);
          toast(`You left "${group.name}"`);
          state.convs.delete(c.conversation_id);
          $('info').hidden = true;
          emit('left', c.conversation_id);
        } catch (e) {
          toast(`Could not leave: ${e.message}`, 'error');
        }
      },
    },
    'Leave group',
  );
}

/**
 * The owner cannot leave: they hand the group on (a member's "Make
 * owner") or dissolve it, for everyone, once confirmed here. Its
 * conversation stays readable, closed to new messages.
 */
function dissolveButton(group) {
  const confirm = h(
    'div',
    { className: 'confirm', hidden: true },
    h('p', { className: 'small' }, `Dissolve "${group.name}" for all its members? Nobody can write in it after.`),
    h(
      'button',
      {
        type: 'button',
        className: 'danger-solid',
        id: 'dissolve-confirm',
        onclick: async () => {
          try {
            await del(`/api/v1/groups/${enc(group)}`);
            toast(`"${group.name}" was dissolved`);
            $('info').hidden = true;
          } catch (e) {
            toast(`Could not dissolve: ${e.message}`, 'error');
          }
        },
      },
      'Dissolve',
    ),
    ' ',
    h('button', { type: 'button', onclick: () => show(false) }, 'Cancel'),
  );
  const start = h('button', { type: 'button', className: 'danger', id: 'dissolve', onclick: () => show(true) }, 'Dissolve group');
  const show = (open) => {
    confirm.hidden = !open;
    start.hidden = open;
  };
  return h('div', { className: 'grow' }, start, confirm);
}

function enc(group) {
  return encodeURIComponent(group.group_id);
}

/** The owner's and admins' form for the group's name, description, announcement and join policy. */
function groupSettings(group) {
  const name = h('input', { id: 'group-edit-name', value: group.name, maxLength: 64, 'aria-label': 'Group name' });
  const description = h('textarea', {
    id: 'group-edit-description',
    maxLength: 512,
    rows: 2,
    'aria-label': 'Description',
  });
  description.value = group.description;
  const announcement = h('textarea', {
    id: 'group-edit-announcement',
    maxLength: 2048,
    rows: 2,
    placeholder: 'Announcement',
    'aria-label': 'Announcement',
  });
  announcement.value = group.announcement || '';
  const invite = h('input', { id: 'group-edit-invite', type: 'checkbox' });
  invite.checked = group.join_policy === 'invite';
  return h(
    'form',
    {
      className: 'stack',
      id: 'group-settings',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const change = {};
        if (name.value.trim() !== group.name) change.name = name.value.trim();
        if (description.value.trim() !== group.description) change.description = description.value.trim();
        if (announcement.value.trim() !== (group.announcement || '')) change.announcement = announcement.value.trim();
        const policy = invite.checked ? 'invite' : 'open';
        if (policy !== group.join_policy) change.join_policy = policy;
        if (Object.keys(change).length === 0) return;
        await act(async () => {
          await put(`/api/v1/groups/${enc(group)}`, change);
          await refreshConversations();
        }, 'Group updated');
      },
    },
    name,
    description,
    announcement,
    h('label', { className: 'check' }, invite, ' Invite only'),
    h('button', { type: 'submit' }, 'Save'),
  );
}

async function act(call, done) {
  try {
    await call();
    toast(done);
  } catch (e) {
    toast(e.message, 'error');
  }
  await showInfo();
}

function memberRow(group, myRole, m) {
  const self = state.me && m.user_id === state.me.user_id;
  const path = `/api/v1/groups/${enc(group)}/members/${encodeURIComponent(m.user_id)}`;
  const buttons = [];
  if (!self && m.role !== 'owner') {
    if (myRole === 'owner') {
      buttons.push(
        m.role === 'admin'
          ? h('button', { type: 'button', onclick: () => act(() => put(path, { role: 'member' }), 'Admin removed') }, 'Demote')
          : h('button', { type: 'button', onclick: () => act(() => put(path, { role: 'admin' }), 'Admin added') }, 'Make admin'),
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              act(() => post(`/api/v1/groups/${enc(group)}/transfer`, { user_id: m.user_id }), 'Ownership transferred'),
          },
          'Make owner',
        ),
      );
    }
    if (myRole === 'owner' || (myRole === 'admin' && m.role === 'member')) {
      const until = new Date(Date.now() + 10 * 60_000).toISOString();
      buttons.push(
        h('button', { type: 'button', onclick: () => act(() => put(path, { muted_until: until }), 'Muted for 10 minutes') }, 'Mute'),
        h('button', { type: 'button', className: 'danger', onclick: () => act(() => del(path), 'Member removed') }, 'Remove'),
      );
    }
  }
  const muted = m.muted_until && new Date(m.muted_until) > new Date();
  return h(
    'li',
    { className: 'row member', dataset: { userId: m.user_id, role: m.role } },
    h(
      'div',
      { className: 'grow' },
      h('div', { className: 'name' }, self ? 'You' : userName(m.user_id)),
      h('div', { className: 'muted small' }, muted ? `${m.role} · muted` : m.role),
    ),
    ...buttons,
  );
}
