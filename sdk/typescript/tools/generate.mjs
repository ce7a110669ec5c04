// `npm run generate`: writes src/generated/ from the documents the
// ferrochat binary serves. Starts the debug binary (FERROCHAT_BIN, or
// $CARGO_TARGET_DIR/debug/ferrochat) on 127.0.0.1, port 0, with a
// temporary data dir; or reads a server already running:
// `npm run generate -- --url http://127.0.0.1:8080`.

import { writeFileSync, mkdirSync } from 'node:fs';
import { Server } from '../../../tests/lib/server.mjs';
import { renderTypes, GENERATED_DIR } from './types.mjs';

const at = process.argv.indexOf('--url');
const url = at >= 0 ? process.argv[at + 1] : null;
const server = url ? null : new Server();
try {
  if (server) await server.start();
  const files = await renderTypes(url || server.url);
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(new URL(name, GENERATED_DIR), text);
    console.log(`wrote src/generated/${name}`);
  }
} finally {
  if (server) await server.stop();
}
