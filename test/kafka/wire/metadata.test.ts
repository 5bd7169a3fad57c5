// Metadata v8 and DescribeGroups v3 with authorized operations: requests compared with bytes
// written by hand from Kafka's MetadataRequest/DescribeGroupsRequest schemas, responses decoded
// from such bytes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeGroupsOperationsRequest, readDescribeGroupsOperationsResponse } from '../../../src/kafka/wire/describe-groups.js';
import { metadataOperationsRequest, readMetadataOperationsResponse } from '../../../src/kafka/wire/metadata.js';
import { array, bytes, cat, i16, i32, i8, str } from './bytes.js';

const NOT_PROVIDED = -2147483648;

describe('metadataOperationsRequest (Metadata v8)', () => {
  test('names the topics, never auto-creates, asks for cluster and topic operations', async () => {
    const r = metadataOperationsRequest(['orders', 'ü']);
    assert.deepEqual([r.apiKey, r.apiVersion], [3, 8]);
    assert.deepEqual(r.body, cat(array([str('orders'), str('ü')]), i8(0), i8(1), i8(1)));
  });
});

describe('readMetadataOperationsResponse (Metadata v8)', () => {
  const partition = (index: number) => cat(i16(0), i32(index), i32(1), i32(7), array([i32(1), i32(2)]), array([i32(1)]), array([]));

  test('decodes each topic’s error and operations and the cluster’s, skipping brokers and partitions', async () => {
    const payload = cat(
      i32(0), // throttle
      array([cat(i32(1), str('b1'), i32(9092), str(null)), cat(i32(2), str('b2'), i32(9093), str('rack-a'))]),
      str('cluster-id'),
      i32(1),
      array([
        cat(i16(0), str('orders'), i8(0), array([partition(0), partition(1)]), i32(0b1_0001_1000)),
        cat(i16(3), str('missing'), i8(0), array([]), i32(0b1_0011_1000)),
        cat(i16(29), str('secret'), i8(0), array([]), i32(NOT_PROVIDED)),
      ]),
      i32(0b1_0000_0010_0000),
    );
    assert.deepEqual(readMetadataOperationsResponse(payload), {
      clusterAuthorizedOperations: 0b1_0000_0010_0000,
      topics: [
        { name: 'orders', errorCode: 0, authorizedOperations: 0b1_0001_1000 },
        { name: 'missing', errorCode: 3, authorizedOperations: 0b1_0011_1000 },
        { name: 'secret', errorCode: 29, authorizedOperations: NOT_PROVIDED },
      ],
    });
  });

  test('a truncated response fails', async () => {
    const payload = cat(i32(0), array([]), str(null), i32(-1), array([cat(i16(0), str('t'), i8(0), array([]), i32(0))]), i32(0));
    assert.throws(() => readMetadataOperationsResponse(payload.subarray(0, payload.length - 2)), RangeError);
  });
});

describe('DescribeGroups v3', () => {
  test('the request lists the groups and asks for authorized operations', async () => {
    const r = describeGroupsOperationsRequest(['g1', 'g2']);
    assert.deepEqual([r.apiKey, r.apiVersion], [15, 3]);
    assert.deepEqual(r.body, cat(array([str('g1'), str('g2')]), i8(1)));
  });

  test('the response gives each group’s error and operations, skipping members', async () => {
    const member = cat(str('m-1'), str('client'), str('/10.0.0.1'), bytes(Buffer.from([1, 2, 3])), bytes(null));
    const payload = cat(
      i32(0),
      array([
        cat(i16(0), str('g1'), str('Stable'), str('consumer'), str('range'), array([member, member]), i32(0b1_0100_1000)),
        cat(i16(30), str('g2'), str(''), str(''), str(''), array([]), i32(NOT_PROVIDED)),
      ]),
    );
    assert.deepEqual(readDescribeGroupsOperationsResponse(payload), {
      groups: [
        { groupId: 'g1', errorCode: 0, authorizedOperations: 0b1_0100_1000 },
        { groupId: 'g2', errorCode: 30, authorizedOperations: NOT_PROVIDED },
      ],
    });
  });
});
