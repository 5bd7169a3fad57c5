// ListOffsets offsets come from kafkajs's decoder as decimal strings (it reads int64 into a Long);
// the kafkajs transport passes them through records/int64.ts like every other int64, so one beyond
// 2^53 is refused by name.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { Admin } from 'kafkajs';
import pino from 'pino';
import { isKafkaBackupError } from '../../../src/errors.js';
import type { KjsBroker, KjsCluster } from '../../../src/kafka/kafkajs/internals.js';
import { KafkajsChannel, KafkajsTransport } from '../../../src/kafka/kafkajs/transport.js';
import { listPartitionOffsets } from '../../../src/kafka/offsets.js';
import type { KafkaSettings } from '../../../src/kafka/settings.js';
import type { KafkaTransport } from '../../../src/kafka/transport.js';
import { array, cat, i16, i32, i64, str } from '../wire/bytes.js';

const require = createRequire(import.meta.url);
// kafkajs's own ListOffsets v2 response decoder: the bytes a broker sends, decoded as in production.
const { decode } = require('kafkajs/src/protocol/requests/listOffsets/v2/response.js') as { decode(b: Buffer): Promise<unknown> };

/** A transport whose leader answers ListOffsets with `offset` for EARLIEST (-2) and LATEST (-1) alike. */
function connectionAnswering(offsets: { earliest: bigint; latest: bigint }): KafkaTransport {
  const broker = {
    listOffsets: async (args: { topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[] }) => {
      const { topic, partitions } = args.topics[0]!;
      const { partition, timestamp } = partitions[0]!;
      const offset = timestamp === -2 ? offsets.earliest : offsets.latest;
      return decode(cat(i32(0), array([cat(str(topic), array([cat(i32(partition), i16(0), i64(-1), i64(offset))]))])));
    },
  };
  const channel = new KafkajsChannel({ nodeId: 1, ...broker } as unknown as KjsBroker, 'k:9092');
  return { settings: { retries: 0, retryBackoffMs: 1 }, leader: async () => channel } as unknown as KafkaTransport;
}

const log = pino({ level: 'silent' });

test('ListOffsets: an offset of 2^53 + 1 is RECORD_FORMAT naming the field, not 2^53', async () => {
  const conn = connectionAnswering({ earliest: 0n, latest: 2n ** 53n + 1n });
  await assert.rejects(
    listPartitionOffsets(conn, 'orders', [4], log),
    (err) => isKafkaBackupError(err, 'RECORD_FORMAT') && err.message.includes('ListOffsets response orders/4 offset 9007199254740993'),
  );
});

test('ListOffsets: -1 and the largest safe offset read exactly', async () => {
  const conn = connectionAnswering({ earliest: -1n, latest: BigInt(Number.MAX_SAFE_INTEGER) });
  const got = await listPartitionOffsets(conn, 'orders', [0], log);
  assert.deepEqual(got.get(0), { earliest: -1, latest: Number.MAX_SAFE_INTEGER });
});

test('OffsetFetch: a committed offset beyond 2^53 is RECORD_FORMAT naming group, partition and field; -1 (none) is skipped', async () => {
  const { kafkaGroupAdmin } = await import('../../../src/kafka/group-admin.js');
  const answering = (offset: string) =>
    kafkaGroupAdmin(
      new KafkajsTransport(
        { bootstrapServers: ['k:9092'] } as KafkaSettings,
        { fetchOffsets: async () => [{ topic: 'orders', partitions: [{ partition: 1, offset, metadata: null }] }] } as unknown as Admin,
        {} as KjsCluster,
      ),
    );
  await assert.rejects(
    answering('9007199254740993').committedOffsets('billing', ['orders']),
    (err) => isKafkaBackupError(err, 'RECORD_FORMAT') && err.message.includes('OffsetFetch response billing orders/1 committed_offset 9007199254740993'),
  );
  assert.deepEqual(await answering('-1').committedOffsets('billing', ['orders']), []);
  assert.deepEqual(await answering('42').committedOffsets('billing', ['orders']), [{ topic: 'orders', partition: 1, offset: 42, metadata: null }]);
});
