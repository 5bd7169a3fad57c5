// The Kafka transport conformance suite (test/conformance/kafka-transport.ts) against the real
// broker, through the kafkajs transport (src/kafka/connect.ts). What a transport cannot arrange
// alone is done with independent tools: transactions with the librdkafka checker (kcheck.py),
// deleted records with Kafka's DeleteRecordsCommand, an active group member with kcheck
// group-hold. The shared broker has one node, so the scenarios that need a second broker (a
// leader move, a broker that is not the coordinator) are skipped here; the in-memory Kafka runs them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { connectKafka } from '../../src/kafka/connect.js';
import type { KafkaSettings } from '../../src/kafka/settings.js';
import { defineKafkaTransportSuite, type TxnStep } from '../conformance/kafka-transport.js';
import { produceWithChecker, type CheckerLine } from './helpers/checker.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { holdGroup } from './helpers/groups.js';
import { kafkaTool } from './helpers/kafka-tools.js';

function checkerLines(partition: number, steps: TxnStep[]): CheckerLine[] {
  return steps.map((s) => (typeof s === 'string' ? { txn: s } : { partition, key: null, value: Buffer.from(s.value) }));
}

function settings(b: string): KafkaSettings {
  return {
    bootstrapServers: [b],
    clientId: 'kafka-backup-conformance',
    connectionTimeoutMs: 5000,
    requestTimeoutMs: 30_000,
    retries: 5,
    retryBackoffMs: 100,
    metadataMaxAgeMs: 300_000,
    fetchMaxBytes: 52_428_800,
    partitionFetchMaxBytes: 1_048_576,
    fetchMinBytes: 1,
    maxInFlightPerConnection: 5,
  };
}

defineKafkaTransportSuite('kafkajs transport, real broker', async () => {
  const b = bootstrap();
  const transport = await connectKafka(settings(b), pino({ level: 'silent' }));
  return {
    transport,
    unique,
    async writeTransactions(topic, partition, steps) {
      await produceWithChecker({ bootstrap: b, topic, transactionalId: unique('txn') }, checkerLines(partition, steps));
    },
    async openTransaction(topic, partition, values) {
      // The checker exits with the transaction open; the coordinator aborts it only after
      // transaction.timeout.ms (60 s), long after this test.
      await produceWithChecker({ bootstrap: b, topic, transactionalId: unique('open-txn') }, checkerLines(partition, ['begin', ...values.map((value) => ({ value }))]));
      return { end: async () => undefined };
    },
    async deleteRecords(topic, partition, offset) {
      const file = join(tempDir('delete-records'), 'offsets.json');
      writeFileSync(file, JSON.stringify({ version: 1, partitions: [{ topic, partition, offset }] }));
      await kafkaTool('org.apache.kafka.tools.DeleteRecordsCommand', ['--bootstrap-server', b, '--offset-json-file', file]);
    },
    holdGroup: (groupId, topic) => holdGroup(b, groupId, topic),
    close: () => transport.close(),
  };
}, { brokers: 1 });
