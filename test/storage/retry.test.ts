import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaBackupError } from '../../src/errors.js';
import { prefetchGet } from '../../src/storage/capabilities.js';
import { retryClock } from '../../src/retry.js';
import { withRetries } from '../../src/storage/retry.js';
import { MemoryBackend } from './memory-backend.js';

retryClock.sleep = async () => undefined;

/** A memory backend whose next `failures` calls of the chosen operation throw. */
function flaky(op: 'get' | 'put' | 'list', failures: number, retryable: boolean) {
  const inner = new MemoryBackend();
  let left = failures;
  let calls = 0;
  const fail = () => {
    calls++;
    if (left-- > 0) throw new KafkaBackupError('STORAGE_IO', 'injected', { retryable });
  };
  const wrapped = Object.create(inner) as MemoryBackend;
  if (op === 'get') wrapped.get = async (k, r) => (fail(), inner.get(k, r));
  if (op === 'put') wrapped.put = async (k, d, o) => (fail(), inner.put(k, d, o));
  if (op === 'list') {
    wrapped.list = async function* (prefix) {
      let n = 0;
      for await (const o of inner.list(prefix)) {
        if (n++ === 1) fail();
        yield o;
      }
    };
  }
  return { inner, backend: wrapped, calls: () => calls };
}

test('retryable failures are retried until the call succeeds', async () => {
  const f = flaky('get', 3, true);
  await f.inner.put('a', Buffer.from('x'));
  assert.equal((await withRetries(f.backend).get('a')).toString(), 'x');
  assert.equal(f.calls(), 4);
});

test('permanent failures are not retried', async () => {
  const f = flaky('put', 1, false);
  await assert.rejects(withRetries(f.backend).put('a', Buffer.from('x')), /injected/);
  assert.equal(f.calls(), 1);
});

test('retries stop after the policy limit', async () => {
  const f = flaky('get', 10, true);
  await f.inner.put('a', Buffer.from('x'));
  await assert.rejects(withRetries(f.backend, { retries: 2, baseDelayMs: 1, maxDelayMs: 1 }).get('a'), /injected/);
  assert.equal(f.calls(), 3);
});

test('a listing that fails midway resumes after the last key it delivered, without repeats', async () => {
  const f = flaky('list', 1, true);
  for (const k of ['p/a', 'p/b', 'p/c', 'p/d']) await f.inner.put(k, Buffer.from(k));
  const keys: string[] = [];
  for await (const o of withRetries(f.backend).list('p/')) keys.push(o.key);
  assert.deepEqual(keys, ['p/a', 'p/b', 'p/c', 'p/d']);
});

test('a read-ahead (tryGet) that started is retried like a get when it fails retryably', async () => {
  const f = flaky('get', 2, true);
  await f.inner.put('a', Buffer.from('x'));
  const read = prefetchGet(withRetries(f.backend), 'a');
  assert.ok(read, 'a backend without a concurrency limit always starts the read');
  assert.equal((await read).toString(), 'x');
  assert.equal(f.calls(), 3);
});

test('a read-ahead that fails permanently is not retried', async () => {
  const f = flaky('get', 1, false);
  await f.inner.put('a', Buffer.from('x'));
  await assert.rejects(prefetchGet(withRetries(f.backend), 'a')!, /injected/);
  assert.equal(f.calls(), 1);
});
