// Attaching files to the open conversation: the paperclip button (a file
// picker, several files at once), files dropped on the conversation, an
// image pasted into the composer. Each file uploads (./upload.js) with a
// row above the composer: its progress bar, a Cancel button, and the
// server's words when it refuses the file. A finished upload is sent as
// a message of the type its sniffed media type calls for.

import { $, h } from './dom.js';
import { state, on } from './state.js';
import { Upload, messageTypeOf } from './upload.js';
import { formatBytes } from './attachments.js';

/** Uploads at once; more files wait their turn. */
const PARALLEL = 2;

/** Every upload of this tab still shown (`{id, conversationId, upload}`), oldest first. */
const rows = [];
let send = null;
let mayAttach = () => true;

/**
 * `sendAttachment(conversationId, messageType, attachmentId)` sends a
 * finished upload; `canAttach(conversationId)` says whether the
 * conversation takes messages now.
 */
export function initAttach({ sendAttachment, canAttach }) {
  send = sendAttachment;
  mayAttach = canAttach;
  const input = $('attach-input');
  $('attach-button').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    attach([...input.files]);
    // The same file chosen again is a change too.
    input.value = '';
  });

  // A drop anywhere on the open conversation; the overlay says where it goes.
  const chat = $('chat');
  let depth = 0;
  const carriesFiles = (ev) => !!ev.dataTransfer && [...ev.dataTransfer.types].includes('Files');
  chat.addEventListener('dragenter', (ev) => {
    if (!carriesFiles(ev)) return;
    ev.preventDefault();
    depth += 1;
    chat.classList.add('dropping');
  });
  chat.addEventListener('dragover', (ev) => {
    if (!carriesFiles(ev)) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = mayAttach(state.openId) ? 'copy' : 'none';
  });
  chat.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) chat.classList.remove('dropping');
  });
  chat.addEventListener('drop', (ev) => {
    depth = 0;
    chat.classList.remove('dropping');
    if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
    ev.preventDefault();
    attach([...ev.dataTransfer.files]);
  });

  // A file dropped beside the chat would replace the app with it.
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (ev) => {
      if (carriesFiles(ev) && !ev.defaultPrevented) ev.preventDefault();
    });
  }

  // An image pasted into the composer (a screenshot); pasted text stays text.
  $('composer-input').addEventListener('paste', (ev) => {
    const files = ev.clipboardData ? [...ev.clipboardData.files] : [];
    if (!files.length) return;
    ev.preventDefault();
    attach(files.map((f) => (f.name && f.name !== 'image.png' ? f : renamed(f))));
  });

  on('open', () => renderRows());
}

/** A pasted image has no name of its own: one that says when. */
function renamed(file) {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  const ext = (file.type.split('/')[1] || 'png').replace(/[^a-z0-9]/g, '');
  return new File([file], `pasted-${stamp}.${ext}`, { type: file.type });
}

/** Starts uploading `files` to the open conversation. */
export function attach(files) {
  const conversationId = state.openId;
  if (!conversationId || !files.length || !mayAttach(conversationId)) return;
  for (const file of files) {
    const row = { id: crypto.randomUUID(), conversationId, upload: null, sent: 0 };
    row.upload = new Upload(file, {
      onProgress: (sent) => {
        row.sent = sent;
        updateRow(row);
      },
      onState: () => updateRow(row),
    });
    rows.push(row);
  }
  renderRows();
  pump();
}

/** Starts waiting uploads while fewer than PARALLEL run. */
function pump() {
  const running = rows.filter((r) => ['uploading', 'retrying'].includes(r.upload.state)).length;
  const next = rows.filter((r) => r.upload.state === 'waiting' && !r.started).slice(0, PARALLEL - running);
  for (const row of next) run(row);
}

async function run(row) {
  row.started = true;
  const attachment = await row.upload.run();
  if (attachment) {
    send(row.conversationId, messageTypeOf(attachment), attachment.attachment_id);
    drop(row);
  }
  pump();
}

function drop(row) {
  const i = rows.indexOf(row);
  if (i >= 0) rows.splice(i, 1);
  renderRows();
}

/** Cancels every upload (at logout). */
export function cancelUploads() {
  for (const row of rows) row.upload.cancel();
  rows.length = 0;
  renderRows();
}

function renderRows() {
  const list = $('uploads');
  const shown = rows.filter((r) => r.conversationId === state.openId);
  list.replaceChildren(...shown.map(rowItem));
  list.hidden = !shown.length;
  for (const row of shown) updateRow(row);
}

function rowItem(row) {
  const { upload } = row;
  const { file } = upload;
  return h(
    'li',
    { className: 'upload', dataset: { uploadRow: row.id, name: file.name } },
    h('span', { className: 'upload-name', title: file.name }, file.name),
    h('span', { className: 'upload-size muted small' }, formatBytes(file.size)),
    h('progress', { className: 'upload-progress', max: Math.max(1, file.size), value: 0 }),
    h('span', { className: 'upload-state small', role: 'status' }),
    h('span', { className: 'upload-actions' }),
  );
}

/** Brings a row up to date in place (progress events come often). */
function updateRow(row) {
  const li = $('uploads').querySelector(`[data-upload-row="${row.id}"]`);
  if (!li) return;
  const { upload } = row;
  const { state: st } = upload;
  li.dataset.state = st;
  const bar = li.querySelector('.upload-progress');
  bar.value = st === 'done' ? bar.max : row.sent;
  bar.hidden = st === 'failed';
  const pct = Math.floor((100 * bar.value) / bar.max);
  li.querySelector('.upload-state').textContent =
    st === 'waiting'
      ? 'Waiting…'
      : st === 'uploading'
        ? `${pct}%`
        : st === 'retrying'
          ? 'Connection lost, trying again…'
          : st === 'failed'
            ? `Not sent: ${upload.error.message}`
            : st === 'done'
              ? 'Sending…'
              : '';
  li.classList.toggle('failed', st === 'failed');
  const button = (label, className, onclick) => h('button', { type: 'button', className: `link ${className}`, onclick }, label);
  const actions = li.querySelector('.upload-actions');
  if (st === 'failed') {
    const retry =
      upload.resumable && mayAttach(row.conversationId)
        ? button('Retry', 'upload-retry', () => {
            row.started = false;
            upload.set('waiting');
            pump();
          })
        : null;
    const dismiss = button('Dismiss', 'upload-dismiss', () => {
      upload.cancel();
      drop(row);
    });
    actions.replaceChildren(...[retry, dismiss].filter(Boolean));
  } else if (st !== 'done' && !actions.querySelector('.upload-cancel')) {
    actions.replaceChildren(
      button('Cancel', 'upload-cancel', () => {
        upload.cancel();
        drop(row);
        pump();
      }),
    );
  }
}
