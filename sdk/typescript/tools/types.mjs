// The SDK's generated types, rendered from the two documents a running
// ferrochat serves: its OpenAPI document (`GET /api/openapi.json`) by
// openapi-typescript, and its WebSocket frames' JSON Schema
// (`GET /api/ws-frames.schema.json`) by json-schema-to-typescript. Used by
// `npm run generate` (which writes them to src/generated/) and by the test
// that fails when the committed files differ from what the binary serves.

import openapiTS, { astToString } from 'openapi-typescript';
import { compile } from 'json-schema-to-typescript';

export const GENERATED_DIR = new URL('../src/generated/', import.meta.url);

const banner = (source) =>
  `// Generated from \`GET ${source}\` of the ferrochat binary by\n` +
  '// sdk/typescript/tools/generate.mjs. Do not edit: run `npm run generate`\n' +
  '// (a test fails while this file differs from what the binary serves).\n';

async function fetchJson(baseUrl, path) {
  const res = await fetch(new URL(path, baseUrl));
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res.json();
}

/** `{ file name: contents }` of every generated file, from the server at `baseUrl`. */
export async function renderTypes(baseUrl) {
  const openapi = await fetchJson(baseUrl, '/api/openapi.json');
  const frames = await fetchJson(baseUrl, '/api/ws-frames.schema.json');
  return {
    'openapi.ts': banner('/api/openapi.json') + '\n' + astToString(await openapiTS(openapi)),
    'frames.ts': await renderFrames(frames),
  };
}

async function renderFrames(schema) {
  // The schema's `$id` is a path on the server, not a place to resolve
  // references against: every reference in it is local (`#/$defs/…`).
  const { $id, ...local } = structuredClone(schema);
  // Each frame is named from its title, its `type`; client and server
  // share some (`sync`, `typing`, `auth`), so each side gets its prefix:
  // `ClientSyncFrame`, `ServerSyncFrame`.
  for (const [side, def] of [['client', 'ClientFrame'], ['server', 'ServerFrame']]) {
    for (const branch of local.$defs[def].oneOf) branch.title = `${side} ${branch.title} frame`;
  }
  return compile(local, 'Frame', {
    bannerComment: banner($id).trimEnd(),
    // Every `$defs` entry becomes a named type, used by a frame or not.
    unreachableDefinitions: true,
    additionalProperties: false,
    strictIndexSignatures: true,
    format: true,
  });
}
