// Partition start and end offsets, asked of each partition's leader, read-committed: "latest" is
// the last stable offset, so a snapshot never waits on an open transaction's undecided records.
import { KafkaBackupError } from '../errors.js';
import { safeInt64 } from '../records/int64.js';
import type { KafkaConnection } from './connection.js';
import { brokerError, translateKafkaError } from './errors.js';
import { READ_COMMITTED } from './wire/fetch.js';
import type { PartitionOffsets } from './source.js';
import { withKafkaRetries } from './retry.js';
import type { Logger } from 'pino';

const EARLIEST = -2;
const LATEST = -1;

export async function listPartitionOffsets(
  conn: KafkaConnection,
  topic: string,
  partitions: number[],
  log: Logger,
): Promise<Map<number, PartitionOffsets>> {
  const out = new Map<number, PartitionOffsets>();
  await Promise.all(
    partitions.map(async (partition) => {
      const get = async (attempt: number, timestamp: number) => {
        const broker = await conn.leaderFor(topic, partition, attempt > 0);
        // kafkajs throws on a partition error while parsing the response (NOT_LEADER right after
        // a topic was created, for one): translated, retriable ones are retried with fresh metadata.
        const res = await broker
          .listOffsets({ isolationLevel: READ_COMMITTED, topics: [{ topic, partitions: [{ partition, timestamp }] }] })
          .catch((err: unknown) => {
            throw translateKafkaError(err, `listing offsets of ${topic}/${partition}`);
          });
        const p = res.responses[0]?.partitions[0];
        if (!p) throw new KafkaBackupError('KAFKA_PROTOCOL', `no offsets returned for ${topic}/${partition}`, { retryable: true });
        if (p.errorCode) throw brokerError(p.errorCode, `listing offsets of ${topic}/${partition}`);
        return safeInt64(p.offset, `ListOffsets response ${topic}/${partition} offset`);
      };
      const retry = <T>(what: string, fn: (a: number) => Promise<T>) => withKafkaRetries(conn.settings, log, what, fn);
      const earliest = await retry(`earliest offset of ${topic}/${partition}`, (a) => get(a, EARLIEST));
      const latest = await retry(`latest offset of ${topic}/${partition}`, (a) => get(a, LATEST));
      out.set(partition, { earliest, latest });
    }),
  );
  return out;
}
