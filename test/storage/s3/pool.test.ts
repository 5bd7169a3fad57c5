// The HTTP connection pool is sized to max_concurrency: counted with a TCP relay between the
// backend and MinIO that records how many connections are open at once. 50 gets at once open at
// most max_concurrency connections, with or without the semaphore in front (limitConcurrency),
// and a streamed upload with more parts in flight than that is held to the pool too.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { limitConcurrency } from '../../../src/storage/limited.js';
import { S3Backend } from '../../../src/storage/s3/backend.js';
import { Semaphore } from '../../../src/storage/semaphore.js';
import { createBucket, s3Config, s3Env, type TestBucket } from './helpers.js';

const MiB = 1024 * 1024;

interface Relay {
  endpoint: string;
  /** Most connections open at the same time. */
  maxOpen: number;
  close(): Promise<void>;
}

async function startRelay(): Promise<Relay> {
  const upstream = new URL(s3Env().endpoint);
  const sockets = new Set<net.Socket>();
  let open = 0;
  const relay: Relay = { endpoint: '', maxOpen: 0, close: async () => undefined };
  const server = net.createServer((client) => {
    open++;
    relay.maxOpen = Math.max(relay.maxOpen, open);
    const server = net.connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, server]) sockets.add(s);
    client.pipe(server).pipe(client);
    const done = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', done).on('close', done);
    server.on('error', done).on('close', done);
    client.once('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return relay;
}

async function withRelay(body: (relay: Relay, bucket: TestBucket) => Promise<void>): Promise<void> {
  const bucket = await createBucket();
  const relay = await startRelay();
  try {
    await body(relay, bucket);
  } finally {
    await relay.close();
    await bucket.remove();
  }
}

async function fiftyGets(relay: Relay, bucket: string, maxConcurrency: number, semaphore?: Semaphore): Promise<void> {
  const backend = new S3Backend(s3Config(bucket, { endpoint: relay.endpoint, max_concurrency: maxConcurrency }));
  try {
    const data = randomBytes(256 * 1024);
    await backend.put('obj', data);
    const storage = semaphore === undefined ? backend : limitConcurrency(backend, semaphore);
    const got = await Promise.all(Array.from({ length: 50 }, () => storage.get('obj')));
    for (const g of got) assert.ok(g.equals(data));
  } finally {
    await backend.close();
  }
}

describe('S3 connection pool (max_concurrency)', () => {
  test('50 gets at once behind the semaphore: at most max_concurrency calls and connections', () =>
    withRelay(async (relay, { bucket }) => {
      const semaphore = new Semaphore(4);
      await fiftyGets(relay, bucket, 4, semaphore);
      assert.equal(semaphore.maxObserved, 4);
      assert.ok(relay.maxOpen <= 4, `${relay.maxOpen} connections`);
      assert.ok(relay.maxOpen >= 2, `${relay.maxOpen} connections: the gets ran concurrently`);
    }));

  test('50 gets at once without the semaphore: the pool alone caps the connections', () =>
    withRelay(async (relay, { bucket }) => {
      await fiftyGets(relay, bucket, 4);
      assert.ok(relay.maxOpen <= 4, `${relay.maxOpen} connections`);
    }));

  test('max_concurrency 0 (unlimited): more connections than that', () =>
    withRelay(async (relay, { bucket }) => {
      await fiftyGets(relay, bucket, 0);
      assert.ok(relay.maxOpen > 4, `${relay.maxOpen} connections`);
    }));

  test('a streamed upload with 6 parts in flight uses at most max_concurrency (2) connections', () =>
    withRelay(async (relay, { bucket }) => {
      const backend = new S3Backend(
        s3Config(bucket, {
          endpoint: relay.endpoint,
          max_concurrency: 2,
          multipart_threshold: 5 * MiB,
          multipart_part_size: 5 * MiB,
          max_concurrent_uploads: 6,
        }),
      );
      try {
        const writer = backend.createWriter('seg');
        for (let i = 0; i < 36; i++) await writer.write(randomBytes(MiB));
        assert.equal((await writer.finish()).size, 36 * MiB);
        assert.ok(relay.maxOpen <= 2, `${relay.maxOpen} connections`);
      } finally {
        await backend.close();
      }
    }));
});
