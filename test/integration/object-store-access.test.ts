// Credentials the store refuses, and a bucket or container that does not exist: `backup` and
// `status --config` fail at once (no retrying a permanent answer) with exit 1 and a message naming
// the backend, the bucket or container and the likely cause, and never show the secret.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic } from './helpers/kafka-tools.js';
import { produceKeyed } from './helpers/invariants.js';
import { faultBackends, openStoreUnderTest, type StorageSection, type StoreUnderTest } from './helpers/stores-under-test.js';

/** A refused or missing store is a permanent answer: well under the retry budget, nowhere near this. */
const FAST_MS = 20_000;

function configWith(topic: string, storage: StorageSection): string {
  return writeConfig(
    tempDir('access'),
    'config.yaml',
    JSON.stringify({ backup_id: unique('access'), source: { bootstrap_servers: [bootstrap()], topics: { include: [topic] } }, storage }),
  );
}

async function timed(args: string[]): Promise<{ r: CliResult; ms: number }> {
  const t0 = Date.now();
  const r = await runCli(args);
  return { r, ms: Date.now() - t0 };
}

interface Expected {
  code: string;
  store: StoreUnderTest;
  /** The bucket or container the message must name. */
  name: string;
  cause: RegExp;
  secret?: string;
}

function assertClearFailure({ r, ms }: { r: CliResult; ms: number }, what: string, e: Expected): void {
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, `${what}: expected exit 1, got ${r.code}:\n${out}`);
  assert.ok(ms < FAST_MS, `${what}: took ${ms} ms to fail`);
  const line = new RegExp(`kafka-backup: ${e.code}: (.*)`).exec(r.stderr);
  assert.ok(line, `${what}: no ${e.code} error line:\n${out}`);
  const message = line[1]!;
  assert.match(message, e.store.label, `${what}: the backend is not named: ${message}`);
  assert.ok(message.includes(e.name), `${what}: "${e.name}" is not named: ${message}`);
  assert.match(message, e.cause, `${what}: the likely cause is not given: ${message}`);
  if (e.secret !== undefined) assert.ok(!out.includes(e.secret), `${what}: the secret appears in the output:\n${out}`);
}

for (const backend of faultBackends) {
  describe(`${backend}: refused credentials and missing buckets`, { timeout: 120_000 }, () => {
    let topic = '';
    let store: StoreUnderTest;
    before(async () => {
      topic = unique(`access-${backend}`);
      await createTopic(bootstrap(), topic, 1);
      await produceKeyed(bootstrap(), topic, 1, 100);
      store = await openStoreUnderTest(backend);
    });
    after(() => store.close());

    test('wrong credentials: backup and status --config fail fast, naming the backend, the bucket and what to check, without the secret', async (t) => {
      const wrong = await store.wrongCredentials();
      try {
        const config = configWith(topic, wrong.storage);
        const expected = { code: 'STORAGE_PERMISSION', store, name: store.name, cause: wrong.hint, secret: wrong.secret };
        const backup = await timed(['backup', '--config', config]);
        assertClearFailure(backup, 'backup', expected);
        const status = await timed(['status', '--config', config]);
        assertClearFailure(status, 'status', expected);
        t.diagnostic(`backup failed in ${backup.ms} ms, status in ${status.ms} ms`);
        assert.equal(await store.hasKey(() => true), false, 'nothing was written with refused credentials');
      } finally {
        await wrong.close();
      }
    });

    test('a missing bucket or container: backup and status --config fail fast, naming the backend and the bucket', async (t) => {
      const { storage, name } = store.missing();
      const config = configWith(topic, storage);
      const expected = { code: 'STORAGE_NOT_FOUND', store, name, cause: /does not exist/ };
      const backup = await timed(['backup', '--config', config]);
      assertClearFailure(backup, 'backup', expected);
      const status = await timed(['status', '--config', config]);
      assertClearFailure(status, 'status', expected);
      t.diagnostic(`backup failed in ${backup.ms} ms, status in ${status.ms} ms`);

      const json = await runCli(['status', '--config', config, '--json']);
      assert.equal(json.code, 1, json.stderr);
      const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
      assert.equal(error.code, 'STORAGE_NOT_FOUND');
      assert.ok(error.message.includes(name), `status --json does not name ${name}: ${error.message}`);
    });
  });
}
