// Our table of Kafka's protocol error codes (src/kafka/protocol-errors.ts): the names and
// retriability of well-known codes as Kafka defines them, and what brokerError makes of them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brokerError, protocolError } from '../../src/kafka/protocol-errors.js';

describe('protocolError', () => {
  test('well-known codes: Kafka name and retriability', () => {
    const known: [number, string, boolean][] = [
      [-1, 'UNKNOWN_SERVER_ERROR', false],
      [1, 'OFFSET_OUT_OF_RANGE', false],
      [3, 'UNKNOWN_TOPIC_OR_PARTITION', true],
      [6, 'NOT_LEADER_OR_FOLLOWER', true],
      [7, 'REQUEST_TIMED_OUT', true],
      [10, 'MESSAGE_TOO_LARGE', false],
      [14, 'COORDINATOR_LOAD_IN_PROGRESS', true],
      [15, 'COORDINATOR_NOT_AVAILABLE', true],
      [16, 'NOT_COORDINATOR', true],
      [19, 'NOT_ENOUGH_REPLICAS', true],
      [29, 'TOPIC_AUTHORIZATION_FAILED', false],
      [30, 'GROUP_AUTHORIZATION_FAILED', false],
      [31, 'CLUSTER_AUTHORIZATION_FAILED', false],
      [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false],
      [46, 'DUPLICATE_SEQUENCE_NUMBER', false],
      [58, 'SASL_AUTHENTICATION_FAILED', false],
      [88, 'UNSTABLE_OFFSET_COMMIT', true],
    ];
    assert.deepEqual(
      known.map(([code]) => [code, protocolError(code).name, protocolError(code).retriable]),
      known,
    );
    assert.match(protocolError(1).message, /offset is not within the range/);
  });

  test('a code the table lacks is ERROR_<code>, not retriable', () => {
    assert.deepEqual(protocolError(9999), { code: 9999, name: 'ERROR_9999', retriable: false, message: 'Kafka error code 9999' });
  });

  test('every code appears once and every name once', async () => {
    const codes = Array.from({ length: 200 }, (_, i) => i - 1).filter((c) => !protocolError(c).name.startsWith('ERROR_'));
    assert.ok(codes.length >= 89, `${codes.length} codes`);
    const names = codes.map((c) => protocolError(c).name);
    assert.equal(new Set(names).size, names.length);
  });
});

describe('brokerError', () => {
  test('authorization and SASL failures are KAFKA_AUTH; others KAFKA_PROTOCOL with Kafka retriability and name', () => {
    const denied = brokerError(29, 'producing to orders/0');
    assert.deepEqual([denied.code, denied.retryable, denied.details.kafkaError], ['KAFKA_AUTH', false, 'TOPIC_AUTHORIZATION_FAILED']);
    assert.match(denied.message, /^producing to orders\/0: TOPIC_AUTHORIZATION_FAILED: /);
    assert.equal(brokerError(58, 'c').code, 'KAFKA_AUTH');
    const moved = brokerError(6, 'fetching orders/0 at offset 5');
    assert.deepEqual([moved.code, moved.retryable, moved.details.kafkaError], ['KAFKA_PROTOCOL', true, 'NOT_LEADER_OR_FOLLOWER']);
    assert.equal(brokerError(1, 'f').retryable, false);
  });
});
