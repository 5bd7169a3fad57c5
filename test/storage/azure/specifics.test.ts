// Azure-specific behaviour beyond the conformance suite: the config prefix, paged listing, the
// shape of streamed uploads (one Put Blob for small objects, staged blocks plus one commit for
// large ones), keys that need URL escaping, and invisible uncommitted blocks.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isKafkaBackupError } from '../../../src/errors.js';
import { AzureBackend, createAzureBackend } from '../../../src/storage/azure/backend.js';
import { listAll } from '../../conformance/storage-backend.suite.js';
import { accountKey, accountName, azureConfig, blobNames, connectionString, CountingRelay, endpoint, freshContainer, MiB, type FreshContainer } from './helpers.js';

describe('Azure backend specifics', () => {
  let container: FreshContainer;
  before(async () => {
    container = await freshContainer();
  });
  after(async () => container.remove());

  test('the config prefix is prepended to blob names and stripped from listings; location names it', async () => {
    for (const prefix of ['team/kafka', 'team/kafka/']) {
      const backend = createAzureBackend(azureConfig({ container: container.name, connection_string: connectionString(), prefix }));
      try {
        assert.equal(backend.kind, 'azure');
        assert.equal(backend.location, `azure://${accountName()}/${container.name}/team/kafka`);
        const info = await backend.put('topics/a/0/seg', Buffer.from('data'));
        assert.equal(info.key, 'topics/a/0/seg');
        assert.ok((await blobNames(container.client)).includes('team/kafka/topics/a/0/seg'), 'stored under the prefix, no double slash');
        await container.client.getBlockBlobClient('team/kafka-other/x').upload(Buffer.from('x'), 1);
        await container.client.getBlockBlobClient('team/kafkaesque').upload(Buffer.from('x'), 1);
        assert.deepEqual((await listAll(backend, '')).map((o) => o.key), ['topics/a/0/seg']);
        assert.deepEqual((await listAll(backend, 'topics/')).map((o) => o.key), ['topics/a/0/seg']);
        assert.equal((await backend.get('topics/a/0/seg')).toString(), 'data');
        await backend.delete('topics/a/0/seg');
        assert.deepEqual(await listAll(backend, ''), []);
      } finally {
        await backend.close();
      }
    }
    const root = createAzureBackend(azureConfig({ container: container.name, connection_string: connectionString() }));
    assert.equal(root.location, `azure://${accountName()}/${container.name}`);
    assert.ok(!root.location.includes(accountKey()), 'no secret in the location');
    await root.close();
  });

  test('listing spans several pages; listPages yields them in key order', async () => {
    const backend = new AzureBackend(azureConfig({ container: container.name, connection_string: connectionString(), prefix: 'paged' }), { listPageSize: 7 });
    try {
      const keys = Array.from({ length: 25 }, (_, i) => `p/${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((key) => backend.put(key, Buffer.from(key))));
      await backend.put('q/outside', Buffer.from('q'));
      const pages: string[][] = [];
      for await (const page of backend.listPages('p/')) pages.push(page.map((o) => o.key));
      assert.deepEqual(pages.map((p) => p.length), [7, 7, 7, 4]);
      assert.deepEqual(pages.flat(), keys);
      assert.deepEqual((await listAll(backend, '')).map((o) => o.key), [...keys, 'q/outside']);
    } finally {
      await backend.close();
    }
  });

  test('a range past the end is STORAGE_IO and does not hold a connection of the pool', async () => {
    const config = azureConfig({ container: container.name, connection_string: connectionString(), prefix: 'short', max_concurrency: 1 });
    const backend = createAzureBackend(config);
    try {
      const data = randomBytes(100_000);
      await backend.put('obj', data);
      for (let i = 0; i < 3; i++) {
        await assert.rejects(backend.get('obj', { start: 1000, end: 100_001 }), (err: unknown) => isKafkaBackupError(err, 'STORAGE_IO') && !err.retryable);
      }
      // With one socket, a body left unread would make this wait for the 120 s idle timeout.
      const started = Date.now();
      assert.ok((await backend.get('obj', { start: 5, end: 10 })).equals(data.subarray(5, 10)));
      assert.ok(Date.now() - started < 5000);
    } finally {
      await backend.close();
    }
  });

  test('keys that need URL escaping round-trip and list back unchanged', async () => {
    const backend = createAzureBackend(azureConfig({ container: container.name, connection_string: connectionString(), prefix: 'odd' }));
    try {
      const keys = ['k/a b', 'k/100%', 'k/%20', 'k/q?x=1', 'k/h#frag', 'k/plus+sign', 'k/ümlaut-é', 'k/semi;colon', "k/quote'"];
      for (const key of keys) await backend.put(key, Buffer.from(key));
      for (const key of keys) assert.equal((await backend.get(key)).toString(), key);
      for (const key of keys) assert.equal((await backend.head(key))?.size, Buffer.byteLength(key));
      assert.deepEqual((await listAll(backend, 'k/')).map((o) => o.key).sort(), [...keys].sort());
    } finally {
      await backend.close();
    }
  });

  test('an unfinished writer leaves only uncommitted blocks: invisible, nothing to sweep, gone from view after abort', async () => {
    const config = azureConfig({ container: container.name, connection_string: connectionString(), prefix: 'unfinished', block_size: '1MiB' });
    const backend = createAzureBackend(config);
    try {
      const writer = backend.createWriter('seg/crashed');
      await writer.write(randomBytes(2 * MiB + 100));
      const blob = container.client.getBlockBlobClient('unfinished/seg/crashed');
      // Until the first staged block lands the blob is unknown (404); then its blocks are uncommitted.
      const blockList = () => blob.getBlockList('all').catch((err: { statusCode?: number }) => (err.statusCode === 404 ? {} : Promise.reject(err)));
      let blocks: { committedBlocks?: unknown[]; uncommittedBlocks?: unknown[] } = await blockList();
      for (let waited = 0; (blocks.uncommittedBlocks?.length ?? 0) < 2 && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        blocks = await blockList();
      }
      assert.equal(blocks.committedBlocks?.length ?? 0, 0);
      assert.equal(blocks.uncommittedBlocks?.length, 2, 'two full blocks were staged while writing');
      assert.equal(await backend.head('seg/crashed'), undefined);
      assert.deepEqual(await listAll(backend, ''), []);
      assert.equal(await (backend as AzureBackend).sweepTemporaryFiles(0), 0);
      await writer.abort();
      assert.equal(await backend.head('seg/crashed'), undefined);
      const later = await backend.put('seg/crashed', Buffer.from('fresh'));
      assert.deepEqual(await backend.head('seg/crashed'), later);
      assert.equal((await backend.get('seg/crashed')).toString(), 'fresh');
    } finally {
      await backend.close();
    }
  });

  test('streamed uploads: a small object is one Put Blob; a large one is block_size blocks, max_concurrent_uploads at a time, and one commit', async () => {
    const relay = await CountingRelay.start(endpoint());
    const config = azureConfig({
      container: container.name,
      endpoint: relay.endpoint,
      account_key: accountKey(),
      prefix: 'shape',
      block_size: '1MiB',
      max_concurrent_uploads: 2,
    });
    const backend = createAzureBackend(config);
    try {
      const small = backend.createWriter('small');
      for (let i = 0; i < 10; i++) await small.write(randomBytes(10_000));
      await small.finish();
      assert.deepEqual(relay.requests, [{ method: 'PUT', comp: '' }]);

      relay.reset();
      const large = backend.createWriter('large');
      const chunk = randomBytes(64 * 1024);
      for (let written = 0; written < 7 * MiB + MiB / 2; written += chunk.length) await large.write(chunk);
      const info = await large.finish();
      assert.equal(info.size, 7 * MiB + MiB / 2);
      const blocks = relay.requests.filter((r) => r.method === 'PUT' && r.comp === 'block').length;
      assert.equal(blocks, 8);
      assert.deepEqual(relay.requests.at(-1), { method: 'PUT', comp: 'blocklist' });
      assert.equal(relay.requests.length, 9);
      assert.ok(relay.maxInFlight <= 2, `at most max_concurrent_uploads blocks in flight, saw ${relay.maxInFlight}`);
      const list = await container.client.getBlockBlobClient('shape/large').getBlockList('committed');
      assert.deepEqual(list.committedBlocks?.map((b) => b.size), [...Array(7).fill(MiB), MiB / 2]);
    } finally {
      await backend.close();
      await relay.stop();
    }
  });
});
