import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestKey, describeValue, formatPath } from '../../src/config/issues.js';

test('formatPath uses dots, [index] and quoted keys that are not identifiers', () => {
  assert.equal(formatPath([]), '(root)');
  assert.equal(formatPath(['backup', 'segment_max_bytes']), 'backup.segment_max_bytes');
  assert.equal(formatPath(['source', 'bootstrap_servers', 2]), 'source.bootstrap_servers[2]');
  assert.equal(formatPath(['source', 'kafka_config', 'fetch.max.bytes']), 'source.kafka_config["fetch.max.bytes"]');
});

test('closestKey suggests plausible typos only', () => {
  const known = ['segment_max_bytes', 'segment_max_interval_ms', 'compression', 'compression_level'];
  assert.equal(closestKey('segment_max_byte', known), 'segment_max_bytes');
  assert.equal(closestKey('compresion', known), 'compression');
  assert.equal(closestKey('Compression_Levl', known), 'compression_level');
  assert.equal(closestKey('zzz', known), undefined);
  assert.equal(closestKey('x', []), undefined);
});

test('describeValue names what the user wrote', () => {
  assert.equal(describeValue(null), 'null (an empty value)');
  assert.equal(describeValue([1]), 'a list');
  assert.equal(describeValue({}), 'a mapping');
  assert.equal(describeValue('x'), '"x"');
  assert.equal(describeValue(3), '3');
});
