// Part of the StorageBackend conformance suite: which failures a backend marks retryable, since
// that is all the one retry loop (src/retry.ts) decides on. A wrong mark either gives up on a
// store that would have answered a moment later or retries an answer that cannot change.
//
// Answers of the store itself, for every backend: a missing object, a lost condition and a short
// read are final. For backends that talk to a server (`network`, `at`), the same backend is
// pointed at a local server that answers every request with throttling (429, 503), a 500, a reset
// connection or a 400, and at a port where nothing listens: all but the 400 are retryable
// STORAGE_IO. The SDKs' own retries are off, so each call fails at once.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isKafkaBackupError } from '../../src/errors.js';
import type { StorageBackend } from '../../src/storage/backend.js';

export type Check = (title: string, body: (backend: StorageBackend) => Promise<void>) => void;
/** Runs body with the backend's `at` (network backends only). */
export type CheckAt = (title: string, body: (at: (endpoint: string) => StorageBackend) => Promise<void>) => void;

async function assertMarked(promise: Promise<unknown>, retryable: boolean, what: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKafkaBackupError(err), `${what}: expected a KafkaBackupError, got ${String(err)}`);
    assert.equal(err.retryable, retryable, `${what}: ${err.code} ${err.message}`);
    if (retryable) assert.equal(err.code, 'STORAGE_IO', `${what}: ${err.message}`);
    return true;
  });
}

type Fault = { status: number; code: string } | 'reset' | 'refused';

const faults: { fault: Fault; retryable: boolean; name: string }[] = [
  { fault: { status: 503, code: 'SlowDown' }, retryable: true, name: '503 (throttled)' },
  { fault: { status: 429, code: 'TooManyRequests' }, retryable: true, name: '429' },
  { fault: { status: 500, code: 'InternalError' }, retryable: true, name: '500' },
  { fault: 'reset', retryable: true, name: 'a connection reset before any answer' },
  { fault: 'refused', retryable: true, name: 'a refused connection' },
  { fault: { status: 400, code: 'InvalidRequest' }, retryable: false, name: '400' },
];

/** A local server failing every request with `fault`; its endpoint is http://127.0.0.1:<port>. */
async function withFaultyServer(fault: Fault, body: (endpoint: string) => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => {
      const { status, code } = fault as { status: number; code: string };
      // An S3/Azure-style XML error document; Azure also names the code in a header (HEAD has no body).
      res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code, connection: 'close' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the conformance suite</Message></Error>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    if (fault === 'refused') {
      server.close(); // nothing listens on the port any more
      await body(endpoint);
    } else {
      await body(endpoint);
    }
  } finally {
    server.closeAllConnections();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}

export function defineRetryabilityChecks(check: Check, checkAt: CheckAt | undefined): void {
  check('retryable: a missing object, a lost condition and a short read are final (not retryable)', async (b) => {
    await assertMarked(b.get('gone/object'), false, 'get of a missing object');
    await assertMarked(b.get('gone/object', { start: 0, end: 1 }), false, 'ranged get of a missing object');
    const v1 = await b.put('cond/obj', Buffer.from('version-1'));
    await b.put('cond/obj', Buffer.from('version-2'));
    await assertMarked(b.put('cond/obj', Buffer.from('x'), { ifNoneMatch: true }), false, 'ifNoneMatch on an existing object');
    await assertMarked(b.put('cond/obj', Buffer.from('x'), { ifMatch: v1.etag }), false, 'ifMatch with a stale etag');
    await assertMarked(b.put('cond/absent', Buffer.from('x'), { ifMatch: v1.etag }), false, 'ifMatch on a missing object');
    await assertMarked(b.get('cond/obj', { start: 5, end: 100 }), false, 'a range past the end');
  });

  checkAt?.('retryable: throttling, 5xx, a reset or refused connection are retryable STORAGE_IO; a 400 is final', async (at) => {
    for (const { fault, retryable, name } of faults) {
      await withFaultyServer(fault, async (endpoint) => {
        const b = at(endpoint);
        try {
          await assertMarked(b.get('k/obj'), retryable, `get, ${name}`);
          await assertMarked(b.get('k/obj', { start: 0, end: 10 }), retryable, `ranged get, ${name}`);
          await assertMarked(b.head('k/obj'), retryable, `head, ${name}`);
          await assertMarked(b.put('k/obj', Buffer.from('data')), retryable, `put, ${name}`);
          await assertMarked(b.put('k/obj', Buffer.from('data'), { ifNoneMatch: true }), retryable, `conditional put, ${name}`);
          await assertMarked(b.delete('k/obj'), retryable, `delete, ${name}`);
          await assertMarked(
            (async () => {
              for await (const _ of b.list('k/')) void _;
            })(),
            retryable,
            `list, ${name}`,
          );
        } finally {
          await b.close();
        }
      });
    }
  });
}
