// The in-memory Kafka's own controls, which the real broker has no counterpart for (so they are
// not in the conformance suite): injected errors, broken connections, delays, paused brokers and
// the transport's metadata cache after a leader move.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKafkaBackupError } from '../../../src/errors.js';
import { LATEST_TIMESTAMP } from '../../../src/kafka/transport.js';
import { buildBatch } from '../../records/build.js';
import { MemoryKafka } from './cluster.js';
import { MemoryTransport, memorySettings } from './transport.js';

const produceReq = (batch: Buffer) => ({ acks: -1, timeoutMs: 1000, topics: [{ topic: 't', partitions: [{ partition: 0, batch }] }] });

function setup(brokers = 1, settings = {}) {
  const kafka = new MemoryKafka({ brokers });
  kafka.createTopic('t', 1);
  return { kafka, transport: new MemoryTransport(kafka, memorySettings(settings)) };
}

const unreachable = (err: unknown) => isKafkaBackupError(err, 'KAFKA_UNREACHABLE') && err.retryable;

describe('in-memory Kafka controls', () => {
  test('failNext with an error code: per partition for the data plane, thrown for the rest; `after` skips requests', async () => {
    const { kafka, transport } = setup();
    kafka.faults.failNext('listOffsets', 1, { errorCode: 6 }, { after: 1 });
    const leader = await transport.leader('t', 0);
    assert.equal((await leader.listOffset('t', 0, LATEST_TIMESTAMP)).errorCode, 0);
    assert.equal((await leader.listOffset('t', 0, LATEST_TIMESTAMP)).errorCode, 6);
    assert.equal((await leader.listOffset('t', 0, LATEST_TIMESTAMP)).errorCode, 0);
    kafka.faults.failNext('initProducerId', 1, { errorCode: 15 });
    await assert.rejects(leader.initProducerId(), (err: unknown) => isKafkaBackupError(err, 'KAFKA_PROTOCOL') && err.details.kafkaError === 'COORDINATOR_NOT_AVAILABLE' && err.retryable);
    assert.equal(kafka.faults.count('listOffsets'), 3);
  });

  test('disconnect: nothing is appended; lose-response: appended, the answer lost', async () => {
    const { kafka, transport } = setup();
    const leader = await transport.leader('t', 0);
    kafka.faults.failNext('produce', 1, 'disconnect');
    await assert.rejects(leader.produce(produceReq(buildBatch({ records: [{ timestamp: Date.now(), value: 'a' }] })), 1000), unreachable);
    assert.equal(kafka.log('t', 0).logEndOffset, 0);
    kafka.faults.failNext('produce', 1, 'lose-response');
    await assert.rejects(leader.produce(produceReq(buildBatch({ records: [{ timestamp: Date.now(), value: 'a' }] })), 1000), unreachable);
    assert.equal(kafka.log('t', 0).logEndOffset, 1);
  });

  test('a delay past the timeout and a paused broker time out; a resumed broker answers', async () => {
    const { kafka, transport } = setup(1, { requestTimeoutMs: 30 });
    const leader = await transport.leader('t', 0);
    kafka.faults.delay('listOffsets', 100, 1);
    await assert.rejects(leader.listOffset('t', 0, LATEST_TIMESTAMP), unreachable);
    kafka.pauseBroker(leader.nodeId);
    await assert.rejects(leader.listOffset('t', 0, LATEST_TIMESTAMP), unreachable);
    const waiting = leader.fetch({ maxWaitMs: 0, minBytes: 1, maxBytes: 1000, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }] }, 1000);
    setTimeout(() => kafka.resumeBroker(leader.nodeId), 20);
    assert.equal((await waiting).topics[0]!.partitions[0]!.errorCode, 0);
  });

  test('the transport caches metadata: after a leader move the old leader is answered until a refresh', async () => {
    const { kafka, transport } = setup(2);
    const before = await transport.leader('t', 0);
    const moved = kafka.moveLeader('t', 0);
    assert.equal((await transport.leader('t', 0)).nodeId, before.nodeId, 'cached');
    assert.equal((await before.listOffset('t', 0, LATEST_TIMESTAMP)).errorCode, 6);
    assert.equal((await transport.leader('t', 0, true)).nodeId, moved);
    const fresh = new MemoryTransport(kafka, memorySettings({ metadataMaxAgeMs: 0 }));
    await fresh.leader('t', 0);
    kafka.moveLeader('t', 0);
    assert.equal((await fresh.leader('t', 0)).nodeId, kafka.partition('t', 0).leader, 'metadata.max.age.ms 0: always fresh');
  });
});
