// The HTTP pool is sized to max_concurrency: counted by a relay between the backend and Azurite,
// 50 gets at once never put more than max_concurrency requests (or connections) on the wire,
// whether the process-wide semaphore is in front (limitConcurrency, as openStorage stacks it) or not.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAzureBackend } from '../../../src/storage/azure/backend.js';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { limitConcurrency } from '../../../src/storage/limited.js';
import { Semaphore } from '../../../src/storage/semaphore.js';
import { accountKey, azureConfig, connectionString, CountingRelay, endpoint, freshContainer, type FreshContainer } from './helpers.js';

describe('Azure backend connection pool', () => {
  let container: FreshContainer;
  let relay: CountingRelay;
  before(async () => {
    container = await freshContainer();
    relay = await CountingRelay.start(endpoint());
    for (let i = 0; i < 50; i++) await container.client.getBlockBlobClient(`obj/${i}`).upload(Buffer.alloc(256 * 1024, i), 256 * 1024);
  });
  after(async () => {
    await relay.stop();
    await container.remove();
  });

  const backendWith = (maxConcurrency: number): StorageBackend =>
    createAzureBackend(azureConfig({ container: container.name, endpoint: relay.endpoint, account_key: accountKey(), max_concurrency: maxConcurrency }));

  async function fiftyGets(backend: StorageBackend): Promise<void> {
    // The previous test's backend is closed; wait until the relay has seen its sockets go.
    for (let waited = 0; relay.connections > 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    relay.reset();
    const got = await Promise.all(Array.from({ length: 50 }, (_, i) => backend.get(`obj/${i}`)));
    got.forEach((data, i) => assert.ok(data.equals(Buffer.alloc(256 * 1024, i)), `obj/${i}`));
    assert.equal(relay.requests.length, 50);
  }

  test('through limitConcurrency(4) with max_concurrency 4: at most 4 requests and 4 connections', async () => {
    const backend = backendWith(4);
    const semaphore = new Semaphore(4);
    try {
      await fiftyGets(limitConcurrency(backend, semaphore));
      assert.ok(relay.maxInFlight <= 4, `saw ${relay.maxInFlight} requests at once`);
      assert.ok(relay.maxConnections <= 4, `saw ${relay.maxConnections} connections at once`);
      assert.equal(semaphore.maxObserved, 4);
    } finally {
      await backend.close();
    }
  });

  test('without a semaphore, the agent alone caps the wire at max_concurrency (3)', async () => {
    const backend = backendWith(3);
    try {
      await fiftyGets(backend);
      assert.ok(relay.maxInFlight <= 3, `saw ${relay.maxInFlight} requests at once`);
      assert.ok(relay.maxConnections <= 3, `saw ${relay.maxConnections} connections at once`);
      assert.ok(relay.maxInFlight >= 2, 'the gets did run in parallel');
    } finally {
      await backend.close();
    }
  });

  test('a connection_string client gets the same pool (max_concurrency 2)', async () => {
    const viaRelay = connectionString().replace(/BlobEndpoint=[^;]+/, `BlobEndpoint=${relay.endpoint}`);
    const backend = createAzureBackend(azureConfig({ container: container.name, connection_string: viaRelay, max_concurrency: 2 }));
    try {
      await fiftyGets(backend);
      assert.ok(relay.maxInFlight <= 2 && relay.maxConnections <= 2, `saw ${relay.maxInFlight} requests, ${relay.maxConnections} connections`);
    } finally {
      await backend.close();
    }
  });

  test('max_concurrency 0 (unlimited) is not squeezed into a small pool', async () => {
    const backend = backendWith(0);
    try {
      await fiftyGets(backend);
      assert.ok(relay.maxConnections > 4, `saw only ${relay.maxConnections} connections at once`);
    } finally {
      await backend.close();
    }
  });
});
