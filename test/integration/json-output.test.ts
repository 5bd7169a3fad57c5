// Issue 8, item 7, against the real broker: every command that talks to Kafka prints exactly one
// JSON document with --json, when it succeeds and when it fails; a failure after the command has
// its result puts the error inside that result. (Without a broker: test/cli/json-output.test.ts.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { oneDocument } from '../cli/one-document.js';
import { roundTripConfig, runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { commitGroup } from './helpers/groups.js';
import { createTopic } from './helpers/kafka-tools.js';
import { produceKeyed } from './helpers/invariants.js';

function ok(r: CliResult, what: string): Record<string, unknown> {
  const doc = oneDocument(r, what);
  assert.equal(r.code, 0, `${what}: exit code\n${r.stderr}`);
  assert.equal(doc.error ?? null, null, `${what}: no error`);
  return doc;
}

function failed(r: CliResult, code: string, exit: number, what: string): Record<string, unknown> {
  const doc = oneDocument(r, what);
  assert.equal(r.code, exit, `${what}: exit code\n${r.stderr}`);
  assert.equal((doc.error as { code?: string } | undefined)?.code, code, `${what}: ${JSON.stringify(doc)}`);
  return doc;
}

describe('--json with a real broker: one document, success or failure', { timeout: 300_000 }, () => {
  const b = bootstrap();
  const topic = unique('json');
  const group = `${topic}-g`;
  const dir = tempDir('json-output');
  const storagePath = join(dir, 'storage');
  const config = (name: string, opts: { include?: string[]; target?: string; restore?: Record<string, unknown> } = {}) =>
    writeConfig(
      dir,
      `${name}.json`,
      roundTripConfig({
        backupId: topic,
        storagePath,
        bootstrap: b,
        include: opts.include ?? [topic],
        mapping: { [topic]: opts.target ?? `${topic}-restored` },
        backup: { consumer_groups: [group] },
        ...(opts.restore ? { restore: opts.restore } : {}),
      }),
    );

  test('backup', async () => {
    await createTopic(b, topic, 2);
    await produceKeyed(b, topic, 1, 200);
    await commitGroup(b, group, topic, { 0: 10, 1: 20 });
    const doc = ok(await runCli(['backup', '-c', config('backup'), '--json']), 'backup');
    assert.equal(doc.records, 200);
    failed(await runCli(['backup', '-c', config('missing-topic', { include: [`${topic}-nope`] }), '--json']), 'KAFKA_TOPIC_MISSING', 1, 'backup of a topic that does not exist');
  });

  test('validate-restore, offsets plan/apply, restore', async () => {
    const cfg = config('restore');
    assert.equal(ok(await runCli(['validate-restore', '-c', cfg, '--json']), 'validate-restore').ok, true);
    // Nothing restored yet: plan and apply have their result, then fail; the error goes inside it.
    const plan = failed(await runCli(['offsets', 'plan', '-c', cfg, '--group', group, '--json']), 'VALIDATION_FAILED', 3, 'offsets plan before the restore');
    assert.ok((plan.problems as string[]).length > 0);
    const early = failed(await runCli(['offsets', 'apply', '-c', cfg, '--group', group, '--json']), 'RESTORE_CONFLICT', 4, 'offsets apply before the restore');
    assert.ok((early.problems as string[]).length > 0);

    const restored = ok(await runCli(['restore', '-c', cfg, '--json']), 'restore');
    assert.equal(restored.records, 200);
    assert.deepEqual((restored.complete as { target: string }[]).map((p) => p.target), [`${topic}-restored/0`, `${topic}-restored/1`]);
    ok(await runCli(['offsets', 'plan', '-c', cfg, '--group', group, '--json']), 'offsets plan');
    const applied = ok(await runCli(['offsets', 'apply', '-c', cfg, '--group', group, '--json']), 'offsets apply');
    assert.equal((applied.committed as unknown[]).length, 1);
  });

  test('validate-restore and restore into a topic that holds data: the result with the error inside it', async () => {
    const cfg = config('into-source', { target: topic });
    const dry = failed(await runCli(['validate-restore', '-c', cfg, '--json']), 'VALIDATION_FAILED', 3, 'validate-restore into a non-empty topic');
    assert.equal(dry.ok, false);
    const refused = failed(await runCli(['restore', '-c', cfg, '--json']), 'RESTORE_CONFLICT', 4, 'restore into a non-empty topic');
    assert.deepEqual((refused.not_started as { target: string }[]).map((p) => p.target), [`${topic}/0`, `${topic}/1`]);
  });

  test('status, verify, config-check on the same backup', async () => {
    const cfg = config('restore');
    assert.equal(ok(await runCli(['status', '-c', cfg, '--json']), 'status').backup_id, topic);
    assert.equal(ok(await runCli(['verify', '-c', cfg, '--json']), 'verify').ok, true);
    ok(await runCli(['config-check', '-c', cfg, '--json']), 'config-check');
  });
});
