// The web client's copy of the SDK: the compiled modules in dist/ that
// hold code (not the type-only ones, which compile to comments and `export {};`),
// copied to crates/gateway/web/js/sdk/, where the gateway embeds them
// (crates/gateway/src/http/web.rs lists them). `npm run build` runs
// this after tsc; a test fails while the copy differs from a fresh build.

import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const DIST = path.resolve(HERE, '..', 'dist');
export const EMBEDDED = path.resolve(HERE, '../../../crates/gateway/web/js/sdk');

/** `{ file name: contents }` of the modules of a directory (not its subdirectories) that hold code. */
export function runtimeModules(dir) {
  const out = {};
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.js')) continue;
    const text = readFileSync(path.join(dir, name), 'utf8');
    if (text.replace(/^\s*\/\/.*$/gm, '').trim() === 'export {};') continue;
    out[name] = text;
  }
  return out;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const modules = runtimeModules(DIST);
  rmSync(EMBEDDED, { recursive: true, force: true });
  mkdirSync(EMBEDDED, { recursive: true });
  for (const [name, text] of Object.entries(modules)) writeFileSync(path.join(EMBEDDED, name), text);
  console.log(`copied ${Object.keys(modules).join(', ')} to crates/gateway/web/js/sdk/`);
}
