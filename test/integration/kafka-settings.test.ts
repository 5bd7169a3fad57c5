// kafka_config keys against the real broker: what a connection built from a parsed config asks
// of Kafka, seen in the broker's answers (fetch sizes and waits) and in the requests the clients
// send (metadata refreshes, client id). Data is loaded with kcat, an independent client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { connectKafkajs } from '../../src/kafka/kafkajs/connection.js';
import type { KafkajsTransport } from '../../src/kafka/kafkajs/transport.js';
import { RawKafkaSource } from '../../src/kafka/kafka-source.js';
import { kafkaSettings } from '../../src/kafka/settings.js';
import { base, parse } from '../config/helpers.js';
import { bootstrap, unique } from './helpers/env.js';
import { kcat } from './helpers/kafka-tools.js';

const log = pino({ level: 'silent' });
const RECORDS = 100;
const VALUE_BYTES = 2000;

/** The `source` section of a config for the test broker with these kafka_config lines (YAML). */
function sourceConfig(kafkaConfig: string) {
  const settings = kafkaConfig ? `  kafka_config:\n${kafkaConfig.replace(/^/gm, '    ')}\n` : '';
  return parse(`${base}source:\n  bootstrap_servers: ${bootstrap()}\n${settings}`).source!;
}

/** Runs `body` on a connection made from the section; the backup fetches with its fetch.max.wait.ms. */
async function withConnection<T>(kafkaConfig: string, body: (conn: KafkajsTransport, fetchMaxWaitMs: number) => Promise<T>): Promise<T> {
  const source = sourceConfig(kafkaConfig);
  const conn = await connectKafkajs(kafkaSettings(source), log);
  try {
    return await body(conn, source.kafka_config['fetch.max.wait.ms']);
  } finally {
    await conn.close();
  }
}

/** Bytes of the record batches one fetch at offset 0 returns, and how long the broker took. */
async function fetchOnce(conn: KafkajsTransport, topic: string, maxWaitMs: number): Promise<{ bytes: number; ms: number }> {
  const started = Date.now();
  const data = await new RawKafkaSource(conn, log).fetch(topic, 0, 0, maxWaitMs);
  return { bytes: data.batches.reduce((n, b) => n + b.bytes.length, 0), ms: Date.now() - started };
}

describe('kafka_config against the broker', () => {
  const topic = unique('kafka-settings');

  before(async () => {
    await withConnection('', (conn) => conn.createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }], { validateOnly: false }));
    // batch.size 4000: one record of 2000 bytes per batch, so fetch limits fall between batches.
    const lines = Array.from({ length: RECORDS }, (_, i) => `${String(i).padStart(4, '0')}${'x'.repeat(VALUE_BYTES - 4)}`).join('\n');
    await kcat(['-P', '-b', bootstrap(), '-t', topic, '-p', '0', '-X', 'batch.size=4000', '-X', 'linger.ms=0'], `${lines}\n`);
  });

  after(async () => {
    await withConnection('', (conn) => conn.admin.deleteTopics({ topics: [topic] })).catch(() => undefined);
  });

  test('max.partition.fetch.bytes and fetch.max.bytes bound what one Fetch returns', async () => {
    const all = await withConnection('', (conn, wait) => fetchOnce(conn, topic, wait));
    const perPartition = await withConnection('"max.partition.fetch.bytes": 20000', (conn, wait) => fetchOnce(conn, topic, wait));
    const perFetch = await withConnection('"fetch.max.bytes": 20000', (conn, wait) => fetchOnce(conn, topic, wait));
    assert.ok(all.bytes > RECORDS * VALUE_BYTES, `default limits: ${all.bytes} bytes`);
    for (const [what, r] of [['max.partition.fetch.bytes', perPartition], ['fetch.max.bytes', perFetch]] as const) {
      assert.ok(r.bytes > 0 && r.bytes <= 20000, `${what} 20000: ${r.bytes} bytes`);
    }
  });

  test('fetch.min.bytes makes the broker hold a Fetch for up to fetch.max.wait.ms', async () => {
    // About 200 KB are there: a minimum of 1 MiB is not reached, so the broker answers at the wait.
    const held = await withConnection('"fetch.min.bytes": 1MiB\n"fetch.max.wait.ms": 1500', (conn, wait) => fetchOnce(conn, topic, wait));
    const prompt = await withConnection('"fetch.min.bytes": 1\n"fetch.max.wait.ms": 5000', (conn, wait) => fetchOnce(conn, topic, wait));
    assert.ok(held.ms >= 1400, `held ${held.ms} ms`);
    assert.ok(held.bytes > 0);
    assert.ok(prompt.ms < 4000, `answered after ${prompt.ms} ms`);
  });

  test('metadata.max.age.ms reaches the admin client: it refreshes cluster metadata only once it is that old', async () => {
    const metadataRequests = (kafkaConfig: string) =>
      withConnection(kafkaConfig, async (conn) => {
        const requests: { api: string; clientId: string }[] = [];
        conn.admin.on(conn.admin.events.REQUEST, (e) => requests.push({ api: e.payload.apiName, clientId: e.payload.clientId }));
        for (let i = 0; i < 3; i++) {
          await sleep(20);
          await conn.clusterId();
        }
        return requests;
      });
    const fresh = await metadataRequests('"metadata.max.age.ms": 600000\n"client.id": kb-settings-test');
    const stale = await metadataRequests('"metadata.max.age.ms": 1');
    // Each call asks once; metadata older than the age is first refreshed: one more request.
    assert.equal(fresh.filter((r) => r.api === 'Metadata').length, 3);
    assert.equal(stale.filter((r) => r.api === 'Metadata').length, 6);
    // client.id is what every request carries.
    assert.deepEqual([...new Set(fresh.map((r) => r.clientId))], ['kb-settings-test']);
  });

  test('metadata.max.age.ms reaches the data plane: a leader look-up refreshes metadata once it is that old', async () => {
    const refreshed = (kafkaConfig: string) =>
      withConnection(kafkaConfig, async (conn) => {
        await conn.leader(topic, 0);
        const first = conn.cluster.brokerPool.metadata;
        await sleep(300);
        await conn.leader(topic, 0);
        return conn.cluster.brokerPool.metadata !== first;
      });
    assert.deepEqual([await refreshed('"metadata.max.age.ms": 100'), await refreshed('"metadata.max.age.ms": 600000')], [true, false]);
  });

  test('security.ssl_reject_unauthorized false connects to a broker whose certificate no trusted CA signed; true refuses it', async () => {
    const ssl = process.env.KB_TEST_SSL_BOOTSTRAP;
    assert.ok(ssl, 'KB_TEST_SSL_BOOTSTRAP is set by test/run.sh');
    const attempt = async (verify: boolean) => {
      const config = parse(`${base}source:\n  bootstrap_servers: ${ssl}\n  security: { security_protocol: SSL, ssl_reject_unauthorized: ${verify} }\n  kafka_config: { retries: 0 }\n`);
      const conn = await connectKafkajs(kafkaSettings(config.source!), log);
      try {
        return await conn.clusterId();
      } finally {
        await conn.close();
      }
    };
    assert.ok((await attempt(false)).length > 0);
    await assert.rejects(attempt(true), /self-signed certificate|certificate/);
  });
});
