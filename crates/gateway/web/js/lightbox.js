// The lightbox: an image of a message, whole, over the page. Closed by
// Escape, by a click anywhere on it, or by its button; its object URL is
// revoked as it closes.

import { fetchFile } from './api.js';
import { $ } from './dom.js';

let current = null;

export function initLightbox() {
  const box = $('lightbox');
  box.addEventListener('click', closeLightbox);
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && current) {
      ev.preventDefault();
      closeLightbox();
    }
  });
}

/** Opens the lightbox on an image attachment (`{attachment_id, name, width, height}`). */
export async function openLightbox(info) {
  closeLightbox();
  const open = { abort: new AbortController(), url: '', returnTo: document.activeElement };
  current = open;
  const img = $('lightbox-image');
  img.removeAttribute('src');
  img.alt = info.name;
  $('lightbox-caption').textContent = `${info.name} — loading…`;
  $('lightbox').hidden = false;
  $('lightbox-close').focus();
  try {
    const res = await fetchFile(`/api/v1/attachments/${encodeURIComponent(info.attachment_id)}`, open.abort.signal);
    const url = URL.createObjectURL(await res.blob());
    if (current !== open) {
      URL.revokeObjectURL(url);
      return;
    }
    open.url = url;
    img.src = url;
    $('lightbox-caption').textContent = info.width ? `${info.name} (${info.width} × ${info.height})` : info.name;
  } catch (e) {
    if (current === open) $('lightbox-caption').textContent = `${info.name}: ${e.message}`;
  }
}

export function closeLightbox() {
  if (!current) return;
  const { abort, url, returnTo } = current;
  current = null;
  abort.abort();
  if (url) URL.revokeObjectURL(url);
  $('lightbox').hidden = true;
  $('lightbox-image').removeAttribute('src');
  if (returnTo && returnTo.isConnected) returnTo.focus({ preventScroll: true });
}
