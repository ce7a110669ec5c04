// `npm test` after tsc: node's test runner over test/*.test.mjs, one file
// at a time (each starts its own ferrochat). Node 20 has a WebSocket only
// behind --experimental-websocket; node 22 has it by default.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const dir = path.resolve(HERE, '..', 'test');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.mjs'))
  .sort()
  .map((f) => path.join(dir, f));
const flags = typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : [];
const run = spawnSync(
  process.execPath,
  [...flags, '--test', '--test-concurrency=1', '--test-timeout=120000', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
