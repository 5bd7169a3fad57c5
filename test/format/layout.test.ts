import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import {
  backupPrefix,
  descriptorKey,
  manifestKey,
  parseManifestKey,
  parseSegmentKey,
  partitionPrefix,
  restoreStateKey,
  segmentKey,
  topicsPrefix,
} from '../../src/format/layout.js';

const code = (c: string) => (err: unknown) => isKafkaBackupError(err) && err.code === c;

describe('layout keys', () => {
  test('builders follow docs/format.md', () => {
    assert.equal(backupPrefix('nightly'), 'nightly/');
    assert.equal(descriptorKey('nightly'), 'nightly/backup.json');
    assert.equal(topicsPrefix('nightly'), 'nightly/topics/');
    assert.equal(partitionPrefix('nightly', 'orders', 3), 'nightly/topics/orders/3/');
    assert.equal(manifestKey('nightly', 'orders', 0), 'nightly/topics/orders/0/manifest.json');
    assert.equal(segmentKey('nightly', 'orders', 0, 0), 'nightly/topics/orders/0/segments/00000000000000000000.kbs');
    assert.equal(segmentKey('n', 'o.x_y-z', 12, 1500), 'n/topics/o.x_y-z/12/segments/00000000000000001500.kbs');
    assert.equal(segmentKey('n', 't', 0, 2 ** 53 - 1), 'n/topics/t/0/segments/00009007199254740991.kbs');
    assert.equal(restoreStateKey('nightly', 'Zx-_9A', 'orders-restored', 2), 'nightly/restores/Zx-_9A/orders-restored/2.json');
  });

  test('segment keys sort in offset order', () => {
    const keys = [0, 9, 10, 99, 100, 123456789].map((o) => segmentKey('b', 't', 0, o));
    assert.deepEqual([...keys].sort(), keys);
  });

  test('invalid backup ids, partitions and offsets are bugs (INTERNAL)', () => {
    for (const id of ['', '.hidden', '-x', 'a/b', 'a b', '..', 'x'.repeat(256)]) {
      assert.throws(() => descriptorKey(id), code('INTERNAL'), id);
    }
    for (const p of [-1, 1.5, 2 ** 31, NaN]) assert.throws(() => manifestKey('b', 't', p), code('INTERNAL'), String(p));
    for (const o of [-1, 0.5, 2 ** 53]) assert.throws(() => segmentKey('b', 't', 0, o), code('INTERNAL'), String(o));
  });

  test('topic names and cluster ids that cannot be stored are RECORD_FORMAT', () => {
    for (const t of ['', '.', '..', 'a/b', 'a b', 'ü', 't'.repeat(250)]) {
      assert.throws(() => manifestKey('b', t, 0), code('RECORD_FORMAT'), t);
    }
    assert.doesNotThrow(() => manifestKey('b', 't'.repeat(249), 0));
    for (const c of ['', '.', '..', 'a/b']) assert.throws(() => restoreStateKey('b', c, 't', 0), code('RECORD_FORMAT'), c);
  });

  test('parseManifestKey inverts manifestKey and rejects everything else', () => {
    assert.deepEqual(parseManifestKey(manifestKey('nightly', 'orders', 7)), { id: 'nightly', topic: 'orders', partition: 7 });
    for (const key of [
      'nightly/topics/orders/7/manifest.jsonx',
      'nightly/topics/orders/07/manifest.json',
      'nightly/topics/orders/-1/manifest.json',
      'nightly/topics/orders/99999999999/manifest.json',
      'nightly/topics/../7/manifest.json',
      'nightly/topics/orders/7/segments/manifest.json',
      'nightly/other/orders/7/manifest.json',
      'nightly/topics/orders/7/.manifest.json.tmp-0123456789abcdef',
      'nightly/backup.json',
    ]) {
      assert.equal(parseManifestKey(key), undefined, key);
    }
  });

  test('parseSegmentKey inverts segmentKey', () => {
    assert.deepEqual(parseSegmentKey(segmentKey('b', 't', 2, 1500)), { id: 'b', topic: 't', partition: 2, baseOffset: 1500 });
    assert.equal(parseSegmentKey('b/topics/t/2/segments/1500.kbs'), undefined);
    assert.equal(parseSegmentKey('b/topics/t/2/segments/00000000000000001500.tmp'), undefined);
    assert.equal(parseSegmentKey('b/topics/t/2/manifest.json'), undefined);
    assert.equal(parseSegmentKey('b/topics/t/2/segments/99999999999999999999.kbs'), undefined);
  });
});
