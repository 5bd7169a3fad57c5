// Test helper: an in-memory target cluster behind the KafkaSink seam, for unit tests of the whole
// restore pipeline. Each produced batch is appended at its partition's end and its records are kept
// as a consumer would read them (values as text), so a test can compare them with the source. It
// counts what a restore must not do before it knows it can finish: createTopics, initProducer and
// produce calls. Each produce is answered after `delayMs`, so partitions restored at once overlap.
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaBackupError } from '../../src/errors.js';
import type { KafkaSink, ProduceOutcome } from '../../src/kafka/sink.js';
import type { NewTopic, ProducerIdentity } from '../../src/kafka/transport.js';
import type { PartitionOffsets, TopicInfo } from '../../src/kafka/source.js';
import { readBack } from '../records/build.js';

export class FakeKafkaSink implements KafkaSink {
  readonly created: NewTopic[] = [];
  producerInits = 0;
  produceCalls = 0;
  /** topic → partition → record values in log order. */
  readonly logs = new Map<string, string[][]>();

  #appending: Promise<unknown> = Promise.resolve();

  constructor(private readonly delayMs = 0) {}

  clusterId(): Promise<string> {
    return Promise.resolve('TargetCluster');
  }

  topics(): Promise<TopicInfo[]> {
    return Promise.resolve([...this.logs].map(([name, parts]) => ({ name, partitions: parts.length, internal: false })));
  }

  createTopics(topics: NewTopic[]): Promise<void> {
    for (const t of topics) {
      this.created.push(t);
      this.logs.set(t.name, Array.from({ length: t.partitions }, () => []));
    }
    return Promise.resolve();
  }

  offsets(topic: string, partitions: number[]): Promise<Map<number, PartitionOffsets>> {
    return Promise.resolve(new Map(partitions.map((p) => [p, { earliest: 0, latest: this.log(topic, p).length }])));
  }

  initProducer(): Promise<ProducerIdentity> {
    this.producerInits++;
    return Promise.resolve({ producerId: 7, producerEpoch: 0 });
  }

  async produce(topic: string, partition: number, batch: Buffer): Promise<ProduceOutcome> {
    this.produceCalls++;
    const log = this.log(topic, partition);
    // Appended in call order, as the real sink keeps a partition's requests in order.
    const appended = this.#appending.then(async () => {
      const values = (await readBack(batch)).map((r) => r.value?.toString() ?? '<null>');
      const baseOffset = log.length;
      log.push(...values);
      return baseOffset;
    });
    this.#appending = appended.catch(() => undefined);
    const baseOffset = await appended;
    if (this.delayMs > 0) await sleep(this.delayMs);
    return { errorCode: 0, baseOffset };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  log(topic: string, partition: number): string[] {
    const log = this.logs.get(topic)?.[partition];
    if (!log) throw new KafkaBackupError('KAFKA_TOPIC_MISSING', `${topic}/${partition} does not exist`);
    return log;
  }
}
