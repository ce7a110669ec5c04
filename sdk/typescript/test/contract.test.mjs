// What keeps the SDK honest about the server it talks to: the committed
// generated types are what the binary's documents generate today, and the
// web client's embedded copy of the SDK is this build, served as is.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Server } from './support.mjs';
import { renderTypes, GENERATED_DIR } from '../tools/types.mjs';
import { runtimeModules, DIST, EMBEDDED } from '../tools/embed.mjs';

describe('contract', () => {
  const server = new Server();
  before(() => server.start());
  after(() => server.stop());

  test('src/generated/ is what the binary serves generates (else: npm run generate)', async () => {
    const files = await renderTypes(server.url);
    assert.deepEqual(Object.keys(files).sort(), ['frames.ts', 'openapi.ts']);
    for (const [name, text] of Object.entries(files)) {
      const committed = readFileSync(new URL(name, GENERATED_DIR), 'utf8');
      assert.ok(committed === text, `src/generated/${name} differs from what the binary serves: run \`npm run generate\``);
    }
  });

  test('crates/gateway/web/js/sdk/ is this build of the SDK (else: npm run build)', () => {
    const built = runtimeModules(DIST);
    const embedded = runtimeModules(EMBEDDED);
    assert.deepEqual(Object.keys(embedded), Object.keys(built), 'the same modules');
    for (const [name, text] of Object.entries(built)) {
      assert.ok(embedded[name] === text, `web/js/sdk/${name} differs from dist/${name}: run \`npm run build\``);
    }
  });

  test('the binary serves the embedded SDK as committed', async () => {
    for (const [name, text] of Object.entries(runtimeModules(EMBEDDED))) {
      const res = await fetch(`${server.url}/js/sdk/${name}`);
      assert.equal(res.status, 200, `/js/sdk/${name}`);
      assert.match(res.headers.get('content-type'), /javascript/);
      assert.ok((await res.text()) === text, `/js/sdk/${name} is not web/js/sdk/${name}: rebuild the binary`);
    }
    // And the web client loads it: its modules import the SDK's.
    const api = await (await fetch(`${server.url}/js/api.js`)).text();
    assert.match(api, /from '\.\/sdk\/session\.js'/);
  });
});
