import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { isKafkaBackupError } from '../../../src/errors.js';
import { PartitionProducer } from '../../../src/pipeline/restore/partition-producer.js';
import type { OutgoingBatch } from '../../../src/pipeline/restore/produce-batcher.js';
import { FakePartitionSink, outgoing, skipped, type Fault } from '../fake-partition-sink.js';
import { assertFailsWith } from '../../assert-error.js';

const TOPIC = 'orders';
const PARTITION = 3;
const START = 100;
const log = pino({ level: 'silent' });

interface Ack {
  item: OutgoingBatch;
  targetFirst: number;
}

function producerFor(sink: FakePartitionSink, opts: { maxInFlight?: number; retries?: number; start?: number } = {}) {
  const acks: Ack[] = [];
  const producer = new PartitionProducer(
    sink,
    TOPIC,
    PARTITION,
    opts.start ?? START,
    { maxInFlight: opts.maxInFlight ?? 3, retries: opts.retries ?? 3, retryBackoffMs: 1, log },
    (item, targetFirst) => acks.push({ item, targetFirst }),
  );
  return { producer, acks };
}

async function sendAll(producer: PartitionProducer, items: OutgoingBatch[]): Promise<void> {
  for (const item of items) await producer.send(item);
  await producer.drain();
}

/** n batches with 1..4 records each. */
const batches = (n: number) => Array.from({ length: n }, (_, i) => outgoing(i, 1 + (i % 4)));

/** Acks are the items in order, each at the offset after the previous one's records. */
function assertDenseAcks(acks: Ack[], items: OutgoingBatch[], start = START): void {
  assert.deepEqual(acks.map((a) => a.item), items, 'every item acknowledged once, in order');
  let next = start;
  for (const a of acks) {
    assert.equal(a.targetFirst, next);
    next += a.item.recordCount;
  }
}

/** The sink wrote each sent batch exactly once, at the offset the ack reported. */
function assertWrittenOnce(sink: FakePartitionSink, acks: Ack[]): void {
  for (const a of acks) {
    if (a.item.bytes === undefined) continue;
    const batch = Number(/^batch-(\d+)/.exec(a.item.bytes.toString())![1]);
    assert.equal(sink.written.get(batch), a.targetFirst, `batch ${batch} written at its acked offset`);
  }
}

function faultsAt(script: Record<string, Fault>) {
  return (batch: number, attempt: number) => script[`${batch}/${attempt}`];
}

describe('PartitionProducer: the normal path', () => {
  test('acks in order at dense target offsets, with at most maxInFlight requests outstanding', async () => {
    const sink = new FakePartitionSink(START);
    const { producer, acks } = producerFor(sink, { maxInFlight: 3 });
    const items = batches(20);
    await sendAll(producer, items);
    assertDenseAcks(acks, items);
    assertWrittenOnce(sink, acks);
    assert.equal(sink.calls.length, 20);
    assert.equal(sink.maxOutstanding, 3, 'the window is used and not exceeded');
    assert.ok(sink.calls.every((c) => c.topic === TOPIC && c.partition === PARTITION));
    assert.equal(sink.forgotten, 0);
  });

  test('maxInFlight 1 sends one request at a time', async () => {
    const sink = new FakePartitionSink(START);
    const { producer, acks } = producerFor(sink, { maxInFlight: 1 });
    await sendAll(producer, batches(6));
    assert.equal(sink.maxOutstanding, 1);
    assertDenseAcks(acks, batches(6));
  });

  test('an ack is reported only once the broker answered', async () => {
    const sink = new FakePartitionSink(START, undefined, 0, 20);
    const { producer, acks } = producerFor(sink, { maxInFlight: 5 });
    await producer.send(outgoing(0, 2));
    await producer.send(outgoing(1, 2));
    assert.equal(acks.length, 0, 'nothing acknowledged while both are in flight');
    await producer.drain();
    assert.equal(acks.length, 2);
  });

  test('skipped items are acked in order without a produce call', async () => {
    const sink = new FakePartitionSink(START + 5);
    const { producer, acks } = producerFor(sink, { maxInFlight: 2 });
    const items = [skipped(100, 3), skipped(101, 2), outgoing(0, 4), outgoing(1, 1), outgoing(2, 2)];
    // The skipped records are already in the target (START..START+4): produced ones follow them.
    await sendAll(producer, items);
    assertDenseAcks(acks, items);
    assert.deepEqual(sink.calls.map((c) => c.batch), [0, 1, 2]);
    assertWrittenOnce(sink, acks);
  });

  test('drain with nothing sent returns', async () => {
    const sink = new FakePartitionSink(START);
    const { producer, acks } = producerFor(sink);
    await producer.drain();
    assert.equal(acks.length, 0);
  });
});

describe('PartitionProducer: recovery', () => {
  test('a retryable error on the oldest: in-flight batches settle, failed ones are re-sent alone, in order, with the same bytes', async () => {
    // Batch 3 hits a leader change; 4 and 5, in flight behind it, get sequence gaps (45).
    const sink = new FakePartitionSink(START, faultsAt({ '3/0': { errorCode: 6 } }));
    const { producer, acks } = producerFor(sink, { maxInFlight: 3 });
    const items = batches(9);
    await sendAll(producer, items);
    assertDenseAcks(acks, items);
    assertWrittenOnce(sink, acks);
    assert.deepEqual(sink.calls.map((c) => c.batch), [0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(sink.calls.slice(3, 6).map((c) => c.result), [
      { errorCode: 6, baseOffset: -1 },
      { errorCode: 45, baseOffset: -1 },
      { errorCode: 45, baseOffset: -1 },
    ]);
    // Each re-send carries exactly the bytes of the first send (same sequence numbers).
    for (const b of [3, 4, 5]) {
      const sends = sink.calls.filter((c) => c.batch === b);
      assert.equal(sends.length, 2);
      assert.equal(sends[1]!.bytes, sends[0]!.bytes);
    }
    assert.ok(sink.forgotten >= 1, 'the leader is looked up again');
    // Re-sends happen alone: the next one starts after the previous one answered.
    assert.deepEqual(sink.calls.slice(6, 9).map((c) => c.outstandingAtCall), [1, 1, 1]);
  });

  test('a lost response: the batch was written; batches behind it succeeded and are not re-sent', async () => {
    const sink = new FakePartitionSink(START, faultsAt({ '2/0': { lostResponse: true } }));
    const { producer, acks } = producerFor(sink, { maxInFlight: 3 });
    const items = batches(7);
    await sendAll(producer, items);
    assertDenseAcks(acks, items);
    assertWrittenOnce(sink, acks);
    // Only batch 2 is sent again; the broker recognizes it and answers with its original offset.
    assert.deepEqual(sink.calls.map((c) => c.batch), [0, 1, 2, 3, 4, 2, 5, 6]);
    assert.deepEqual(sink.calls[5]!.result, { errorCode: 0, baseOffset: sink.written.get(2) });
  });

  test('DUPLICATE_SEQUENCE_NUMBER (46) on a re-send counts as success', async () => {
    const sink = new FakePartitionSink(START, faultsAt({ '0/0': { lostResponse: true } }), 46);
    const { producer, acks } = producerFor(sink, { maxInFlight: 2 });
    const items = batches(4);
    await sendAll(producer, items);
    assertDenseAcks(acks, items);
    assertWrittenOnce(sink, acks);
    assert.deepEqual(sink.calls.map((c) => c.batch), [0, 1, 0, 2, 3]);
    assert.deepEqual(sink.calls[2]!.result, { errorCode: 46, baseOffset: -1 });
  });

  test('a retryable transport error before the write is retried like an error code', async () => {
    const sink = new FakePartitionSink(START, faultsAt({ '1/0': { throws: 'retryable' }, '1/1': { throws: 'retryable' } }));
    const { producer, acks } = producerFor(sink, { maxInFlight: 2, retries: 2 });
    const items = batches(4);
    await sendAll(producer, items);
    assertDenseAcks(acks, items);
    assertWrittenOnce(sink, acks);
    assert.equal(sink.calls.filter((c) => c.batch === 1).length, 3);
  });

  test('OUT_OF_ORDER_SEQUENCE_NUMBER on a batch with no failure before it is fatal', async () => {
    for (const batch of [0, 4]) {
      const sink = new FakePartitionSink(START, faultsAt({ [`${batch}/0`]: { errorCode: 45 } }));
      const { producer, acks } = producerFor(sink, { maxInFlight: 3 });
      await assertFailsWith(sendAll(producer, batches(8)), 'KAFKA_PROTOCOL', /OUT_OF_ORDER_SEQUENCE_NUMBER/);
      assert.equal(acks.length, batch, `batches before ${batch} were acknowledged`);
      assert.equal(sink.calls.filter((c) => c.batch === batch).length, 1, 'not retried');
    }
  });

  test('a non-retryable error code is thrown as a KafkaBackupError naming the topic and partition', async () => {
    const sink = new FakePartitionSink(START, faultsAt({ '2/0': { errorCode: 10 } }));
    const { producer } = producerFor(sink);
    await assert.rejects(sendAll(producer, batches(5)), (err: unknown) => {
      assert.ok(isKafkaBackupError(err, 'KAFKA_PROTOCOL'));
      assert.match(err.message, /orders\/3/);
      assert.match(err.message, /MESSAGE_TOO_LARGE/);
      assert.deepEqual(err.details, { topic: TOPIC, partition: PARTITION });
      return true;
    });
    assert.equal(sink.calls.filter((c) => c.batch === 2).length, 1, 'not retried');
  });

  test('a non-retryable error code during recovery is thrown too', async () => {
    const sink = new FakePartitionSink(START, faultsAt({ '1/0': { errorCode: 6 }, '1/1': { errorCode: 10 } }));
    const { producer, acks } = producerFor(sink);
    await assertFailsWith(sendAll(producer, batches(5)), 'KAFKA_PROTOCOL', /MESSAGE_TOO_LARGE/);
    assert.equal(acks.length, 1);
  });

  test('a non-retryable error thrown by the sink is rethrown as it is', async () => {
    const sink = new FakePartitionSink(START, faultsAt({ '1/0': { throws: 'fatal' } }));
    const { producer } = producerFor(sink);
    await assertFailsWith(sendAll(producer, batches(4)), 'KAFKA_UNREACHABLE', /connection lost \(fatal\)/);
    assert.equal(sink.calls.filter((c) => c.batch === 1).length, 1);
  });

  test('records landing at an unexpected offset: RESTORE_CONFLICT', async () => {
    // Another producer wrote 5 records before the restore's first batch.
    const sink = new FakePartitionSink(START + 5);
    const { producer, acks } = producerFor(sink);
    await assertFailsWith(sendAll(producer, batches(3)), 'RESTORE_CONFLICT', /offset 105, expected 100/);
    assert.equal(acks.length, 0);

    // ...or in the middle of the restore.
    const sink2 = new FakePartitionSink(START);
    const { producer: p2, acks: acks2 } = producerFor(sink2, { maxInFlight: 1 });
    await p2.send(outgoing(0, 2));
    await p2.send(outgoing(1, 2));
    await p2.drain();
    sink2.foreignWrite(1);
    await assertFailsWith(
      (async () => {
        for (let i = 2; i < 5; i++) await p2.send(outgoing(i, 1));
        await p2.drain();
      })(),
      'RESTORE_CONFLICT',
      /orders\/3/,
    );
    assert.equal(acks2.length, 2);
  });

  test('retries exhausted: the last error is thrown after 1 + retries sends', async () => {
    const always6 = (batch: number) => (batch === 2 ? { errorCode: 6 } : undefined);
    const sink = new FakePartitionSink(START, always6);
    const { producer, acks } = producerFor(sink, { retries: 3 });
    await assertFailsWith(sendAll(producer, batches(6)), 'KAFKA_PROTOCOL', /NOT_LEADER/);
    assert.equal(sink.calls.filter((c) => c.batch === 2).length, 4);
    assert.equal(acks.length, 2);

    const alwaysThrows = (batch: number): Fault | undefined => (batch === 0 ? { throws: 'retryable' } : undefined);
    const sink2 = new FakePartitionSink(START, alwaysThrows);
    const { producer: p2 } = producerFor(sink2, { retries: 2 });
    await assertFailsWith(sendAll(p2, batches(2)), 'KAFKA_UNREACHABLE');
    assert.equal(sink2.calls.filter((c) => c.batch === 0).length, 3);
  });

  test('retries 0: a retryable failure is not retried', async () => {
    const sink = new FakePartitionSink(START, faultsAt({ '0/0': { errorCode: 6 } }));
    const { producer } = producerFor(sink, { retries: 0 });
    await assertFailsWith(sendAll(producer, batches(2)), 'KAFKA_PROTOCOL');
    assert.equal(sink.calls.filter((c) => c.batch === 0).length, 1);
  });

  test('random faults (seeded): every batch is written exactly once and acked in order at its offset', async () => {
    const faults: Fault[] = [{ errorCode: 6 }, { errorCode: 7 }, { lostResponse: true }, { throws: 'retryable' }];
    let faulted = 0;
    for (let seed = 1; seed <= 20; seed++) {
      let state = seed;
      const random = () => {
        state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
        return state / 2 ** 32;
      };
      const script = new Map<string, Fault | undefined>();
      const fault = (batch: number, attempt: number) => {
        const key = `${batch}/${attempt}`;
        if (!script.has(key)) script.set(key, random() < 0.2 ? faults[Math.floor(random() * faults.length)] : undefined);
        return script.get(key);
      };
      const sink = new FakePartitionSink(START, fault, seed % 2 === 0 ? 0 : 46, 0);
      const { producer, acks } = producerFor(sink, { maxInFlight: 1 + (seed % 5), retries: 50 });
      const items = batches(30);
      await sendAll(producer, items);
      assertDenseAcks(acks, items);
      assertWrittenOnce(sink, acks);
      assert.equal(sink.written.size, 30, `seed ${seed}`);
      faulted += [...script.values()].filter((f) => f !== undefined).length;
    }
    assert.ok(faulted > 50, `${faulted} faults injected`);
  });
});
