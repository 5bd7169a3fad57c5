// The agents shared per limit, and which of them serve the SDK's JSON API calls (teeny-request's
// process-wide pool): the newest live backend's, falling back as backends close.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { acquireAgents, gcsAgentOption, unlimitedSockets } from '../../../src/storage/gcs/http-pool.js';

function teenyPool(): Map<string, unknown> {
  const fromStorage = createRequire(createRequire(import.meta.url).resolve('@google-cloud/storage'));
  const agents = fromStorage(fromStorage.resolve('teeny-request').replace(/index\.js$/, 'agents.js')) as { pool: Map<string, unknown> };
  return agents.pool;
}

describe('GCS HTTP pool', () => {
  test('maxSockets follows max_concurrency (0: unlimitedSockets); same limit, same agents', () => {
    const a = acquireAgents(5);
    const b = acquireAgents(5);
    const c = acquireAgents(0);
    try {
      assert.equal(a.http, b.http);
      assert.equal(a.http.maxSockets, 5);
      assert.equal(a.https.maxSockets, 5);
      assert.equal(c.https.maxSockets, unlimitedSockets);
      const option = gcsAgentOption(a);
      assert.equal(option?.(new URL('http://127.0.0.1:1/x')), a.http);
      assert.equal(option?.(new URL('https://storage.googleapis.com/x')), a.https);
    } finally {
      c.release();
      b.release();
      a.release();
    }
  });

  test("the newest live backend's agents serve teeny-request; releasing falls back, then clears", () => {
    const pool = teenyPool();
    const first = acquireAgents(2);
    assert.equal(pool.get('http:forever'), first.http);
    const second = acquireAgents(3);
    assert.equal(pool.get('https:forever'), second.https);
    second.release();
    second.release(); // idempotent
    assert.equal(pool.get('http:forever'), first.http);
    first.release();
    assert.equal(pool.has('http:forever'), false);
    assert.equal(pool.has('https:forever'), false);
  });
});
