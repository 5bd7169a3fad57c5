// The backend's HTTP connections are bounded by max_concurrency, on every request path (JSON API
// calls through the SDK, resumable-upload requests, downloads), and reused (keep-alive). Counted
// with a TCP relay between the backend and the emulator.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, test } from 'node:test';
import type { StorageBackend } from '../../../src/storage/backend.js';
import { createGcsBackend } from '../../../src/storage/gcs/backend.js';
import { limitConcurrency } from '../../../src/storage/limited.js';
import { Semaphore } from '../../../src/storage/semaphore.js';
import { createBucket, emulatorEndpoint, gcsConfig, removeBucket } from './emulator.js';

const KiB = 1024;

/** Relays TCP to the emulator, counting connections open at once and in total. */
class CountingRelay {
  open = 0;
  maxOpen = 0;
  total = 0;
  /** Bytes sent by the backend. */
  sent = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async start(): Promise<CountingRelay> {
    const upstream = new URL(emulatorEndpoint());
    const server = net.createServer();
    const relay = new CountingRelay(server);
    server.on('connection', (client) => {
      relay.total++;
      relay.maxOpen = Math.max(relay.maxOpen, ++relay.open);
      const target = net.connect(Number(upstream.port), upstream.hostname);
      for (const s of [client, target]) relay.#sockets.add(s);
      client.on('data', (chunk: Buffer) => (relay.sent += chunk.length));
      client.pipe(target).pipe(client);
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        relay.open--;
        client.destroy();
        target.destroy();
      };
      client.on('close', close).on('error', close);
      target.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  reset(): void {
    this.maxOpen = this.open;
    this.total = 0;
    this.sent = 0;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

async function withRelayedBackend(maxConcurrency: number, body: (b: StorageBackend, relay: CountingRelay) => Promise<void>): Promise<void> {
  const bucket = await createBucket();
  const relay = await CountingRelay.start();
  const backend = createGcsBackend(gcsConfig(bucket, { endpoint: relay.endpoint, max_concurrency: maxConcurrency, chunk_size: 256 * KiB }));
  try {
    await body(backend, relay);
  } finally {
    await backend.close();
    await relay.stop();
    await removeBucket(bucket);
  }
}

describe('GCS backend: HTTP connections', () => {
  test('50 gets at once through limitConcurrency(4), max_concurrency 4: at most 4 connections, reused', async () => {
    await withRelayedBackend(4, async (backend, relay) => {
      const data = randomBytes(200 * KiB);
      await backend.put('c/obj', data);
      const semaphore = new Semaphore(4);
      const limited = limitConcurrency(backend, semaphore);
      relay.reset();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => limited.get('c/obj', { start: i, end: i + 100 * KiB })));
      results.forEach((r, i) => assert.ok(r.equals(data.subarray(i, i + 100 * KiB))));
      assert.ok(semaphore.maxObserved <= 4);
      assert.ok(relay.maxOpen <= 4, `${relay.maxOpen} connections open at once`);
      assert.ok(relay.total <= 4, `${relay.total} connections opened for 50 gets: keep-alive reuses them`);
    });
  });

  test('without the semaphore the pool itself caps connections at max_concurrency 3, on every request path', async () => {
    await withRelayedBackend(3, async (backend, relay) => {
      const data = randomBytes(64 * KiB);
      await backend.put('c/obj', data);
      relay.reset();
      let opened = 0;
      for (const [what, run] of [
        ['downloads', () => Promise.all(Array.from({ length: 50 }, () => backend.get('c/obj')))],
        ['metadata calls (SDK JSON API)', () => Promise.all(Array.from({ length: 50 }, () => backend.head('c/obj')))],
        ['simple uploads (SDK JSON API)', () => Promise.all(Array.from({ length: 20 }, (_, i) => backend.put(`c/p${i}`, data)))],
        ['resumable uploads (SDK gaxios)', () => Promise.all(Array.from({ length: 6 }, async (_, i) => {
          const writer = backend.createWriter(`c/w${i}`);
          for (let n = 0; n < 12; n++) await writer.write(data);
          return writer.finish();
        }))],
      ] as const) {
        const before = relay.sent;
        relay.maxOpen = relay.open;
        await run();
        assert.ok(relay.maxOpen <= 3, `${what}: ${relay.maxOpen} connections open at once`);
        assert.ok(relay.sent > before, `${what} went through the relay`);
        opened = relay.total;
      }
      // One warm pool serves all paths: the connections of the first burst are reused by the rest.
      assert.ok(opened <= 3, `${opened} connections opened in all`);
      assert.equal((await backend.head('c/w5'))?.size, 12 * data.length);
    });
  });
});
