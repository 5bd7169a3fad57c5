import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  capturedConfigs,
  chooseReplicationFactor,
  configDifferences,
  desiredConfigs,
  minInsyncProblem,
} from '../../src/kafka/topic-configs.js';
import { configSource, type ConfigEntry } from '../../src/kafka/transport.js';

function entry(name: string, value: string | null, source: number, extra: Partial<ConfigEntry> = {}): ConfigEntry {
  return { name, value, source, readOnly: false, sensitive: false, ...extra };
}

describe('capturedConfigs', () => {
  test('keeps only configs set on the topic itself, sorted by key', () => {
    const got = capturedConfigs([
      entry('retention.ms', '-1', configSource.topic),
      entry('segment.bytes', '1073741824', configSource.default),
      entry('compression.type', 'producer', configSource.staticBroker),
      entry('min.insync.replicas', '2', configSource.dynamicDefaultBroker),
      entry('log.retention.hours', '168', configSource.dynamicBroker),
      entry('cleanup.policy', 'compact,delete', configSource.topic),
      entry('max.message.bytes', '2000000', configSource.topic),
    ]);
    assert.deepEqual(got, { 'cleanup.policy': 'compact,delete', 'max.message.bytes': '2000000', 'retention.ms': '-1' });
    assert.deepEqual(Object.keys(got), ['cleanup.policy', 'max.message.bytes', 'retention.ms'], 'sorted, so equal captures are equal bytes');
  });

  test('skips read-only, sensitive, valueless and cluster-specific entries', () => {
    const got = capturedConfigs([
      entry('a.read.only', 'x', configSource.topic, { readOnly: true }),
      entry('a.secret', 'hunter2', configSource.topic, { sensitive: true }),
      entry('a.null', null, configSource.topic),
      entry('leader.replication.throttled.replicas', '0:1,1:2', configSource.topic),
      entry('follower.replication.throttled.replicas', '0:2', configSource.topic),
      entry('retention.bytes', '1000', configSource.topic),
    ]);
    assert.deepEqual(got, { 'retention.bytes': '1000' });
  });

  test('a topic without topic-level configs captures an empty record', () => {
    assert.deepEqual(capturedConfigs([entry('retention.ms', '604800000', configSource.default)]), {});
  });
});

describe('desiredConfigs', () => {
  const captured = { 'cleanup.policy': 'delete', 'min.insync.replicas': '2', 'retention.ms': '-1' };

  test('captured configs with overrides on top; null drops a key; result sorted', () => {
    const { configs, skipped } = desiredConfigs(captured, { 'retention.ms': '604800000', 'min.insync.replicas': null, 'segment.ms': '3600000' }, true);
    assert.deepEqual(configs, { 'cleanup.policy': 'delete', 'retention.ms': '604800000', 'segment.ms': '3600000' });
    assert.deepEqual(Object.keys(configs), ['cleanup.policy', 'retention.ms', 'segment.ms']);
    assert.deepEqual(skipped, []);
  });

  test('without captured use only the overrides apply', () => {
    assert.deepEqual(desiredConfigs(captured, { 'retention.ms': '1000', 'cleanup.policy': null }, false).configs, { 'retention.ms': '1000' });
    assert.deepEqual(desiredConfigs(captured, {}, false).configs, {});
  });

  test('a backup without a capture gives the overrides only', () => {
    assert.deepEqual(desiredConfigs(undefined, { 'retention.ms': '-1' }, true).configs, { 'retention.ms': '-1' });
  });

  test('a captured LogAppendTime is skipped with a reason; CreateTime is kept; an override applies as written', () => {
    const lat = desiredConfigs({ 'message.timestamp.type': 'LogAppendTime', 'retention.ms': '-1' }, {}, true);
    assert.deepEqual(lat.configs, { 'retention.ms': '-1' });
    assert.equal(lat.skipped.length, 1);
    assert.equal(lat.skipped[0]!.key, 'message.timestamp.type');
    assert.match(lat.skipped[0]!.reason, /CreateTime/);
    assert.deepEqual(desiredConfigs({ 'message.timestamp.type': 'CreateTime' }, {}, true).configs, { 'message.timestamp.type': 'CreateTime' });
    const forced = desiredConfigs({ 'message.timestamp.type': 'LogAppendTime' }, { 'message.timestamp.type': 'LogAppendTime' }, true);
    assert.deepEqual(forced.configs, { 'message.timestamp.type': 'LogAppendTime' });
  });

  test('does not modify the captured record', () => {
    const before = { ...captured };
    desiredConfigs(captured, { 'retention.ms': null }, true);
    assert.deepEqual(captured, before);
  });
});

describe('chooseReplicationFactor', () => {
  test('the configured factor wins, and is a problem above the broker count', () => {
    assert.deepEqual(chooseReplicationFactor({ configured: 2, captured: 3, brokers: 5 }), { replicationFactor: 2 });
    const over = chooseReplicationFactor({ configured: 3, captured: 1, brokers: 1 });
    assert.equal(over.replicationFactor, 3);
    assert.match(over.problem ?? '', /restore\.replication_factor 3 exceeds the target's 1 broker$/);
  });

  test('the captured factor is used, lowered to the broker count with a note', () => {
    assert.deepEqual(chooseReplicationFactor({ captured: 3, brokers: 3 }), { replicationFactor: 3 });
    const lowered = chooseReplicationFactor({ captured: 3, brokers: 1 });
    assert.equal(lowered.replicationFactor, 1);
    assert.match(lowered.note ?? '', /replication factor 3 of the backup lowered to 1/);
    assert.equal(lowered.problem, undefined);
    assert.deepEqual(chooseReplicationFactor({ captured: 3 }), { replicationFactor: 3 }, 'unknown broker count: as captured');
  });

  test('neither configured nor captured: the broker default', () => {
    assert.deepEqual(chooseReplicationFactor({ brokers: 3 }), { replicationFactor: undefined });
  });
});

describe('minInsyncProblem', () => {
  test('min.insync.replicas above the replication factor is a problem naming the override', () => {
    assert.match(minInsyncProblem({ 'min.insync.replicas': '2' }, 1) ?? '', /min\.insync\.replicas 2 exceeds replication factor 1.*config_overrides/);
  });

  test('equal or lower, absent, or an unknown factor is fine', () => {
    assert.equal(minInsyncProblem({ 'min.insync.replicas': '2' }, 2), undefined);
    assert.equal(minInsyncProblem({}, 1), undefined);
    assert.equal(minInsyncProblem({ 'min.insync.replicas': '3' }, undefined), undefined);
  });
});

describe('configDifferences', () => {
  test('lists keys whose target value differs, and keys the target does not know', () => {
    const target = [
      entry('retention.ms', '604800000', configSource.default),
      entry('cleanup.policy', 'compact,delete', configSource.topic),
      entry('max.message.bytes', '1048588', configSource.default),
      entry('segment.bytes', '1', configSource.topic),
    ];
    const desired = { 'cleanup.policy': 'compact,delete', 'confluent.only': 'x', 'max.message.bytes': '2000000', 'retention.ms': '-1' };
    assert.deepEqual(configDifferences(desired, target), [
      { key: 'confluent.only', backup: 'x', target: null },
      { key: 'max.message.bytes', backup: '2000000', target: '1048588' },
      { key: 'retention.ms', backup: '-1', target: '604800000' },
    ]);
  });

  test('equal values, whatever their source on the target, are no difference', () => {
    assert.deepEqual(configDifferences({ 'retention.ms': '604800000' }, [entry('retention.ms', '604800000', configSource.default)]), []);
  });
});
