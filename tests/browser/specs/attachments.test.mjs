// Attachments in the web client: a picture attached with the button shows
// as a preview at the other side and opens in the lightbox; a file dropped
// on the conversation is a card whose Download gives the same bytes; a
// file over the server's limit is refused in the server's words and sends
// nothing; a larger upload shows its progress and can be cancelled; one
// whose connection drops goes on where it stopped.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import {
  Server,
  launch,
  twoInAChat,
  shot,
  send,
  openByName,
  waitForMessage,
  convItem,
  noProblems,
} from '../lib/harness.mjs';

const MAX_FILE_BYTES = 3_000_000;
const CHUNK_BYTES = 256 * 1024;

/** A real PNG, `width` × `height`, in two colours (a band on the left). */
function png(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) row.set(x < width / 4 ? [183, 65, 14] : [244, 241, 238], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Bytes that are not all alike, so a download that mixed them up would show. */
function bytes(n, seed) {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Chooses files through the paperclip button's file picker. */
async function attachByButton(page, files) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#attach-button')]);
  assert.ok(chooser.isMultiple(), 'the picker takes several files');
  await chooser.setFiles(files);
}

/** Drops one file on the open conversation, as a drag from the desktop would. */
async function dropFile(page, { name, mimeType, buffer }) {
  const dataTransfer = await page.evaluateHandle(
    ([n, type, b64]) => {
      const raw = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([raw], n, { type }));
      return dt;
    },
    [name, mimeType, buffer.toString('base64')],
  );
  await page.dispatchEvent('#messages', 'dragenter', { dataTransfer });
  assert.ok(await page.isVisible('.drop-hint'), 'the conversation says where a drop goes');
  await page.dispatchEvent('#messages', 'drop', { dataTransfer });
}

/** The number of messages (not system lines) the open chat shows. */
const messageCount = (page) => page.$$eval('#message-list .msg:not(.system)', (els) => els.length);

describe('attachments', () => {
  const server = new Server({
    env: {
      FERROCHAT_STORAGE__MAX_FILE_BYTES: String(MAX_FILE_BYTES),
      FERROCHAT_STORAGE__CHUNK_BYTES: String(CHUNK_BYTES),
    },
  });
  let browser;
  let alice;
  let bob;

  before(async () => {
    await server.start();
    browser = await launch();
    ({ alice, bob } = await twoInAChat(browser, server, 'Look at this'));
  });

  after(async () => {
    await browser?.close();
    await server.stop();
  });

  /** Whether an object URL no longer loads (in the page; `img-src` allows blob:). */
  const revoked = (url) =>
    new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve(false);
      img.onerror = () => resolve(true);
      img.src = url;
    });

  test('a picture attached with the button: a preview at the receiver, whole in the lightbox', async () => {
    const image = png(400, 200);
    await attachByButton(alice.page, [{ name: 'holiday.png', mimeType: 'image/png', buffer: image }]);

    // Bob sees the thumbnail (the server's, 320 px wide at most), loaded.
    const thumb = bob.page.locator('#message-list .msg.theirs .att-image img.att-thumb');
    await thumb.waitFor();
    await bob.page.waitForFunction(
      () => document.querySelector('#message-list .att-thumb')?.naturalWidth > 0,
    );
    const [natural, src, alt] = await thumb.evaluate((img) => [img.naturalWidth, img.src, img.alt]);
    assert.equal(natural, 320, 'the thumbnail, not the whole image');
    assert.match(src, /^blob:/, 'the bytes came with the token, shown through an object URL');
    assert.equal(alt, 'holiday.png');
    assert.equal(await bob.page.evaluate(revoked, src), false, 'alive while shown');
    // Alice's own copy is sent, and the list says what the last message was.
    await alice.page.waitForSelector('#message-list .msg.mine[data-seq] .att-thumb');
    assert.equal(await alice.page.$$eval('#uploads .upload', (els) => els.length), 0, 'the upload row is gone once sent');
    await bob.page.waitForFunction(
      () => document.querySelector('.conversation.active .conv-preview')?.textContent === 'Photo',
    );

    // The lightbox: the whole image; Escape closes it, and so does a click.
    await thumb.click();
    await bob.page.waitForSelector('#lightbox:not([hidden])');
    await bob.page.waitForFunction(() => document.getElementById('lightbox-image').naturalWidth === 400);
    assert.equal(await bob.page.textContent('#lightbox-caption'), 'holiday.png (400 × 200)');
    await shot(bob.page, 'attachment-lightbox.png');
    await bob.page.keyboard.press('Escape');
    await bob.page.waitForSelector('#lightbox', { state: 'hidden' });
    await thumb.click();
    await bob.page.waitForSelector('#lightbox:not([hidden])');
    await bob.page.click('#lightbox', { position: { x: 20, y: 300 } });
    await bob.page.waitForSelector('#lightbox', { state: 'hidden' });

    // Leaving the chat gives the preview's object URL back.
    await bob.page.click(convItem('world'));
    await bob.page.waitForFunction(() => document.getElementById('chat-name').textContent !== 'Alice');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i += 1) {
      gone = await bob.page.evaluate(revoked, src);
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(gone, 'the object URL was revoked once its message left the page');
    await openByName(bob.page, 'Alice');
    await bob.page.waitForFunction(() => document.querySelector('#message-list .att-thumb')?.naturalWidth > 0);
    noProblems(alice, bob);
  });

  test('a file dropped on the conversation: a card whose Download gives the same bytes', async () => {
    const data = bytes(150_000, 7);
    await dropFile(alice.page, { name: 'report 2026.bin', mimeType: 'application/octet-stream', buffer: data });

    const card = bob.page.locator('#message-list .msg.theirs .att-card', { hasText: 'report 2026.bin' });
    await card.waitFor();
    assert.equal(await card.locator('.att-name').textContent(), 'report 2026.bin');
    assert.equal(await card.locator('.att-size').textContent(), '150 KB · application/octet-stream');
    await shot(bob.page, 'attachment-card.png');
    const [download] = await Promise.all([bob.page.waitForEvent('download'), card.locator('.att-download').click()]);
    assert.equal(download.suggestedFilename(), 'report 2026.bin');
    assert.ok((await readFile(await download.path())).equals(data), 'the downloaded bytes are the dropped ones');
    noProblems(alice, bob);
  });

  test('a file over the limit: the server says why, nothing is sent', async () => {
    const before = await messageCount(bob.page);
    await attachByButton(alice.page, [
      { name: 'huge.bin', mimeType: 'application/octet-stream', buffer: bytes(MAX_FILE_BYTES + 1, 3) },
    ]);
    const row = alice.page.locator('#uploads .upload.failed', { hasText: 'huge.bin' });
    await row.waitFor();
    assert.equal(
      await row.locator('.upload-state').textContent(),
      `Not sent: size: larger than the limit of ${MAX_FILE_BYTES} bytes`,
    );
    assert.equal(await row.locator('.upload-actions').textContent(), 'Dismiss', 'a refusal is not worth retrying');
    await shot(alice.page, 'attachment-refused.png');
    // Nothing came of it, on either side, even after a moment.
    await send(alice.page, 'Too big, sorry');
    await waitForMessage(bob.page, 'Too big, sorry');
    assert.equal(await messageCount(bob.page), before + 1);
    assert.equal(await alice.page.$$eval('#message-list .attachment', (els) => els.length), 2);
    await row.locator('.upload-dismiss').click();
    await alice.page.waitForSelector('#uploads', { state: 'hidden' });
    noProblems(alice, bob);
  });

  test('a larger upload shows its progress chunk by chunk, and Cancel stops it', async () => {
    // Each chunk is held back a little, as over a slow uplink.
    let chunks = 0;
    await alice.page.route('**/api/v1/uploads/*', async (route) => {
      if (route.request().method() === 'PATCH') {
        chunks += 1;
        await new Promise((r) => setTimeout(r, 250));
      }
      await route.continue();
    });
    const size = 8 * CHUNK_BYTES + 1000;
    await attachByButton(alice.page, [
      { name: 'film.bin', mimeType: 'application/octet-stream', buffer: bytes(size, 11) },
    ]);
    const row = alice.page.locator('#uploads .upload', { hasText: 'film.bin' });
    await alice.page.waitForFunction(() => {
      const bar = document.querySelector('#uploads .upload-progress');
      return bar && !bar.hidden && bar.value > 0 && bar.value < bar.max;
    });
    const [value, max] = await row.locator('.upload-progress').evaluate((b) => [b.value, b.max]);
    assert.equal(max, size);
    assert.ok(value > 0 && value < size, `part way: ${value} of ${size}`);
    assert.match(await row.locator('.upload-state').textContent(), /^\d+%$/);
    await shot(alice.page, 'attachment-progress.png');
    await bob.page.locator('#message-list .att-card', { hasText: 'film.bin' }).waitFor({ timeout: 30_000 });
    assert.ok(chunks >= 9, `sent in chunks: ${chunks}`);

    // Cancelled part way: the row goes, and no message comes.
    await attachByButton(alice.page, [
      { name: 'abandoned.bin', mimeType: 'application/octet-stream', buffer: bytes(size, 13) },
    ]);
    await alice.page.waitForFunction(() => document.querySelector('#uploads .upload-progress')?.value > 0);
    const abandoned = alice.page.waitForResponse(
      (r) => r.request().method() === 'DELETE' && /\/api\/v1\/uploads\//.test(r.url()),
    );
    await alice.page.click('#uploads .upload-cancel');
    await alice.page.waitForSelector('#uploads', { state: 'hidden' });
    assert.equal((await abandoned).status(), 200, 'the upload is abandoned on the server, its chunks freed');
    const sentBefore = chunks;
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(chunks, sentBefore, 'no chunk goes out after Cancel');
    await alice.page.unroute('**/api/v1/uploads/*');
    await send(alice.page, 'Never mind');
    await waitForMessage(bob.page, 'Never mind');
    assert.equal(
      await bob.page.$$eval('#message-list .att-name', (els) => els.filter((e) => e.textContent === 'abandoned.bin').length),
      0,
    );
    noProblems(alice, bob);
  });
  test('a connection dropped mid-upload: it goes on from where the server stands, the file arrives whole', async () => {
    // The third chunk's connection is cut once, as a flaky network would.
    let patches = 0;
    await alice.page.route('**/api/v1/uploads/*', async (route) => {
      if (route.request().method() === 'PATCH') {
        patches += 1;
        if (patches === 3) return route.abort('connectionreset');
      }
      return route.continue();
    });
    const data = bytes(5 * CHUNK_BYTES + 321, 17);
    await attachByButton(alice.page, [{ name: 'resumed.bin', mimeType: 'application/octet-stream', buffer: data }]);
    await alice.page.waitForSelector('#uploads .upload[data-state="retrying"]');
    assert.equal(await alice.page.textContent('#uploads .upload-state'), 'Connection lost, trying again…');

    const card = bob.page.locator('#message-list .msg.theirs .att-card', { hasText: 'resumed.bin' });
    await card.waitFor({ timeout: 30_000 });
    await alice.page.unroute('**/api/v1/uploads/*');
    assert.equal(patches, 7, 'six chunks, one of them twice');
    const [download] = await Promise.all([bob.page.waitForEvent('download'), card.locator('.att-download').click()]);
    assert.ok((await readFile(await download.path())).equals(data), 'the bytes arrived whole, in order');
    noProblems(alice, bob);
  });
});
