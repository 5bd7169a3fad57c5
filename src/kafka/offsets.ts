// Partition start and end offsets, asked of each partition's leader, read-committed: "latest" is
// the last stable offset, so a snapshot never waits on an open transaction's undecided records.
import type { Logger } from 'pino';
import { brokerError } from './protocol-errors.js';
import { withKafkaRetries } from './retry.js';
import type { PartitionOffsets } from './source.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type KafkaTransport } from './transport.js';

export async function listPartitionOffsets(
  transport: KafkaTransport,
  topic: string,
  partitions: number[],
  log: Logger,
): Promise<Map<number, PartitionOffsets>> {
  const out = new Map<number, PartitionOffsets>();
  await Promise.all(
    partitions.map(async (partition) => {
      const get = async (attempt: number, timestamp: number) => {
        const broker = await transport.leader(topic, partition, attempt > 0);
        // A partition error (NOT_LEADER right after a topic was created, for one): retriable ones
        // are retried with fresh metadata.
        const p = await broker.listOffset(topic, partition, timestamp);
        if (p.errorCode) throw brokerError(p.errorCode, `listing offsets of ${topic}/${partition}`);
        return p.offset;
      };
      const retry = <T>(what: string, fn: (a: number) => Promise<T>) => withKafkaRetries(transport.settings, log, what, fn);
      const earliest = await retry(`earliest offset of ${topic}/${partition}`, (a) => get(a, EARLIEST_TIMESTAMP));
      const latest = await retry(`latest offset of ${topic}/${partition}`, (a) => get(a, LATEST_TIMESTAMP));
      out.set(partition, { earliest, latest });
    }),
  );
  return out;
}
