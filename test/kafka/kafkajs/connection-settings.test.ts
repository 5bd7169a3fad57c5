// kafka_config keys from a parsed config down to what the Kafka layer sends: the kafkajs client
// configuration (client id, timeouts, retries) and the raw Fetch and Produce requests of the data
// plane, through the kafkajs broker channel over a fake broker connection that records every
// request. The real broker's answers to these settings are in test/integration/kafka-settings.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { KafkaBackupError } from '../../../src/errors.js';
import { kafkaConfig } from '../../../src/kafka/kafkajs/connection.js';
import type { KjsBroker, KjsRequest } from '../../../src/kafka/kafkajs/internals.js';
import { KafkajsChannel } from '../../../src/kafka/kafkajs/transport.js';
import { RawKafkaSink } from '../../../src/kafka/kafka-sink.js';
import { RawKafkaSource } from '../../../src/kafka/kafka-source.js';
import { kafkaSettings, type KafkaSettings } from '../../../src/kafka/settings.js';
import type { KafkaTransport } from '../../../src/kafka/transport.js';
import type { FetchResponsePayload } from '../../../src/kafka/wire/fetch.js';
import type { ProduceResponsePayload } from '../../../src/kafka/wire/produce.js';
import { base, parse } from '../../config/helpers.js';
import { buildBatch, sequentialRecords } from '../../records/build.js';

const log = pino({ level: 'silent' });

function settingsFor(section: 'source' | 'target', kafkaConfigYaml: string, extra = ''): KafkaSettings {
  const config = parse(`${base}${section}:\n  bootstrap_servers: k:9092\n${extra}  kafka_config:\n${kafkaConfigYaml.replace(/^/gm, '    ')}\n`);
  return kafkaSettings(config[section]!);
}

interface Sent {
  body: Buffer;
  requestTimeout: number | undefined;
  at: number;
}

/**
 * A transport whose one broker answers every request with `answer` (or throws what it returns);
 * `broker` is its kafkajs broker object.
 */
function fakeConnection(
  settings: KafkaSettings,
  answer: (req: KjsRequest, n: number) => unknown,
  sent: Sent[] = [],
): KafkaTransport & { broker: KjsBroker } {
  const broker = {
    nodeId: 1,
    connectionPool: {
      async send({ request, requestTimeout }: { request: KjsRequest; requestTimeout?: number }) {
        sent.push({ body: (await request.encode()).buffer, requestTimeout, at: Date.now() });
        const reply = answer(request, sent.length);
        if (reply instanceof Error) throw reply;
        return reply;
      },
    },
  } as unknown as KjsBroker;
  const channel = new KafkajsChannel(broker, 'k:9092');
  return { settings, broker, leader: async () => channel, close: async () => undefined } as unknown as KafkaTransport & { broker: KjsBroker };
}

const batch = buildBatch({ baseOffset: 0, records: sequentialRecords(3) });

function fetchAnswer(): FetchResponsePayload {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    topics: [
      {
        topic: 't',
        partitions: [{ partition: 0, errorCode: 0, highWatermark: 3, lastStableOffset: 3, logStartOffset: 0, abortedTransactions: [], records: batch }],
      },
    ],
  };
}

describe('kafka_config: the kafkajs client configuration', () => {
  for (const section of ['source', 'target'] as const) {
    test(`${section}: client id, connection and request timeouts, retries and backoff reach kafkajs`, () => {
      const s = settingsFor(
        section,
        '"client.id": from-kafka-config\n"socket.connection.setup.timeout.ms": 1234\n"request.timeout.ms": 5678\nretries: 7\n"retry.backoff.ms": 90',
      );
      const k = kafkaConfig(s, log);
      assert.deepEqual(
        { clientId: k.clientId, connectionTimeout: k.connectionTimeout, requestTimeout: k.requestTimeout, retry: k.retry },
        { clientId: 'from-kafka-config', connectionTimeout: 1234, requestTimeout: 5678, retry: { retries: 7, initialRetryTime: 90 } },
      );
      assert.equal(kafkaConfig(settingsFor(section, 'retries: 0', '  client_id: the-client-id\n'), log).clientId, 'the-client-id');
    });

    test(`${section}: the SASL mechanism, user name and password reach kafkajs`, () => {
      const security = '  security: { security_protocol: SASL_PLAINTEXT, sasl_mechanism: SCRAM-SHA-512, sasl_username: alice, sasl_password: secret-1 }\n';
      assert.deepEqual(kafkaConfig(settingsFor(section, 'retries: 1', security), log).sasl, { mechanism: 'scram-sha-512', username: 'alice', password: 'secret-1' });
    });
  }
});

describe('kafka_config: the backup Fetch', () => {
  test('fetch.min.bytes, fetch.max.bytes and max.partition.fetch.bytes are sent; request.timeout.ms bounds the answer on top of the wait', async () => {
    const s = settingsFor('source', '"fetch.min.bytes": 1000\n"fetch.max.bytes": 2MiB\n"max.partition.fetch.bytes": 300KiB\n"request.timeout.ms": 4000');
    const sent: Sent[] = [];
    const data = await new RawKafkaSource(fakeConnection(s, () => fetchAnswer(), sent), log).fetch('t', 0, 0, 250);
    assert.equal(data.batches.length, 1);
    const body = sent[0]!.body;
    // Fetch v11: replica_id, max_wait_ms, min_bytes, max_bytes, …; partition_max_bytes ends the
    // one partition of topic "t" (wire/fetch.ts has the layout).
    assert.deepEqual([body.readInt32BE(4), body.readInt32BE(8), body.readInt32BE(12)], [250, 1000, 2 * 1024 * 1024]);
    assert.equal(body.readInt32BE(29 + 2 + 1 + 4 + 4 + 4 + 8 + 8), 300 * 1024);
    assert.equal(sent[0]!.requestTimeout, 4000 + 250);
  });

  test('retries and retry.backoff.ms: a failed fetch is tried 1 + retries times, waiting about the backoff, doubling', async () => {
    const s = settingsFor('source', 'retries: 2\n"retry.backoff.ms": 200');
    const sent: Sent[] = [];
    const failing = () => new KafkaBackupError('KAFKA_UNREACHABLE', 'connection reset', { retryable: true });
    await assert.rejects(new RawKafkaSource(fakeConnection(s, failing, sent), log).fetch('t', 0, 0, 10), /connection reset/);
    assert.equal(sent.length, 3);
    const waits = [sent[1]!.at - sent[0]!.at, sent[2]!.at - sent[1]!.at];
    // Jitter waits between half and all of backoff × 2^attempt.
    assert.ok(waits[0]! >= 95 && waits[0]! < 300 && waits[1]! >= 195, `waits ${waits.join(', ')} ms`);
  });
});

describe('kafka_config: the restore Produce', () => {
  const produceAnswer = (): ProduceResponsePayload => ({ throttleTimeMs: 0, topics: [{ topic: 't', partitions: [{ partition: 0, errorCode: 0, baseOffset: 0 }] }] });

  test('every Produce asks for acks all (-1); request.timeout.ms bounds the answer on top of the produce timeout', async () => {
    const s = settingsFor('target', '"request.timeout.ms": 4000');
    const sent: Sent[] = [];
    const outcome = await new RawKafkaSink(fakeConnection(s, produceAnswer, sent), log).produce('t', 0, batch);
    assert.deepEqual(outcome, { errorCode: 0, baseOffset: 0 });
    // Produce v7: transactional_id (null: int16 -1), then acks.
    assert.equal(sent[0]!.body.readInt16BE(2), -1);
    assert.equal(sent[0]!.requestTimeout, 4000 + 30_000);
  });

  test('max.in.flight.requests.per.connection: at most that many Produce requests await their answer per broker', async () => {
    const seen: number[] = [];
    for (const n of [1, 3]) {
      let inFlight = 0;
      let most = 0;
      const s = settingsFor('target', `"max.in.flight.requests.per.connection": ${n}`);
      const slow = async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        return produceAnswer();
      };
      const conn = fakeConnection(s, () => undefined);
      (conn.broker.connectionPool as { send: unknown }).send = slow;
      const sink = new RawKafkaSink(conn, log);
      // A request carries one batch per partition (the broker's rule): six batches, six requests.
      await Promise.all(Array.from({ length: 6 }, () => sink.produce('t', 0, batch)));
      seen.push(most);
    }
    assert.deepEqual(seen, [1, 3]);
  });
});
