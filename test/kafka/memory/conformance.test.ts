// The Kafka transport conformance suite against the in-memory Kafka: once with one broker, like
// the shared test broker, and once with three, where leaders can move.
import { randomBytes } from 'node:crypto';
import { defineKafkaTransportSuite, type KafkaTransportHarness } from '../../conformance/kafka-transport.js';
import { MemoryKafka } from './cluster.js';
import { MemoryTransport } from './transport.js';

function memoryHarness(brokers: number): () => Promise<KafkaTransportHarness> {
  return async () => {
    const kafka = new MemoryKafka({ brokers });
    const transport = new MemoryTransport(kafka);
    return {
      transport,
      unique: (prefix) => `${prefix}-${randomBytes(3).toString('hex')}`,
      async writeTransactions(topic, partition, steps) {
        const producer = kafka.transactionalProducer();
        let txn = kafka.beginTransaction(producer);
        for (const step of steps) {
          if (step === 'begin') txn = kafka.beginTransaction(producer);
          else if (step === 'commit') txn.commit();
          else if (step === 'abort') txn.abort();
          else txn.append(topic, partition, [{ timestamp: Date.now(), key: null, value: step.value }]);
        }
      },
      async openTransaction(topic, partition, values) {
        const txn = kafka.beginTransaction();
        for (const value of values) txn.append(topic, partition, [{ timestamp: Date.now(), key: null, value }]);
        return { end: async () => txn.abort() };
      },
      async deleteRecords(topic, partition, offset) {
        kafka.deleteRecords(topic, partition, offset);
      },
      async holdGroup(groupId) {
        kafka.setGroup(groupId, { members: 1 });
        return { stop: async () => kafka.setGroup(groupId, { members: 0 }) };
      },
      ...(brokers > 1 ? { moveLeader: async (topic: string, partition: number) => void kafka.moveLeader(topic, partition) } : {}),
      close: () => transport.close(),
    };
  };
}

defineKafkaTransportSuite('in-memory Kafka, 1 broker', memoryHarness(1), { brokers: 1 });
defineKafkaTransportSuite('in-memory Kafka, 3 brokers', memoryHarness(3), { brokers: 3 });
