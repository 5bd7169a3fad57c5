// Issue 8, item 7: with --json, stdout holds exactly one JSON document, success or failure, for
// every command: the result with the error inside it when the command fails after producing one,
// or {error} alone when it fails before. Runs the real command line (bin/kafka-backup.js) on the
// golden backups and on a target that refuses connections (no broker needed); the same with a
// real broker is test/integration/json-output.test.ts.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runCli, startCli, writeConfig, type CliResult } from '../integration/helpers/cli.js';
import { tempDir } from '../integration/helpers/env.js';
import { oneDocument } from './one-document.js';

const golden = fileURLToPath(new URL('../../../test/golden/v1/', import.meta.url));

function failed(r: CliResult, code: string, exit: number, what: string): Record<string, unknown> {
  const doc = oneDocument(r, what);
  assert.equal(r.code, exit, `${what}: exit code\n${r.stderr}`);
  const error = doc.error as { code: string; message: string } | undefined;
  assert.equal(error?.code, code, `${what}: error.code in ${JSON.stringify(doc)}`);
  assert.ok(error.message.length > 0);
  return doc;
}

function succeeded(r: CliResult, what: string): Record<string, unknown> {
  const doc = oneDocument(r, what);
  assert.equal(r.code, 0, `${what}: exit code\n${r.stderr}`);
  // status shows a backup's recorded failure as its `error` (null for a healthy backup).
  assert.ok(doc.error === undefined || doc.error === null, `${what}: no error`);
  return doc;
}

/** A config whose Kafka side refuses connections at once. */
function unreachable(dir: string, storagePath: string, backupId: string, extra: Record<string, unknown> = {}): string {
  const kafka = { bootstrap_servers: ['127.0.0.1:1'], kafka_config: { retries: 0, 'retry.backoff.ms': 10 } };
  return writeConfig(dir, `unreachable-${Object.keys(extra).join('-') || 'plain'}.yaml`, JSON.stringify({ backup_id: backupId, source: { ...kafka, topics: { include: ['orders'] } }, target: kafka, storage: { backend: 'filesystem', path: storagePath }, ...extra }));
}

describe('--json: exactly one document on stdout', () => {
  const dir = tempDir('json-output');
  const storage = join(dir, 'storage');
  cpSync(golden, storage, { recursive: true });

  test('config-check: the resolved config, or {error} with every problem', async () => {
    const cfg = unreachable(dir, storage, 'zstd-backup');
    const ok = succeeded(await runCli(['config-check', '-c', cfg, '--json']), 'config-check');
    assert.equal(ok.backup_id, 'zstd-backup');
    const bad = writeConfig(dir, 'bad.yaml', 'backup_id: x\nstorage: { backend: filesystem, path: /tmp }\nrestore: { nope: 1 }\n');
    const doc = failed(await runCli(['config-check', '-c', bad, '--json']), 'CONFIG_INVALID', 2, 'config-check of a bad file');
    assert.ok(Array.isArray((doc.error as { problems?: unknown }).problems));
  });

  test('status: the list, one backup, or {error}', async () => {
    const list = succeeded(await runCli(['status', '--path', storage, '--json']), 'status');
    assert.equal((list.backups as unknown[]).length, 3);
    assert.equal(succeeded(await runCli(['status', '--path', storage, '-b', 'zstd-backup', '--json']), 'status -b').backup_id, 'zstd-backup');
    failed(await runCli(['status', '--path', storage, '-b', 'nope', '--json']), 'BACKUP_NOT_FOUND', 1, 'status of an unknown backup');
  });

  test('verify: intact, and damaged (the result with the error inside it)', async () => {
    const ok = succeeded(await runCli(['verify', '--path', storage, '-b', 'lz4-backup', '--json']), 'verify');
    assert.equal(ok.ok, true);
    const segment = join(storage, 'none-backup/topics/orders/0/segments/00000000000000000000.kbs');
    const bytes = readFileSync(segment);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    writeFileSync(segment, bytes);
    const doc = failed(await runCli(['verify', '--path', storage, '-b', 'none-backup', '--json']), 'BACKUP_CORRUPT', 3, 'verify of a damaged backup');
    assert.equal(doc.ok, false);
    assert.equal((doc.problems as string[]).length, 1);
    // Without --json: no document, the error on stderr (the human output is unchanged).
    const text = await runCli(['verify', '--path', storage, '-b', 'none-backup']);
    assert.equal(text.stdout, '');
    assert.match(text.stderr, /BACKUP_CORRUPT/);
  });

  test('validate-restore with an unreachable target: the report with the error inside it', async () => {
    const doc = failed(await runCli(['validate-restore', '-c', unreachable(dir, storage, 'zstd-backup'), '--json']), 'VALIDATION_FAILED', 3, 'validate-restore');
    assert.equal(doc.ok, false);
    assert.equal(doc.backup_id, 'zstd-backup');
    assert.match(String((doc.problems as string[])[0]), /127\.0\.0\.1:1/);
  });

  test('backup, restore, offsets plan/apply with an unreachable cluster: {error}', async () => {
    const cfg = unreachable(dir, storage, 'zstd-backup');
    failed(await runCli(['backup', '-c', unreachable(dir, join(dir, 'empty'), 'fresh', { backup: {} }), '--json']), 'KAFKA_UNREACHABLE', 1, 'backup');
    failed(await runCli(['restore', '-c', cfg, '--json']), 'KAFKA_UNREACHABLE', 1, 'restore');
    for (const action of ['plan', 'apply']) {
      failed(await runCli(['offsets', action, '-c', cfg, '--group', '*', '--json']), 'KAFKA_UNREACHABLE', 1, `offsets ${action}`);
    }
  });

  test('a second SIGINT exits at once, still with one document: {error} with INTERRUPTED', async () => {
    // A broker that accepts connections and never answers keeps the backup waiting.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const cfg = writeConfig(dir, 'silent.yaml', JSON.stringify({ backup_id: 'silent', source: { bootstrap_servers: [`127.0.0.1:${port}`], topics: { include: ['orders'] } }, storage: { backend: 'filesystem', path: join(dir, 'silent') } }));
      const { child, done } = startCli(['-v', 'backup', '-c', cfg, '--json']);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      while (!stderr.includes('config loaded')) await sleep(20);
      child.kill('SIGINT');
      await sleep(100);
      child.kill('SIGINT');
      const r = await done;
      assert.ok(r.stderr.includes('second SIGINT'), r.stderr);
      failed(r, 'INTERRUPTED', 130, 'backup stopped by a second SIGINT');
    } finally {
      silent.close();
    }
  });

  test('a command line commander refuses: {error} with USAGE', async () => {
    failed(await runCli(['restore', '--json']), 'USAGE', 2, 'restore without --config');
    failed(await runCli(['verify', '--json', '--no-such-option']), 'USAGE', 2, 'an unknown option');
  });
});
