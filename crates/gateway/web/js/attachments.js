// Messages that carry a file (message types image, file, voice, video;
// the content is the attachment's id): an image as its thumbnail, opening
// the lightbox; voice and video with the browser's own controls; any
// other file as a card with its name, size and a Download button.
//
// The server takes the access token for a file only in the Authorization
// header, so bytes are fetched here and shown through object URLs. Those
// are cached by file while an element of the message list shows them
// (the list is redrawn often) and revoked once none does: the message
// left the DOM (another chat opened, hidden, recalled).

import { ApiError, fetchFile, get } from './api.js';
import { $, h } from './dom.js';
import { openLightbox } from './lightbox.js';

export const ATTACHMENT_TYPES = new Set(['image', 'file', 'voice', 'video']);

/** Voice and video play inline up to this size; larger ones are a card to download. */
const INLINE_MEDIA_MAX = 32 * 1024 * 1024;
/** An image without a thumbnail is shown whole up to this size. */
const INLINE_IMAGE_MAX = 4 * 1024 * 1024;
/** Attachments' info kept (it never changes); the oldest are forgotten first. */
const INFO_CACHE_MAX = 500;

export const isAttachment = (m) => ATTACHMENT_TYPES.has(m.message_type);

const infos = new Map();

/** The attachment's info (name, size, media type, dimensions), read once. */
export function attachmentInfo(id) {
  let p = infos.get(id);
  if (!p) {
    p = get(`/api/v1/attachments/${encodeURIComponent(id)}/info`);
    // A refusal is not kept: the next render asks again.
    p.catch(() => infos.delete(id));
    infos.set(id, p);
    if (infos.size > INFO_CACHE_MAX) infos.delete(infos.keys().next().value);
  }
  return p;
}

/** "532 B", "48.2 KB", "3.4 MB" (decimal, as file managers show). */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i += 1;
  } while (v >= 1000 && i < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

const LABELS = { image: 'Photo', voice: 'Voice message', video: 'Video', file: 'File' };

/** A message's one-line summary for lists and quotes: "Photo", "File". */
export function summary(m) {
  return LABELS[m.message_type] || 'File';
}

/** The element a file message shows in its bubble. */
export function attachmentView(m) {
  const id = m.content;
  const box = h('div', {
    className: `attachment att-${m.message_type} loading`,
    dataset: { attachmentId: id },
  });
  box.append(h('span', { className: 'att-loading small' }, `${summary(m)}…`));
  attachmentInfo(id).then(
    (info) => settle(() => box.replaceChildren(viewOf(m.message_type, info))),
    (e) => {
      box.replaceChildren(h('span', { className: 'att-missing small' }, `${summary(m)} unavailable: ${e.message}`));
    },
  ).finally(() => box.classList.remove('loading'));
  return box;
}

function viewOf(type, info) {
  if (type === 'image' && (info.has_thumbnail || info.size <= INLINE_IMAGE_MAX)) return imageView(info);
  if (type === 'voice' && info.size <= INLINE_MEDIA_MAX) return mediaView('audio', info);
  if (type === 'video' && info.size <= INLINE_MEDIA_MAX) return mediaView('video', info);
  return card(info);
}

/** The thumbnail (or the image itself, when it has none), opening the lightbox. */
function imageView(info) {
  const key = info.has_thumbnail ? `${info.attachment_id}/thumbnail` : info.attachment_id;
  const img = h('img', { className: 'att-thumb', alt: info.name, dataset: { objectKey: key } });
  const [w, hgt] = thumbSize(info);
  if (w && hgt) {
    img.width = w;
    img.height = hgt;
  }
  objectUrl(key).then(
    (url) => {
      img.src = url;
    },
    () => img.classList.add('broken'),
  );
  return h(
    'button',
    {
      type: 'button',
      className: 'att-open',
      title: `${info.name} (${formatBytes(info.size)})`,
      'aria-label': `Open image ${info.name}`,
      onclick: () => openLightbox(info),
    },
    img,
  );
}

/** The thumbnail's size: the image's own scaled to 240 px on its longer side. */
function thumbSize(info) {
  const { width, height } = info;
  if (!width || !height) return [0, 0];
  const scale = Math.min(1, 240 / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

function mediaView(tag, info) {
  const el = h(tag, {
    className: `att-media`,
    controls: true,
    preload: 'metadata',
    title: info.name,
    dataset: { objectKey: info.attachment_id },
  });
  objectUrl(info.attachment_id).then(
    (url) => {
      el.src = url;
    },
    () => el.replaceWith(card(info)),
  );
  return h('div', { className: 'att-player' }, el, h('span', { className: 'att-caption muted small' }, info.name));
}

/** The kind of file a card's icon shows (its colour), from the sniffed type. */
const KINDS = [
  [/^image\//, 'image'],
  [/^audio\//, 'audio'],
  [/^video\//, 'video'],
  [/^application\/pdf$/, 'pdf'],
  [/zip|compressed|x-tar|gzip|x-7z|x-rar|x-xz|bzip/, 'archive'],
  [/^text\/|json|xml/, 'text'],
];

/** A document icon drawn by the stylesheet (no icon font), labelled with the file's extension. */
function icon(info) {
  const hit = KINDS.find(([re]) => re.test(info.media_type || ''));
  const dot = info.name.lastIndexOf('.');
  const ext = dot > 0 ? info.name.slice(dot + 1, dot + 5).toUpperCase() : '';
  return h('span', { className: 'att-icon', dataset: { kind: hit ? hit[1] : 'other' }, 'aria-hidden': 'true' }, ext || 'FILE');
}

/** Name, size, type icon and a Download button. */
function card(info) {
  const status = h('span', { className: 'att-status small', role: 'status' });
  return h(
    'div',
    { className: 'att-card' },
    icon(info),
    h(
      'span',
      { className: 'att-meta' },
      h('span', { className: 'att-name', title: info.name }, info.name),
      h('span', { className: 'att-size small' }, `${formatBytes(info.size)} · ${info.media_type}`),
      status,
    ),
    h(
      'button',
      {
        type: 'button',
        className: 'att-download',
        title: `Download ${info.name}`,
        onclick: (ev) => download(info, ev.currentTarget, status),
      },
      'Download',
    ),
  );
}

/**
 * Fetches the file with the token and hands it to the browser as a
 * download, under the name the server gives it (Content-Disposition).
 */
async function download(info, button, status) {
  button.disabled = true;
  status.textContent = 'Downloading…';
  try {
    const res = await fetchFile(`/api/v1/attachments/${encodeURIComponent(info.attachment_id)}`);
    const name = fileNameOf(res.headers.get('Content-Disposition')) || info.name;
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    // The browser has taken the bytes once the click is handled.
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
    status.textContent = '';
  } catch (e) {
    status.textContent = `Download failed: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

/** The file name of a Content-Disposition header: `filename*` (UTF-8) first, else `filename`. */
export function fileNameOf(header) {
  if (!header) return '';
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // Not percent-encoding as it should be: the plain name below.
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header);
  return plain ? plain[1] : '';
}

// ---- object URLs --------------------------------------------------------------

/** Object URLs by key (`<id>` for the file, `<id>/thumbnail`): `{promise, url, abort}`. */
const urls = new Map();

/** The object URL of a file (or its thumbnail), fetched once while shown. */
function objectUrl(key) {
  let entry = urls.get(key);
  if (!entry) {
    const abort = new AbortController();
    entry = { url: '', abort, promise: null };
    entry.promise = fetchFile(`/api/v1/attachments/${key.split('/').map(encodeURIComponent).join('/')}`, abort.signal)
      .then((res) => res.blob())
      .then((blob) => {
        if (urls.get(key) !== entry) throw new ApiError(0, 'no longer shown');
        entry.url = URL.createObjectURL(blob);
        // Shown nowhere by now (the chat was left while it came)?
        queueSweep();
        return entry.url;
      });
    entry.promise.catch(() => {
      if (urls.get(key) === entry) urls.delete(key);
    });
    urls.set(key, entry);
  }
  return entry.promise;
}

/** Revokes (or stops fetching) every object URL no element on the page shows any more. */
function sweep() {
  const shown = new Set([...document.querySelectorAll('[data-object-key]')].map((el) => el.dataset.objectKey));
  for (const [key, entry] of urls) {
    if (shown.has(key)) continue;
    urls.delete(key);
    if (entry.url) URL.revokeObjectURL(entry.url);
    else entry.abort.abort();
  }
}

let sweepQueued = false;
function queueSweep() {
  if (sweepQueued) return;
  sweepQueued = true;
  queueMicrotask(() => {
    sweepQueued = false;
    sweep();
  });
}

/** Watches the message list: what leaves it gives its object URLs back. */
export function initAttachments() {
  new MutationObserver(queueSweep).observe($('message-list'), { childList: true, subtree: true });
}

/** Forgets every cached info and object URL (at logout). */
export function resetAttachments() {
  infos.clear();
  for (const entry of urls.values()) {
    if (entry.url) URL.revokeObjectURL(entry.url);
    else entry.abort.abort();
  }
  urls.clear();
}

/**
 * Runs `change` (which may make the list taller) and keeps the list
 * scrolled to its end if it was there.
 */
function settle(change) {
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  change();
  if (atBottom) box.scrollTop = box.scrollHeight;
}
