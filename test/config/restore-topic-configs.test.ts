// The restore keys for topic configs: topic_configs and config_overrides.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { base, parse, problems } from './helpers.js';

describe('restore.config_overrides', () => {
  test('values are strings; YAML numbers and booleans are converted, null is kept (drops a captured key)', () => {
    const config = parse(
      `${base}restore:\n  topic_configs: false\n  config_overrides:\n    retention.ms: 604800000\n    min.insync.replicas: "1"\n` +
        `    min.cleanable.dirty.ratio: 0.25\n    unclean.leader.election.enable: false\n    cleanup.policy: null\n` +
        `    message.timestamp.after.max.ms: "9223372036854775807"\n`,
    );
    assert.equal(config.restore.topic_configs, false);
    assert.deepEqual(config.restore.config_overrides, {
      'retention.ms': '604800000',
      'min.insync.replicas': '1',
      'min.cleanable.dirty.ratio': '0.25',
      'unclean.leader.election.enable': 'false',
      'cleanup.policy': null,
      'message.timestamp.after.max.ms': '9223372036854775807',
    });
  });

  test('an unquoted integer beyond 2^53 is refused (YAML already rounded it); so are bad keys and values', () => {
    const found = problems(
      `${base}restore:\n  config_overrides:\n    message.timestamp.after.max.ms: 9223372036854775807\n    Retention_MS: "1"\n    segment.ms: [1]\n`,
    );
    assert.equal(found.length, 3, found.join('\n'));
    assert.ok(found.some((p) => /message\.timestamp\.after\.max\.ms.*rounded when read.*write it as a string/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /"Retention_MS" is not a Kafka config name/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /segment\.ms.*expected a config value/.test(p)), found.join('\n'));
  });
});
