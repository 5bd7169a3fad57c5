// Produce v7 (acks=all) as a Kafka leader validates and appends it (KafkaApis.handleProduceRequest,
// LogValidator, UnifiedLog.analyzeAndValidateRecords / analyzeAndValidateProducerState). A request
// holding a transactional batch needs a transactional id, which the seam never sends: every
// partition answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED. Then per partition:
// UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS (min.insync.replicas
// above the in-sync replicas), then the batch: exactly one v2 batch (INVALID_RECORD), a valid
// CRC (CORRUPT_MESSAGE), at most max.message.bytes (MESSAGE_TOO_LARGE), no control batch, offsets
// without gaps, a sequence when there is a producer id (INVALID_RECORD), no LogAppendTime from a
// client and record times within the topic's bounds (INVALID_TIMESTAMP), keys on a compacted
// topic (INVALID_RECORD); then
// the idempotent producer's sequence (producer-state.ts). The broker sets the base offset and
// leader epoch, and on a LogAppendTime topic the batch's time.
import { attributeBits, batchLayout, readBatchHeader, verifyBatchCrc, walkBatches, writeBatchCrc, type BatchHeader } from '../../../src/records/batch.js';
import { kafkaCodecs } from '../../../src/records/codecs.js';
import { writeSafeInt64 } from '../../../src/records/int64.js';
import { decodeRecords } from '../../../src/records/record.js';
import type { ProducePartitionResponse, ProduceRequest, ProduceResponse } from '../../../src/kafka/transport.js';
import type { MemoryKafka, MemoryPartition, MemoryTopic } from './cluster.js';
import { type KafkaErrorName, errorCode } from './errors.js';
import { type RequestFaults, tpKey } from './faults.js';
import { effectiveConfig } from './topic-configs.js';

const fail = (partition: number, name: KafkaErrorName | number): ProducePartitionResponse => ({
  partition,
  errorCode: typeof name === 'number' ? name : errorCode(name),
  baseOffset: -1,
});

async function batchProblem(topic: MemoryTopic, part: MemoryPartition, kafka: MemoryKafka, batch: Buffer): Promise<KafkaErrorName | BatchHeader> {
  const config = (name: string) => effectiveConfig(name, topic.configs, kafka.brokerDefaults);
  if (Number(config('min.insync.replicas')) > part.isr.length) return 'NOT_ENOUGH_REPLICAS';
  let batches;
  try {
    batches = walkBatches(batch);
  } catch {
    return 'CORRUPT_MESSAGE';
  }
  if (batches.consumed !== batch.length || batches.batches.length !== 1) return 'INVALID_RECORD';
  if (!verifyBatchCrc(batch)) return 'CORRUPT_MESSAGE';
  if (batch.length > Number(config('max.message.bytes'))) return 'MESSAGE_TOO_LARGE';
  const h = batches.batches[0]!.header;
  if (h.isControl || h.recordCount < 1 || h.recordCount !== h.lastOffsetDelta + 1) return 'INVALID_RECORD';
  if (h.producerId >= 0 && h.baseSequence < 0) return 'INVALID_RECORD';
  if (h.timestampType === 'log-append') return 'INVALID_TIMESTAMP';
  const section = await kafkaCodecs.decompressRecords(h.codec, batch.subarray(batchLayout.records));
  const records = decodeRecords(section, h.recordCount);
  if (config('cleanup.policy').split(',').includes('compact') && records.some((r) => r.key === null)) return 'INVALID_RECORD';
  if (config('message.timestamp.type') === 'CreateTime') {
    const now = Date.now();
    const before = Number(config('message.timestamp.before.max.ms'));
    const after = Number(config('message.timestamp.after.max.ms'));
    const late = records.some((r) => {
      const t = h.baseTimestamp + r.timestampDelta;
      return t < now - before || t > now + after;
    });
    if (late) return 'INVALID_TIMESTAMP';
  }
  return h;
}

async function producePartition(
  kafka: MemoryKafka,
  nodeId: number,
  topicName: string,
  partition: number,
  batch: Buffer,
  faults: RequestFaults,
): Promise<ProducePartitionResponse> {
  const injected = faults.partitionErrors.get(tpKey(topicName, partition));
  if (injected !== undefined) return fail(partition, injected);
  const topic = kafka.topics.get(topicName);
  const part = topic?.partitions[partition];
  if (topic === undefined || part === undefined) return fail(partition, 'UNKNOWN_TOPIC_OR_PARTITION');
  if (part.leader !== nodeId) return fail(partition, 'NOT_LEADER_OR_FOLLOWER');
  const checked = await batchProblem(topic, part, kafka, batch);
  if (typeof checked === 'string') return fail(partition, checked);
  const log = part.log;
  if (checked.producerId >= 0) {
    const seq = log.producers.check(checked);
    if (seq.kind === 'error') return fail(partition, seq.errorCode);
    if (seq.kind === 'duplicate') return { partition, errorCode: 0, baseOffset: seq.baseOffset };
  }
  let bytes = batch;
  if (effectiveConfig('message.timestamp.type', topic.configs, kafka.brokerDefaults) === 'LogAppendTime') {
    bytes = Buffer.from(batch);
    bytes.writeInt16BE(bytes.readInt16BE(batchLayout.attributes) | attributeBits.logAppendTime, batchLayout.attributes);
    writeSafeInt64(bytes, batchLayout.maxTimestamp, Date.now(), 'maxTimestamp');
    writeBatchCrc(bytes);
  }
  const baseOffset = log.append(bytes);
  if (checked.producerId >= 0) log.producers.appended(readBatchHeader(bytes, 0), baseOffset);
  return { partition, errorCode: 0, baseOffset };
}

const isTransactional = (batch: Buffer) =>
  batch.length > batchLayout.attributes + 1 && (batch.readInt16BE(batchLayout.attributes) & attributeBits.transactional) !== 0;

export async function handleProduce(kafka: MemoryKafka, nodeId: number, req: ProduceRequest, faults: RequestFaults): Promise<ProduceResponse> {
  if (req.topics.some((t) => t.partitions.some((p) => isTransactional(p.batch)))) {
    return {
      topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => fail(p.partition, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED')) })),
    };
  }
  const topics = [];
  for (const t of req.topics) {
    const partitions = [];
    // One partition at a time, in request order: appends to a log never interleave.
    for (const p of t.partitions) partitions.push(await producePartition(kafka, nodeId, t.topic, p.partition, p.batch, faults));
    topics.push({ topic: t.topic, partitions });
  }
  return { topics };
}
