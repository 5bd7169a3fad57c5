// Topic configs survive a backup and restore: the restore creates the target topic with the
// source's partition count, replication factor and topic-level configs (plus overrides), and
// reports where an existing target topic differs. Checked with Kafka's own ConfigCommand, never
// with kafka-backup code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { assertDenseOffsets, assertSameRecords, dumpWithChecker, produceWithChecker, type CheckerLine, type DumpedRecord } from './helpers/checker.js';
import { roundTripConfig, runCli, writeConfig } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { SPREAD_TIMESTAMPS, bytes, partitionCount } from './helpers/fixtures.js';
import { createTopic, kafkaTool } from './helpers/kafka-tools.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Configs set on the source topic: the ones a restore with broker defaults gets wrong. */
const SOURCE_CONFIGS = {
  'retention.ms': '-1',
  'cleanup.policy': 'compact,delete',
  'max.message.bytes': '2000000',
  'message.timestamp.type': 'CreateTime',
  'message.timestamp.after.max.ms': '9223372036854775807',
  'min.insync.replicas': '1',
};

/**
 * A topic's configs as Kafka's ConfigCommand describes them: the ones set on the topic ("Dynamic
 * configs for topic … are:"), or with `all` every config with its effective value.
 */
async function describeConfigs(b: string, topic: string, all = false): Promise<Record<string, string>> {
  const r = await kafkaTool('kafka.admin.ConfigCommand', [
    '--bootstrap-server', b, '--entity-type', 'topics', '--entity-name', topic, '--describe', ...(all ? ['--all'] : []),
  ]);
  const out: Record<string, string> = {};
  for (const line of r.stdout.toString().split('\n')) {
    const m = /^\s+([a-z0-9._-]+)=(.*?) sensitive=(?:true|false) synonyms=/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  assert.ok(Object.keys(out).length > 0 || !all, `ConfigCommand --describe of ${topic} listed no configs:\n${r.stdout.toString()}`);
  return out;
}

const pick = (configs: Record<string, string>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, configs[k] ?? '(absent)']));

describe('topic configs', { timeout: 300_000 }, () => {
  const b = bootstrap();
  const source = unique('cfg');
  const dir = tempDir('topic-configs');
  const backupId = unique('cfg');
  let sourceRecords: DumpedRecord[] = [];
  let sourceConfigs: Record<string, string> = {};

  /** A config for restoring `source` as `target` from this test's backup, with extra restore keys. */
  function restoreConfig(name: string, target: string, restore: Record<string, unknown> = {}): string {
    const yaml = roundTripConfig({ backupId, storagePath: join(dir, 'storage'), bootstrap: b, include: [source], mapping: { [source]: target }, restore });
    return writeConfig(dir, name, yaml);
  }

  before(async () => {
    await createTopic(b, source, 2, SOURCE_CONFIGS);
    // Keyed records (the topic compacts) with CreateTimes decades old, and one 2099: broker
    // defaults would delete the old ones (7-day retention) and refuse the future one (1 hour).
    const stamps = [SPREAD_TIMESTAMPS.y1971, SPREAD_TIMESTAMPS.y2001, SPREAD_TIMESTAMPS.y2025, SPREAD_TIMESTAMPS.y2099];
    const lines: CheckerLine[] = [];
    for (let i = 0; i < 20; i++) {
      lines.push({ partition: i % 2, key: bytes(`key-${i}`), value: bytes(`value ${i}`), headers: [['n', bytes(String(i))]], timestamp: stamps[i % stamps.length]! });
      if (i % 5 === 4) lines.push({ flush: true });
    }
    await produceWithChecker({ bootstrap: b, topic: source }, lines);
    sourceRecords = await dumpWithChecker(b, source);
    assert.equal(sourceRecords.length, 20);
    sourceConfigs = await describeConfigs(b, source);
    assert.deepEqual(sourceConfigs, SOURCE_CONFIGS, 'ConfigCommand lists exactly the configs set on the source');

    const backup = await runCli(['backup', '-c', restoreConfig('backup.yaml', source)]);
    assert.equal(backup.code, 0, `backup exited ${backup.code}\n${backup.stderr.slice(-4000)}`);
  });

  test('backup.json records partitions, replication factor and the configs set on the topic', () => {
    const descriptor = JSON.parse(readFileSync(join(dir, 'storage', backupId, 'backup.json'), 'utf8')) as { topics: unknown[] };
    const sorted = Object.fromEntries(Object.entries(sourceConfigs).sort(([x], [y]) => (x < y ? -1 : 1)));
    assert.deepEqual(descriptor.topics, [{ name: source, partitions: 2, replication_factor: 1, configs: sorted }]);
  });

  test('restore creates the topic with the captured configs; the old records stay', async () => {
    const target = `${source}-restored`;
    const restore = await runCli(['restore', '-c', restoreConfig('restore.yaml', target)]);
    assert.equal(restore.code, 0, `restore exited ${restore.code}\n${restore.stderr.slice(-4000)}`);
    const restoredAt = Date.now();

    assert.equal(await partitionCount(b, target), 2);
    const keys = Object.keys(SOURCE_CONFIGS);
    assert.deepEqual(pick(await describeConfigs(b, target), keys), pick(sourceConfigs, keys), 'describe-configs of source and target, captured keys');

    const restored = await dumpWithChecker(b, target);
    assertSameRecords(sourceRecords, restored);
    assertDenseOffsets(restored);
    // Retention (retention.ms -1 now, not the 7-day default) must not delete the 1971 records. The
    // broker checks retention every log.retention.check.interval.ms (5 minutes by default): with
    // it at 1 s, the 7-day default deletes such records within this wait.
    await sleep(Math.max(0, restoredAt + 15_000 - Date.now()));
    assertSameRecords(sourceRecords, await dumpWithChecker(b, target), 'target 15 s after the restore');
  });

  test('config_overrides apply on top of the captured configs', async () => {
    const target = `${source}-override`;
    const cfg = restoreConfig('override.yaml', target, { config_overrides: { 'retention.ms': '604800000', 'min.insync.replicas': null } });
    const restore = await runCli(['restore', '-c', cfg]);
    assert.equal(restore.code, 0, `restore exited ${restore.code}\n${restore.stderr.slice(-4000)}`);
    const got = await describeConfigs(b, target);
    const { 'retention.ms': _r, 'min.insync.replicas': _m, ...rest } = sourceConfigs;
    // min.insync.replicas was dropped, so it is not set on the topic (its value is the broker's).
    assert.deepEqual(got, { ...rest, 'retention.ms': '604800000' });
  });

  test('an existing target with other configs: differences reported by validate-restore and the restore log, not errors', async () => {
    const target = `${source}-existing`;
    // A retention other than the source's, long enough (about 285 years) to keep the 1971 records.
    const existing = { 'retention.ms': '9000000000000', 'message.timestamp.after.max.ms': '9223372036854775807' };
    await createTopic(b, target, 2, existing);
    const effective = await describeConfigs(b, target, true);
    const expected = Object.keys(SOURCE_CONFIGS)
      .sort()
      .filter((k) => effective[k] !== sourceConfigs[k])
      .map((k) => ({ key: k, backup: sourceConfigs[k], target: effective[k] ?? null }));
    assert.deepEqual(expected.map((d) => d.key), ['cleanup.policy', 'max.message.bytes', 'retention.ms'], 'the fixture differs in these keys');

    const cfg = restoreConfig('existing.yaml', target);
    const json = await runCli(['validate-restore', '-c', cfg, '--json']);
    assert.equal(json.code, 0, `validate-restore exited ${json.code}\n${json.stdout}\n${json.stderr.slice(-4000)}`);
    const report = JSON.parse(json.stdout) as { ok: boolean; topics: { target: string; create: boolean; config_differences: unknown[] }[] };
    assert.equal(report.ok, true, 'differences are not problems');
    assert.equal(report.topics.length, 1);
    assert.equal(report.topics[0]!.create, false);
    assert.deepEqual(report.topics[0]!.config_differences, expected);

    const text = await runCli(['validate-restore', '-c', cfg]);
    assert.equal(text.code, 0, text.stderr.slice(-4000));
    assert.match(text.stdout, /configs differ from the backup/);
    assert.match(text.stdout, new RegExp(`${target}\\s+retention\\.ms\\s+-1\\s+9000000000000`));

    const restore = await runCli(['restore', '-c', cfg]);
    assert.equal(restore.code, 0, `restore exited ${restore.code}\n${restore.stderr.slice(-4000)}`);
    assert.match(restore.stderr, /retention\.ms: backup -1, target 9000000000000/, 'the restore log warns about the differences');
    assert.deepEqual(await describeConfigs(b, target), existing, 'an existing topic keeps its configs');
    assertSameRecords(sourceRecords, await dumpWithChecker(b, target));
  });

  test('validate-restore asks the target whether it would create the topic: an unknown config is a problem, nothing is created', async () => {
    const target = `${source}-invalid`;
    const cfg = restoreConfig('invalid.yaml', target, { config_overrides: { 'no.such.config': '1' } });
    const r = await runCli(['validate-restore', '-c', cfg, '--json']);
    assert.equal(r.code, EXIT.problems, `validate-restore exited ${r.code}\n${r.stderr.slice(-2000)}`);
    // The report is the first line; the error object (VALIDATION_FAILED) follows it.
    const report = JSON.parse(r.stdout.split('\n')[0]!) as { ok: boolean; problems: string[] };
    assert.equal(report.ok, false);
    assert.ok(
      report.problems.some((p) => p.startsWith(`target topic ${target} cannot be created`) && p.includes('INVALID_CONFIG')),
      report.problems.join('\n'),
    );
    const listed = await kafkaTool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', b, '--list']);
    assert.ok(!listed.stdout.toString().split('\n').includes(target), 'the dry run created nothing');
  });

  test('without the captured configs the target would refuse the 2099 record: the configs are what makes the restore work', async () => {
    const target = `${source}-defaults`;
    const restore = await runCli(['restore', '-c', restoreConfig('defaults.yaml', target, { topic_configs: false })]);
    // The broker defaults (message.timestamp.after.max.ms 1 hour) are read before anything is
    // created or written (docs/restore-targets.md): the restore refuses to start.
    assert.equal(restore.code, EXIT.conflict, restore.stderr.slice(-2000));
    assert.match(restore.stderr, /refuses records newer than message\.timestamp\.after\.max\.ms=3600000 .*2099-12-31T23:59:59\.999Z/, restore.stderr.slice(-2000));
    const listed = await kafkaTool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', b, '--list']);
    assert.ok(!listed.stdout.toString().split('\n').includes(target), 'nothing was created');
  });
});
