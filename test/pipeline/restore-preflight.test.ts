// preflight's topic decisions: what created topics get (partitions, replication factor, configs)
// and which differences of existing topics it reports, against an in-memory fake of the sink seam.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { KafkaBackupError } from '../../src/errors.js';
import type { BackupDescriptor, DescriptorTopic } from '../../src/format/descriptor.js';
import type { KafkaSink } from '../../src/kafka/sink.js';
import type { TopicAdmin } from '../../src/kafka/topic-configs.js';
import { configSource, type ConfigEntry } from '../../src/kafka/transport.js';
import type { RestorePlan } from '../../src/pipeline/restore-plan.js';
import { preflight } from '../../src/pipeline/restore-preflight.js';
import { MemoryBackend } from '../storage/memory-backend.js';

interface FakeTarget {
  brokers: number;
  /** Existing topics: partition count and every config entry. */
  topics: Record<string, { partitions: number; configs: Record<string, string> }>;
  describeError?: KafkaBackupError;
  /** Topics the target would refuse to create: name → reason. */
  refuse?: Record<string, string>;
}

function sinkFor(target: FakeTarget, withAdmin = true): KafkaSink & { described: string[][]; validated: string[][] } {
  const described: string[][] = [];
  const validated: string[][] = [];
  const unused = () => Promise.reject(new Error('not used'));
  const admin: TopicAdmin = {
    brokerCount: () => Promise.resolve(target.brokers),
    async validateNewTopics(topics) {
      validated.push(topics.map((t) => t.name));
      return new Map(topics.filter((t) => target.refuse?.[t.name]).map((t) => [t.name, target.refuse![t.name]!]));
    },
    async describeTopics(names) {
      described.push(names);
      if (target.describeError) throw target.describeError;
      return names.map((name) => {
        const t = target.topics[name];
        assert.ok(t, `describeTopics asked for ${name}, which does not exist`);
        const configs: ConfigEntry[] = Object.entries(t.configs).map(([n, value]) => ({ name: n, value, source: configSource.topic, readOnly: false, sensitive: false }));
        return { name, partitions: t.partitions, replicationFactor: 1, configs };
      });
    },
  };
  return {
    described,
    validated,
    clusterId: () => Promise.resolve('TargetCluster'),
    topics: () => Promise.resolve(Object.entries(target.topics).map(([name, t]) => ({ name, partitions: t.partitions, internal: false }))),
    createTopics: unused,
    offsets: unused,
    initProducer: unused,
    produce: unused,
    close: unused,
    ...(withAdmin ? { topicAdmin: admin } : {}),
  };
}

function planOf(topics: (DescriptorTopic & { target?: string })[]): RestorePlan {
  const descriptor = {
    topics: topics.map(({ target: _t, ...d }) => d),
  } as BackupDescriptor; // preflight reads only the descriptor's topics
  return {
    descriptor,
    topics: topics.map((t) => ({ sourceTopic: t.name, targetTopic: t.target ?? t.name, partitions: t.partitions })),
    partitions: [],
  };
}

function configWith(restore: Record<string, unknown> = {}) {
  const text = JSON.stringify({ backup_id: 'b', target: { bootstrap_servers: ['k:9092'] }, storage: { backend: 'filesystem', path: '/tmp/x' }, restore });
  return parseConfig(text, 'test.yaml');
}

const orders: DescriptorTopic = {
  name: 'orders',
  partitions: 3,
  replication_factor: 3,
  configs: { 'cleanup.policy': 'compact,delete', 'min.insync.replicas': '2', 'retention.ms': '-1' },
};

describe('preflight: topics to create', () => {
  test('a missing topic is created with the captured partitions, replication factor and configs plus overrides', async () => {
    const sink = sinkFor({ brokers: 3, topics: {} });
    const check = await preflight(
      configWith({ config_overrides: { 'retention.ms': 604800000, 'segment.ms': '3600000', 'cleanup.policy': null } }),
      planOf([orders]),
      sink,
      new MemoryBackend(),
    );
    assert.deepEqual(check.problems, []);
    assert.deepEqual(check.createTopics, [
      { name: 'orders', partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2', 'retention.ms': '604800000', 'segment.ms': '3600000' } },
    ]);
    assert.deepEqual(check.warnings, []);
    assert.deepEqual(sink.described, [], 'nothing to compare');
  });

  test('topics the target would refuse to create are problems; topics with a problem already are not asked about', async () => {
    const sink = sinkFor({ brokers: 1, topics: {}, refuse: { orders: 'INVALID_CONFIG: Configuration is invalid' } });
    const plan = planOf([
      { ...orders, configs: { 'no.such.config': '1' }, replication_factor: 1 },
      { ...orders, name: 'big', replication_factor: 1 },
      { name: 'fine', partitions: 1, replication_factor: 1, configs: {} },
    ]);
    const check = await preflight(configWith(), plan, sink, new MemoryBackend());
    assert.deepEqual(sink.validated, [['orders', 'fine']], 'big already fails on min.insync.replicas');
    assert.equal(check.problems.length, 2);
    assert.match(check.problems[0]!, /^target topic big: min\.insync\.replicas 2 exceeds replication factor 1/);
    assert.match(check.problems[1]!, /^target topic orders cannot be created as the backup describes it: INVALID_CONFIG: Configuration is invalid \(restore\.config_overrides/);
  });

  test('a smaller target: the replication factor is lowered with a warning, and min.insync.replicas above it is a problem', async () => {
    const check = await preflight(configWith(), planOf([orders]), sinkFor({ brokers: 1, topics: {} }), new MemoryBackend());
    assert.equal(check.createTopics[0]!.replicationFactor, 1);
    assert.deepEqual(check.warnings.map((w) => [w.topic, w.kind]), [['orders', 'note']]);
    assert.match(check.warnings[0]!.message, /replication factor 3 of the backup lowered to 1/);
    assert.equal(check.problems.length, 1);
    assert.match(check.problems[0]!, /^target topic orders: min\.insync\.replicas 2 exceeds replication factor 1/);

    const fixed = await preflight(configWith({ config_overrides: { 'min.insync.replicas': '1' } }), planOf([orders]), sinkFor({ brokers: 1, topics: {} }), new MemoryBackend());
    assert.deepEqual(fixed.problems, []);
    assert.equal(fixed.createTopics[0]!.configs!['min.insync.replicas'], '1');
  });

  test('restore.replication_factor wins over the capture, and above the broker count is a problem', async () => {
    const ok = await preflight(configWith({ replication_factor: 2 }), planOf([orders]), sinkFor({ brokers: 3, topics: {} }), new MemoryBackend());
    assert.equal(ok.createTopics[0]!.replicationFactor, 2);
    const over = await preflight(
      configWith({ replication_factor: 2, config_overrides: { 'min.insync.replicas': '1' } }),
      planOf([orders]),
      sinkFor({ brokers: 1, topics: {} }),
      new MemoryBackend(),
    );
    assert.deepEqual(over.problems, ["target topic orders: restore.replication_factor 2 exceeds the target's 1 broker"]);
  });

  test('topic_configs false: broker defaults, only the overrides', async () => {
    const check = await preflight(configWith({ topic_configs: false, config_overrides: { 'retention.ms': '-1' } }), planOf([orders]), sinkFor({ brokers: 3, topics: {} }), new MemoryBackend());
    assert.deepEqual(check.createTopics, [{ name: 'orders', partitions: 3, configs: { 'retention.ms': '-1' } }]);
    const none = await preflight(configWith({ topic_configs: false }), planOf([orders]), sinkFor({ brokers: 3, topics: {} }), new MemoryBackend());
    assert.deepEqual(none.createTopics, [{ name: 'orders', partitions: 3 }]);
  });

  test('a backup from before topic configs were captured: the broker defaults', async () => {
    const check = await preflight(configWith(), planOf([{ name: 'orders', partitions: 2 }]), sinkFor({ brokers: 3, topics: {} }), new MemoryBackend());
    assert.deepEqual(check.createTopics, [{ name: 'orders', partitions: 2 }]);
    assert.deepEqual(check.problems, []);
  });

  test('a captured LogAppendTime is not given to the created topic, with a warning', async () => {
    const lat: DescriptorTopic = { name: 'clicks', partitions: 1, replication_factor: 1, configs: { 'message.timestamp.type': 'LogAppendTime', 'retention.ms': '-1' } };
    const check = await preflight(configWith(), planOf([lat]), sinkFor({ brokers: 1, topics: {} }), new MemoryBackend());
    assert.deepEqual(check.createTopics[0]!.configs, { 'retention.ms': '-1' });
    assert.match(check.warnings[0]!.message, /without message\.timestamp\.type=LogAppendTime/);
  });

  test('a sink without a topic admin: captured factor and configs as they are, no comparison', async () => {
    const sink = sinkFor({ brokers: 1, topics: { existing: { partitions: 3, configs: {} } } }, false);
    const check = await preflight(configWith({ topic_mapping: { old: 'existing' } }), planOf([orders, { ...orders, name: 'old', target: 'existing' }]), sink, new MemoryBackend());
    assert.deepEqual(check.createTopics.map((t) => [t.name, t.replicationFactor]), [['orders', 3]]);
    assert.deepEqual(check.configDifferences, []);
  });
});

describe('preflight: existing topics', () => {
  test('differences for the captured keys (after overrides) are reported as warnings, not problems', async () => {
    const sink = sinkFor({
      brokers: 1,
      topics: {
        'orders-restored': { partitions: 3, configs: { 'cleanup.policy': 'compact,delete', 'min.insync.replicas': '1', 'retention.ms': '604800000', 'segment.ms': '1' } },
        'same': { partitions: 3, configs: { 'cleanup.policy': 'compact,delete', 'min.insync.replicas': '1', 'retention.ms': '-1' } },
      },
    });
    const plan = planOf([
      { ...orders, target: 'orders-restored' },
      { ...orders, name: 'other', target: 'same' },
    ]);
    const check = await preflight(configWith({ config_overrides: { 'min.insync.replicas': '1' } }), plan, sink, new MemoryBackend());
    assert.deepEqual(check.problems, []);
    assert.deepEqual(check.createTopics, []);
    assert.deepEqual(sink.described, [['orders-restored', 'same']], 'one describe for all existing topics');
    assert.deepEqual(check.configDifferences, [
      { sourceTopic: 'orders', targetTopic: 'orders-restored', differences: [{ key: 'retention.ms', backup: '-1', target: '604800000' }] },
    ]);
    assert.deepEqual(check.warnings.map((w) => [w.topic, w.kind]), [['orders-restored', 'config_differences']]);
    assert.match(check.warnings[0]!.message, /retention\.ms: backup -1, target 604800000/);
  });

  test('no DescribeConfigs permission on the target: a warning per topic, the restore may go on', async () => {
    const sink = sinkFor({ brokers: 1, topics: { orders: { partitions: 3, configs: {} } }, describeError: new KafkaBackupError('KAFKA_AUTH', 'denied') });
    const check = await preflight(configWith(), planOf([orders]), sink, new MemoryBackend());
    assert.deepEqual(check.problems, []);
    assert.deepEqual(check.configDifferences, []);
    assert.match(check.warnings[0]!.message, /cannot compare the configs of orders with the backup: denied/);
  });

  test('fewer target partitions is still a problem', async () => {
    const check = await preflight(configWith(), planOf([orders]), sinkFor({ brokers: 1, topics: { orders: { partitions: 2, configs: {} } } }), new MemoryBackend());
    assert.match(check.problems[0]!, /has 2 partitions, fewer than the 3/);
  });
});
