// The behaviour every KafkaTransport must show, which is Kafka's own observable behaviour: the
// in-memory Kafka (test/kafka/memory/conformance.test.ts) and the kafkajs transport against the
// real broker (test/integration/kafka-transport-conformance.test.ts) both run exactly this file,
// so the fake cannot drift from the real thing. Each implementation passes a harness: the
// transport, plus the setup a transport cannot do alone (transactions, deleted records, an active
// group member, a leader move). A scenario whose setup a harness lacks is skipped, by name; the
// scenarios that need a second broker are declared only for a cluster of several brokers (the
// suite's `brokers` option), so a one-broker run does not list them at all: today the 3-broker
// in-memory Kafka runs them, and the real 3-broker cluster of the next issue (11) will.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { isKafkaBackupError } from '../../src/errors.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  configSource,
  type BrokerChannel,
  type FetchPartitionResponse,
  type KafkaTransport,
  type ProducePartitionResponse,
} from '../../src/kafka/transport.js';
import { attributeBits, batchLayout, readBatchHeader, walkBatches, writeBatchCrc } from '../../src/records/batch.js';
import { controlType } from '../../src/records/control.js';
import { buildBatch, buildCompressedBatch, buildControlBatch, readBack, type BatchSpec, type SimpleRecord } from '../records/build.js';

/** One step of a transactional producer's script on one partition. */
export type TxnStep = 'begin' | 'commit' | 'abort' | { value: string };

export interface KafkaTransportHarness {
  transport: KafkaTransport;
  /** A topic or group name no other test uses. */
  unique(prefix: string): string;
  /** A transactional producer runs the steps on the partition, in order (markers written by the coordinator). */
  writeTransactions?(topic: string, partition: number, steps: TxnStep[]): Promise<void>;
  /** Leaves a transaction with these records open on the partition until `end` (then it aborts). */
  openTransaction?(topic: string, partition: number, values: string[]): Promise<{ end(): Promise<void> }>;
  /** DeleteRecords: the partition's log start moves to `offset`. */
  deleteRecords?(topic: string, partition: number, offset: number): Promise<void>;
  /** An active consumer-group member on the topic until `stop`. */
  holdGroup?(groupId: string, topic: string): Promise<{ stop(): Promise<void> }>;
  /** Moves the partition's leadership to another broker (clusters of one broker cannot). */
  moveLeader?(topic: string, partition: number): Promise<void>;
  close(): Promise<void>;
}

const TOPIC_OPERATIONS = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
const CLUSTER_OPERATIONS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

const code = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NOT_LEADER_OR_FOLLOWER: 6,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TIMESTAMP: 32,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  INVALID_RECORD: 87,
} as const;

function records(n: number, tag: string, start = Date.now() - 60_000): SimpleRecord[] {
  return Array.from({ length: n }, (_, i) => ({ timestamp: start + i, key: `${tag}-k${i}`, value: `${tag}-v${i}` }));
}

/** The produced bytes as the broker stores them: base offset and leader epoch are the broker's. */
function asStored(produced: Buffer, fetched: Buffer): Buffer {
  const out = Buffer.from(produced);
  fetched.copy(out, batchLayout.baseOffset, batchLayout.baseOffset, batchLayout.baseOffset + 8);
  fetched.copy(out, batchLayout.partitionLeaderEpoch, batchLayout.partitionLeaderEpoch, batchLayout.partitionLeaderEpoch + 4);
  return out;
}

export function defineKafkaTransportSuite(
  name: string,
  makeHarness: () => Promise<KafkaTransportHarness>,
  options: { brokers: number },
): void {
  const multiBroker = options.brokers > 1;
  describe(`KafkaTransport conformance: ${name}`, () => {
    let h: KafkaTransportHarness;
    let t: KafkaTransport;
    before(async () => {
      h = await makeHarness();
      t = h.transport;
    });
    after(async () => {
      await h?.close();
    });

    // node:test decides skips when a test is declared, before `before` ran: skipped scenarios
    // check inside instead, and say so.
    const need = (t: { skip(msg?: string): void }, has: unknown, what: string): boolean => {
      if (has) return true;
      t.skip(`${name} cannot arrange ${what}`);
      return false;
    };

    async function newTopic(prefix: string, partitions = 1, configs: Record<string, string> = {}): Promise<string> {
      const topic = h.unique(prefix);
      await t.createTopics([{ name: topic, partitions, configs }], { validateOnly: false });
      return topic;
    }

    /** Asks again while a new topic's leadership settles (retryable errors, or `retryIf`). */
    async function settled<T>(fn: () => Promise<T>, retryIf: (r: T) => boolean = () => false): Promise<T> {
      for (let i = 0; ; i++) {
        try {
          const r = await fn();
          if (!retryIf(r) || i >= 30) return r;
        } catch (err) {
          if (!(isKafkaBackupError(err) && err.retryable) || i >= 30) throw err;
        }
        await sleep(100);
      }
    }

    const leaderOf = (topic: string, partition: number, refresh = false) => settled(() => t.leader(topic, partition, refresh));

    async function produce(topic: string, partition: number, batch: Buffer): Promise<ProducePartitionResponse> {
      return settled(
        async () => {
          const leader = await t.leader(topic, partition, true);
          const res = await leader.produce({ acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition, batch }] }] }, 15_000);
          return res.topics[0]!.partitions[0]!;
        },
        (r) => r.errorCode === code.NOT_LEADER_OR_FOLLOWER || r.errorCode === code.UNKNOWN_TOPIC_OR_PARTITION,
      );
    }

    async function fetchFrom(
      channel: BrokerChannel,
      topic: string,
      partition: number,
      fetchOffset: number,
      opts: { partitionMaxBytes?: number; maxBytes?: number; maxWaitMs?: number; minBytes?: number } = {},
    ): Promise<FetchPartitionResponse> {
      const maxWaitMs = opts.maxWaitMs ?? 0;
      const res = await channel.fetch(
        {
          maxWaitMs,
          minBytes: opts.minBytes ?? 1,
          maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
          topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: opts.partitionMaxBytes ?? 1024 * 1024 }] }],
        },
        maxWaitMs + 10_000,
      );
      assert.equal(res.errorCode, 0);
      return res.topics.find((x) => x.topic === topic)!.partitions.find((p) => p.partition === partition)!;
    }

    const fetchAt = async (topic: string, partition: number, offset: number, opts = {}) =>
      fetchFrom(await leaderOf(topic, partition), topic, partition, offset, opts);

    async function offsets(topic: string, partition: number): Promise<{ earliest: number; latest: number }> {
      const leader = await leaderOf(topic, partition);
      const e = await leader.listOffset(topic, partition, EARLIEST_TIMESTAMP);
      const l = await leader.listOffset(topic, partition, LATEST_TIMESTAMP);
      assert.equal(e.errorCode, 0);
      assert.equal(l.errorCode, 0);
      return { earliest: e.offset, latest: l.offset };
    }

    /** An idempotent producer's batches: sequence numbers count records from 0. */
    async function idempotentBatches(specs: Omit<BatchSpec, 'producerId' | 'producerEpoch' | 'baseSequence'>[]): Promise<Buffer[]> {
      const { producerId, producerEpoch } = await (await t.anyBroker()).initProducerId();
      let sequence = 0;
      return specs.map((s) => {
        const b = buildBatch({ ...s, producerId, producerEpoch, baseSequence: sequence });
        sequence += s.records.length;
        return b;
      });
    }

    // ---- cluster ----

    test('cluster: an id, brokers with node ids, API versions the seam needs', async () => {
      assert.ok((await t.clusterId()).length > 0);
      const brokers = await t.brokers();
      assert.ok(brokers.length >= 1);
      for (const b of brokers) assert.ok(b.nodeId >= 0 && b.host.length > 0 && b.port > 0);
      const any = await t.anyBroker();
      assert.ok(brokers.some((b) => b.nodeId === any.nodeId));
      assert.equal((await t.broker(brokers[0]!.nodeId)).nodeId, brokers[0]!.nodeId);
      for (const [apiKey, version] of [[0, 7], [1, 11], [3, 8], [15, 3], [2, 2], [22, 0]] as const) {
        assert.ok(any.supports(apiKey, version), `supports API ${apiKey} v${version}`);
      }
      assert.equal(any.supports(1, 1000), false);
      assert.equal(any.supports(9999, 0), false);
    });

    test('topics: created with leaders, sorted partitions; missing names left out; leader() of a missing topic is UNKNOWN_TOPIC_OR_PARTITION, retryable', async () => {
      const topic = await newTopic('layout', 3);
      const [layout] = await t.topics([topic, h.unique('missing')]);
      assert.equal(layout?.name, topic);
      assert.deepEqual(layout!.partitions.map((p) => p.partition), [0, 1, 2]);
      for (const p of layout!.partitions) {
        assert.ok(p.replicas.includes(p.leader), `leader ${p.leader} among replicas ${p.replicas}`);
        assert.ok(p.isr.includes(p.leader));
      }
      assert.ok((await t.topics()).some((x) => x.name === topic));
      assert.equal((await t.topics([h.unique('missing')])).length, 0);
      await assert.rejects(t.leader(h.unique('missing'), 0, true), (err: unknown) => {
        assert.ok(isKafkaBackupError(err, 'KAFKA_PROTOCOL'), String(err));
        assert.equal(err.details.kafkaError, 'UNKNOWN_TOPIC_OR_PARTITION');
        assert.equal(err.retryable, true);
        return true;
      });
    });

    test('createTopics validateOnly: refusals by topic with the reason, nothing created', async () => {
      const existing = await newTopic('exists');
      const fine = h.unique('fine');
      const brokers = (await t.brokers()).length;
      const refused = await t.createTopics(
        [
          { name: existing, partitions: 1 },
          { name: fine, partitions: 2, configs: { 'retention.ms': '1000' } },
          { name: h.unique('unknown-config'), partitions: 1, configs: { 'no.such.config': 'x' } },
          { name: h.unique('bad-value'), partitions: 1, configs: { 'retention.ms': 'soon' } },
          { name: h.unique('too-many-replicas'), partitions: 1, replicationFactor: brokers + 1 },
          { name: h.unique('no-partitions'), partitions: 0 },
          { name: 'bad/name', partitions: 1 },
        ],
        { validateOnly: true },
      );
      const reason = (prefix: string) => [...refused].find(([n]) => n.startsWith(prefix) || n === prefix)?.[1] ?? '';
      assert.match(refused.get(existing) ?? '', /TOPIC_ALREADY_EXISTS/);
      assert.match(reason('unknown-config'), /INVALID_CONFIG/);
      assert.match(reason('bad-value'), /INVALID_CONFIG/);
      assert.match(reason('too-many-replicas'), /INVALID_REPLICATION_FACTOR/);
      assert.match(reason('no-partitions'), /INVALID_PARTITIONS/);
      assert.match(reason('bad/name'), /INVALID_TOPIC_EXCEPTION/);
      assert.equal(refused.has(fine), false);
      assert.equal(refused.size, 6);
      assert.deepEqual(await t.topics([fine]), [], 'validateOnly creates nothing');
    });

    test('createTopics: a refusal throws KAFKA_PROTOCOL with the Kafka error name; nothing is created', async () => {
      const name = h.unique('refused');
      await assert.rejects(t.createTopics([{ name, partitions: 1, configs: { 'retention.ms': 'soon' } }], { validateOnly: false }), (err: unknown) => {
        assert.ok(isKafkaBackupError(err, 'KAFKA_PROTOCOL'), String(err));
        assert.equal(err.details.kafkaError, 'INVALID_CONFIG');
        return true;
      });
      assert.deepEqual(await t.topics([name]), []);
    });

    test('describeConfigs: configs set on the topic have source topic, the others a default source', async () => {
      const topic = await newTopic('configs', 1, { 'retention.ms': '123456789', 'cleanup.policy': 'compact' });
      const entries = (await t.describeConfigs('topic', [topic])).get(topic)!;
      const entry = (n: string) => entries.find((e) => e.name === n);
      assert.deepEqual(entry('retention.ms'), { name: 'retention.ms', value: '123456789', source: configSource.topic, readOnly: false, sensitive: false });
      assert.equal(entry('cleanup.policy')?.source, configSource.topic);
      assert.equal(entry('cleanup.policy')?.value, 'compact');
      assert.deepEqual(entry('min.compaction.lag.ms'), { name: 'min.compaction.lag.ms', value: '0', source: configSource.default, readOnly: false, sensitive: false });
      assert.equal(entry('max.message.bytes')?.value, '1048588');
      assert.equal(entry('message.timestamp.type')?.value, 'CreateTime');
      for (const e of entries) if (e.name !== 'retention.ms' && e.name !== 'cleanup.policy') assert.notEqual(e.source, configSource.topic, e.name);
      const nodeId = (await t.brokers())[0]!.nodeId;
      const broker = (await t.describeConfigs('broker', [String(nodeId)])).get(String(nodeId))!;
      assert.ok(broker.length > 0);
      assert.ok(broker.some((e) => e.name === 'num.partitions' && e.value !== null));
    });

    // ---- produce and fetch ----

    test('produce then fetch: the batches come back byte for byte (keys null and empty, headers, gzip), offsets as answered', async () => {
      const topic = await newTopic('bytes');
      const now = Date.now() - 10_000;
      const specs: Omit<BatchSpec, 'producerId' | 'producerEpoch' | 'baseSequence'>[] = [
        { records: records(3, 'a', now) },
        {
          records: [
            { timestamp: now + 10, key: null, value: Buffer.alloc(0), headers: [{ key: 'h', value: null }, { key: 'h', value: Buffer.from([0, 1]) }] },
            { timestamp: now + 5, key: Buffer.alloc(0), value: null },
          ],
        },
      ];
      const [first, second] = await idempotentBatches(specs);
      const gz = await buildCompressedBatch({ records: records(4, 'z', now), codec: 1 });
      const answers = [await produce(topic, 0, first!), await produce(topic, 0, second!), await produce(topic, 0, gz)];
      assert.deepEqual(answers.map((a) => [a.errorCode, a.baseOffset]), [[0, 0], [0, 3], [0, 5]]);
      const part = await fetchAt(topic, 0, 0);
      assert.equal(part.errorCode, 0);
      assert.equal(part.highWatermark, 9);
      assert.equal(part.lastStableOffset, 9);
      assert.equal(part.logStartOffset, 0);
      assert.deepEqual(part.abortedTransactions, []);
      const { batches, consumed } = walkBatches(part.records);
      assert.equal(consumed, part.records.length);
      assert.deepEqual(batches.map((b) => b.header.baseOffset), [0, 3, 5]);
      [first!, second!, gz].forEach((sent, i) => {
        assert.ok(batches[i]!.bytes.equals(asStored(sent, batches[i]!.bytes)), `batch ${i} byte-exact`);
        assert.ok(batches[i]!.header.partitionLeaderEpoch >= 0);
      });
      const back = await readBack(batches[1]!.bytes);
      assert.equal(back[0]!.key, null);
      assert.deepEqual(back[0]!.value, Buffer.alloc(0));
      assert.deepEqual(back[1]!.key, Buffer.alloc(0));
      assert.equal(back[1]!.value, null);
      assert.deepEqual(back[0]!.headers, [{ key: Buffer.from('h'), value: null }, { key: Buffer.from('h'), value: Buffer.from([0, 1]) }]);
    });

    test('fetch at an offset inside a batch returns the whole batch', async () => {
      const topic = await newTopic('mid-batch');
      await produce(topic, 0, buildBatch({ records: records(5, 'm') }));
      await produce(topic, 0, buildBatch({ records: records(5, 'n') }));
      const { batches } = walkBatches((await fetchAt(topic, 0, 3)).records);
      assert.deepEqual(batches.map((b) => [b.header.baseOffset, b.header.lastOffset]), [[0, 4], [5, 9]]);
      const from7 = walkBatches((await fetchAt(topic, 0, 7)).records).batches;
      assert.deepEqual(from7.map((b) => b.header.baseOffset), [5]);
    });

    test('fetch size: at least one whole batch; a cut leaves a partial trailing batch; maxBytes spans partitions', async () => {
      const topic = await newTopic('sizes', 2);
      const big = buildBatch({ records: records(20, 'big').map((r) => ({ ...r, value: 'x'.repeat(200) })) });
      const small = buildBatch({ records: records(2, 's') });
      await produce(topic, 0, big);
      await produce(topic, 0, small);
      await produce(topic, 1, small);
      const one = await fetchAt(topic, 0, 0, { partitionMaxBytes: 100 });
      assert.equal(one.records.length, big.length, 'the first batch whole although larger than the limit');
      const cut = await fetchAt(topic, 0, 0, { partitionMaxBytes: big.length + 30 });
      assert.equal(cut.records.length, big.length + 30, 'cut at the limit');
      const walked = walkBatches(cut.records);
      assert.equal(walked.batches.length, 1);
      assert.equal(walked.consumed, big.length, 'the partial trailing batch is left over');
      const leader0 = await leaderOf(topic, 0);
      const leader1 = await leaderOf(topic, 1);
      if (leader0.nodeId === leader1.nodeId) {
        const res = await leader0.fetch(
          {
            maxWaitMs: 0,
            minBytes: 1,
            maxBytes: 10,
            topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }, { partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
          },
          10_000,
        );
        const [p0, p1] = res.topics[0]!.partitions;
        assert.equal(p0!.records.length, big.length, 'maxBytes below one batch: the first partition still gets one');
        assert.equal(p1!.records.length, 0, 'nothing left of maxBytes for the next partition');
        assert.equal(p1!.highWatermark, 2);
      }
    });

    test('fetch at the log end waits maxWaitMs for data, and returns early when data arrives', async () => {
      const topic = await newTopic('wait');
      await produce(topic, 0, buildBatch({ records: records(1, 'w') }));
      const leader = await leaderOf(topic, 0);
      let started = Date.now();
      const empty = await fetchFrom(leader, topic, 0, 1, { maxWaitMs: 300 });
      assert.equal(empty.errorCode, 0);
      assert.equal(empty.records.length, 0);
      assert.ok(Date.now() - started >= 250, `waited ${Date.now() - started} ms`);
      started = Date.now();
      const waiting = fetchFrom(leader, topic, 0, 1, { maxWaitMs: 8000 });
      await sleep(200);
      await produce(topic, 0, buildBatch({ records: records(2, 'late') }));
      const got = await waiting;
      assert.equal(walkBatches(got.records).batches[0]?.header.baseOffset, 1);
      assert.ok(Date.now() - started < 6000, `returned after ${Date.now() - started} ms`);
    });

    test('fetch errors: OFFSET_OUT_OF_RANGE past the end, UNKNOWN_TOPIC_OR_PARTITION, offsets -1', async () => {
      const topic = await newTopic('range');
      await produce(topic, 0, buildBatch({ records: records(3, 'r') }));
      const past = await fetchAt(topic, 0, 4);
      assert.equal(past.errorCode, code.OFFSET_OUT_OF_RANGE);
      assert.deepEqual([past.highWatermark, past.lastStableOffset, past.logStartOffset, past.records.length], [-1, -1, -1, 0]);
      const atEnd = await fetchAt(topic, 0, 3);
      assert.equal(atEnd.errorCode, 0);
      assert.equal(atEnd.highWatermark, 3);
      const missing = await fetchFrom(await t.anyBroker(), h.unique('missing'), 0, 0);
      assert.equal(missing.errorCode, code.UNKNOWN_TOPIC_OR_PARTITION);
    });

    test('listOffset: earliest and latest; UNKNOWN_TOPIC_OR_PARTITION for a missing topic', async () => {
      const topic = await newTopic('offsets');
      assert.deepEqual(await offsets(topic, 0), { earliest: 0, latest: 0 });
      await produce(topic, 0, buildBatch({ records: records(4, 'o') }));
      assert.deepEqual(await offsets(topic, 0), { earliest: 0, latest: 4 });
      const missing = await (await t.anyBroker()).listOffset(h.unique('missing'), 0, LATEST_TIMESTAMP);
      assert.equal(missing.errorCode, code.UNKNOWN_TOPIC_OR_PARTITION);
    });

    test('deleted records: earliest moves, a fetch below it is OFFSET_OUT_OF_RANGE, a fetch at it returns the whole batch', async (tc) => {
      if (!need(tc, h.deleteRecords, 'deleted records')) return;
      const topic = await newTopic('deleted');
      await produce(topic, 0, buildBatch({ records: records(5, 'd') }));
      await produce(topic, 0, buildBatch({ records: records(5, 'e') }));
      await h.deleteRecords!(topic, 0, 7);
      assert.deepEqual(await offsets(topic, 0), { earliest: 7, latest: 10 });
      const below = await fetchAt(topic, 0, 2);
      assert.equal(below.errorCode, code.OFFSET_OUT_OF_RANGE);
      const at = await fetchAt(topic, 0, 7);
      assert.equal(at.logStartOffset, 7);
      assert.deepEqual(walkBatches(at.records).batches.map((b) => b.header.baseOffset), [5]);
    });

    // ---- transactions ----

    test('transactions: control batches in the log, the aborted one listed, latest is the end', async (tc) => {
      if (!need(tc, h.writeTransactions, 'transactions')) return;
      const topic = await newTopic('txn');
      await h.writeTransactions!(topic, 0, ['begin', { value: 'c1' }, { value: 'c2' }, 'commit', 'begin', { value: 'a1' }, 'abort', 'begin', { value: 'c3' }, 'commit']);
      const part = await fetchAt(topic, 0, 0);
      const batches = walkBatches(part.records).batches;
      const controls = batches.filter((b) => b.header.isControl);
      assert.deepEqual(controls.map((b) => controlType(b.bytes)), ['commit', 'abort', 'commit']);
      const data = batches.filter((b) => !b.header.isControl);
      assert.ok(data.every((b) => b.header.isTransactional));
      const abortedBatch = data.find((b) => b.header.baseOffset > controls[0]!.header.baseOffset && b.header.baseOffset < controls[1]!.header.baseOffset)!;
      assert.deepEqual(part.abortedTransactions, [{ producerId: abortedBatch.header.producerId, firstOffset: abortedBatch.header.baseOffset }]);
      const end = batches[batches.length - 1]!.header.lastOffset + 1;
      assert.equal(part.highWatermark, end);
      assert.equal(part.lastStableOffset, end);
      assert.deepEqual(await offsets(topic, 0), { earliest: 0, latest: end });
      const insideAborted = await fetchAt(topic, 0, abortedBatch.header.baseOffset + 1);
      assert.deepEqual(
        insideAborted.abortedTransactions,
        [{ producerId: abortedBatch.header.producerId, firstOffset: abortedBatch.header.baseOffset }],
        'a fetch that starts inside an aborted transaction still lists it',
      );
      const afterAbort = await fetchAt(topic, 0, controls[1]!.header.baseOffset + 1);
      assert.deepEqual(afterAbort.abortedTransactions, [], 'a fetch past the abort marker lists no aborted transaction');
    });

    test('open transaction: the last stable offset stays below it; read-committed fetch stops there', async (tc) => {
      if (!need(tc, h.openTransaction, 'an open transaction')) return;
      const topic = await newTopic('open-txn');
      await produce(topic, 0, buildBatch({ records: records(2, 'before') }));
      const open = await h.openTransaction!(topic, 0, ['pending-1', 'pending-2']);
      try {
        await produce(topic, 0, buildBatch({ records: records(3, 'after') }));
        const part = await fetchAt(topic, 0, 0);
        assert.equal(part.lastStableOffset, 2);
        assert.ok(part.highWatermark >= 6, `high watermark ${part.highWatermark}`);
        assert.deepEqual(walkBatches(part.records).batches.map((b) => b.header.baseOffset), [0]);
        assert.deepEqual(await offsets(topic, 0), { earliest: 0, latest: 2 });
        const atLso = await fetchAt(topic, 0, 2);
        assert.equal(atLso.errorCode, 0);
        assert.equal(atLso.records.length, 0);
      } finally {
        await open.end();
      }
    });

    // ---- leaders ----

    if (multiBroker) test('a broker that is not the leader answers NOT_LEADER_OR_FOLLOWER; leader(refresh) finds the new one', async () => {
      assert.ok(h.moveLeader, `${name}: a harness of several brokers can move a leader`);
      const topic = await newTopic('leader');
      await produce(topic, 0, buildBatch({ records: records(2, 'l') }));
      const old = await leaderOf(topic, 0, true);
      await h.moveLeader!(topic, 0);
      const fetched = await fetchFrom(old, topic, 0, 0);
      assert.equal(fetched.errorCode, code.NOT_LEADER_OR_FOLLOWER);
      const produced = await old.produce({ acks: -1, timeoutMs: 5000, topics: [{ topic, partitions: [{ partition: 0, batch: buildBatch({ records: records(1, 'x') }) }] }] }, 10_000);
      assert.equal(produced.topics[0]!.partitions[0]!.errorCode, code.NOT_LEADER_OR_FOLLOWER);
      assert.equal((await old.listOffset(topic, 0, LATEST_TIMESTAMP)).errorCode, code.NOT_LEADER_OR_FOLLOWER);
      const fresh = await leaderOf(topic, 0, true);
      assert.notEqual(fresh.nodeId, old.nodeId);
      assert.equal(walkBatches((await fetchFrom(fresh, topic, 0, 0)).records).batches.length, 1);
    });

    // ---- the broker's checks on produced batches ----

    test('idempotent producer: a resent batch is acknowledged with its first offset and stored once; a gap in sequences is OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
      const topic = await newTopic('idempotent');
      const [b0, b1, b2] = await idempotentBatches([{ records: records(2, 'i') }, { records: records(3, 'j') }, { records: records(1, 'k') }]);
      assert.equal((await produce(topic, 0, b0!)).baseOffset, 0);
      assert.equal((await produce(topic, 0, b1!)).baseOffset, 2);
      assert.deepEqual(await produce(topic, 0, b1!), { partition: 0, errorCode: 0, baseOffset: 2 });
      assert.deepEqual(await produce(topic, 0, b0!), { partition: 0, errorCode: 0, baseOffset: 0 });
      assert.equal((await offsets(topic, 0)).latest, 5, 'the duplicates were not appended');
      const h2 = readBatchHeader(b2!, 0);
      const skipping = buildBatch({ records: records(1, 'gap'), producerId: h2.producerId, producerEpoch: h2.producerEpoch, baseSequence: 9 });
      assert.equal((await produce(topic, 0, skipping)).errorCode, code.OUT_OF_ORDER_SEQUENCE_NUMBER);
      assert.equal((await produce(topic, 0, b2!)).baseOffset, 5);
    });

    test('idempotent producer: only the last five batches are remembered; an older resend is out of order', async () => {
      const topic = await newTopic('idempotent-window');
      const batches = await idempotentBatches(Array.from({ length: 7 }, (_, i) => ({ records: records(1, `w${i}`) })));
      for (const [i, b] of batches.entries()) assert.equal((await produce(topic, 0, b)).baseOffset, i);
      assert.deepEqual(await produce(topic, 0, batches[2]!), { partition: 0, errorCode: 0, baseOffset: 2 });
      assert.equal((await produce(topic, 0, batches[1]!)).errorCode, code.OUT_OF_ORDER_SEQUENCE_NUMBER);
      assert.equal((await offsets(topic, 0)).latest, 7);
    });

    test('a new idempotent producer may start at any sequence', async () => {
      const topic = await newTopic('first-sequence');
      const { producerId, producerEpoch } = await (await t.anyBroker()).initProducerId();
      const late = buildBatch({ records: records(2, 'late'), producerId, producerEpoch, baseSequence: 42 });
      assert.deepEqual(await produce(topic, 0, late), { partition: 0, errorCode: 0, baseOffset: 0 });
    });

    test('refused batches: offset gaps, transactional and control batches, bad CRC, too large, keyless on compacted, old timestamp, unknown topic', async () => {
      const topic = await newTopic('refused', 1, { 'max.message.bytes': '2000', 'message.timestamp.before.max.ms': '3600000' });
      const compacted = await newTopic('refused-compacted', 1, { 'cleanup.policy': 'compact' });
      const gaps = buildBatch({ records: [{ offset: 0, timestamp: Date.now(), key: 'a', value: 'a' }, { offset: 2, timestamp: Date.now(), key: 'b', value: 'b' }] });
      assert.equal((await produce(topic, 0, gaps)).errorCode, code.INVALID_RECORD);
      const marker = buildControlBatch({ baseOffset: 0, producerId: 1, type: 'commit' });
      assert.equal((await produce(topic, 0, marker)).errorCode, code.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactional records without a transactional id');
      marker.writeInt16BE(attributeBits.control, batchLayout.attributes);
      writeBatchCrc(marker);
      assert.equal((await produce(topic, 0, marker)).errorCode, code.INVALID_RECORD, 'a control batch from a client');
      const corrupt = buildBatch({ records: records(1, 'crc') });
      corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
      assert.equal((await produce(topic, 0, corrupt)).errorCode, code.CORRUPT_MESSAGE);
      const large = buildBatch({ records: [{ timestamp: Date.now(), key: 'k', value: 'v'.repeat(3000) }] });
      assert.equal((await produce(topic, 0, large)).errorCode, code.MESSAGE_TOO_LARGE);
      const old = buildBatch({ records: [{ timestamp: Date.now() - 2 * 3600_000, key: 'k', value: 'v' }] });
      assert.equal((await produce(topic, 0, old)).errorCode, code.INVALID_TIMESTAMP);
      const keyless = buildBatch({ records: [{ timestamp: Date.now(), key: null, value: 'v' }] });
      assert.equal((await produce(compacted, 0, keyless)).errorCode, code.INVALID_RECORD);
      assert.equal((await offsets(topic, 0)).latest, 0, 'nothing was appended');
      const any = await t.anyBroker();
      const missing = await any.produce({ acks: -1, timeoutMs: 5000, topics: [{ topic: h.unique('missing'), partitions: [{ partition: 0, batch: buildBatch({ records: records(1, 'm') }) }] }] }, 10_000);
      assert.equal(missing.topics[0]!.partitions[0]!.errorCode, code.UNKNOWN_TOPIC_OR_PARTITION);
    });

    test('LogAppendTime topic: the broker stamps the append time into the stored batch', async () => {
      const topic = await newTopic('append-time', 1, { 'message.timestamp.type': 'LogAppendTime' });
      const before = Date.now();
      await produce(topic, 0, buildBatch({ records: records(2, 'lat', 1_600_000_000_000) }));
      const [b] = walkBatches((await fetchAt(topic, 0, 0)).records).batches;
      assert.ok(b!.header.attributes & attributeBits.logAppendTime);
      assert.ok(b!.header.maxTimestamp >= before - 1000 && b!.header.maxTimestamp <= Date.now() + 1000, `append time ${b!.header.maxTimestamp}`);
    });

    // ---- consumer groups and permissions ----

    test('committed offsets: commitOffsets on an empty group round trips; uncommitted partitions are -1; the group is Empty', async () => {
      const topic = await newTopic('group', 2);
      await produce(topic, 0, buildBatch({ records: records(5, 'g') }));
      const group = h.unique('group');
      const coordinator = await t.groupCoordinator(group);
      await coordinator.commitOffsets(group, [{ topic, partition: 0, offset: 3, metadata: 'meta' }]);
      const committed = await t.committedOffsets(group, [topic]);
      assert.deepEqual(
        committed.map((o) => [o.topic, o.partition, o.offset, o.offset >= 0 ? o.metadata : 'n/a']),
        [
          [topic, 0, 3, 'meta'],
          [topic, 1, -1, 'n/a'],
        ],
      );
      await coordinator.commitOffsets(group, [{ topic, partition: 1, offset: 0, metadata: null }]);
      const second = await t.committedOffsets(group, [topic]);
      assert.deepEqual(second.map((o) => [o.partition, o.offset, o.metadata]), [[0, 3, 'meta'], [1, 0, null]], 'a null commit metadata reads back null');
      assert.ok((await t.listGroups()).includes(group));
      assert.deepEqual(await t.describeGroups([group]), [{ groupId: group, state: 'Empty', members: 0 }]);
      const unknown = h.unique('no-group');
      assert.deepEqual(await t.describeGroups([unknown]), [{ groupId: unknown, state: 'Dead', members: 0 }]);
    });

    test('commitOffsets to a group with an active member is refused (KAFKA_PROTOCOL)', async (tc) => {
      if (!need(tc, h.holdGroup, 'an active group member')) return;
      const topic = await newTopic('held', 1);
      const group = h.unique('held-group');
      const member = await h.holdGroup!(group, topic);
      try {
        const [described] = await t.describeGroups([group]);
        assert.ok(described!.members >= 1);
        assert.equal(described!.state, 'Stable');
        await assert.rejects((await t.groupCoordinator(group)).commitOffsets(group, [{ topic, partition: 0, offset: 0, metadata: null }]), (err: unknown) => {
          assert.ok(isKafkaBackupError(err, 'KAFKA_PROTOCOL'), String(err));
          assert.equal(err.details.kafkaError, 'UNKNOWN_MEMBER_ID');
          return true;
        });
      } finally {
        await member.stop();
      }
    });

    if (multiBroker) test('commitOffsets at a broker that is not the coordinator: NOT_COORDINATOR, retryable', async () => {
      const brokers = await t.brokers();
      assert.ok(brokers.length > 1, `${name}: ${options.brokers} brokers expected, the cluster lists ${brokers.length}`);
      const group = h.unique('elsewhere');
      const coordinator = await t.groupCoordinator(group);
      const other = await t.broker(brokers.find((b) => b.nodeId !== coordinator.nodeId)!.nodeId);
      const topic = await newTopic('elsewhere');
      await assert.rejects(other.commitOffsets(group, [{ topic, partition: 0, offset: 0, metadata: null }]), (err: unknown) => {
        assert.ok(isKafkaBackupError(err, 'KAFKA_PROTOCOL'), String(err));
        assert.equal(err.details.kafkaError, 'NOT_COORDINATOR');
        assert.equal(err.retryable, true);
        return true;
      });
    });

    test('authorized operations: everything allowed without ACLs; a missing topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
      const topic = await newTopic('ops');
      const missing = h.unique('missing');
      const ops = await (await t.anyBroker()).clusterOperations([topic, missing]);
      assert.equal(ops.clusterAuthorizedOperations, CLUSTER_OPERATIONS);
      const byName = new Map(ops.topics.map((x) => [x.name, x]));
      assert.deepEqual(byName.get(topic), { name: topic, errorCode: 0, authorizedOperations: TOPIC_OPERATIONS });
      assert.equal(byName.get(missing)?.errorCode, code.UNKNOWN_TOPIC_OR_PARTITION);
      const group = h.unique('ops-group');
      assert.deepEqual(await (await t.groupCoordinator(group)).groupOperations([group]), [{ groupId: group, errorCode: 0, authorizedOperations: GROUP_OPERATIONS }]);
    });
  });
}
