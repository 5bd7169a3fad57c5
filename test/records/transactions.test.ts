import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { walkBatches } from '../../src/records/batch.js';
import { AbortedTransactionFilter, type AbortedTransaction } from '../../src/records/transactions.js';
import { buildBatch, buildControlBatch } from './build.js';

const data = (baseOffset: number, producerId: number, transactional = true): Buffer =>
  buildBatch({
    baseOffset,
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
    transactional,
    records: [{ timestamp: 1_700_000_000_000 + baseOffset, key: `k${baseOffset}`, value: 'v' }],
  });

/** Base offsets of the data batches the filter lets through (control batches are the caller's business). */
function visible(batches: Buffer[], aborted: AbortedTransaction[] | null): number[] {
  const filter = new AbortedTransactionFilter(aborted);
  const out: number[] = [];
  for (const { header, bytes } of walkBatches(Buffer.concat(batches)).batches) {
    const isAborted = filter.isAborted(header, bytes);
    if (header.isControl) assert.equal(isAborted, false);
    else if (!isAborted) out.push(header.baseOffset);
  }
  return out;
}

describe('AbortedTransactionFilter', () => {
  test('interleaved producers: only the aborted producer’s batches are dropped', () => {
    const batches = [
      data(0, 1), // txn A (aborted)
      data(1, 2), // txn B (committed)
      data(2, 1),
      data(3, 9, false), // plain idempotent-less batch
      buildControlBatch({ baseOffset: 4, producerId: 2, type: 'commit' }),
      data(5, 1),
      buildControlBatch({ baseOffset: 6, producerId: 1, type: 'abort' }),
    ];
    assert.deepEqual(visible(batches, [{ producerId: 1, firstOffset: 0 }]), [1, 3]);
    assert.deepEqual(visible(batches, null), [0, 1, 2, 3, 5]);
    assert.deepEqual(visible(batches, []), [0, 1, 2, 3, 5]);
  });

  test('an ABORT marker clears the producer: its next transaction is visible unless also listed', () => {
    const batches = [
      data(10, 1),
      buildControlBatch({ baseOffset: 11, producerId: 1, type: 'abort' }),
      data(12, 1), // second transaction of the same producer, committed
      buildControlBatch({ baseOffset: 13, producerId: 1, type: 'commit' }),
      data(14, 1), // third, aborted
      buildControlBatch({ baseOffset: 15, producerId: 1, type: 'abort' }),
    ];
    const aborted = [
      { producerId: 1, firstOffset: 14 },
      { producerId: 1, firstOffset: 10 },
    ]; // unsorted on purpose
    assert.deepEqual(visible(batches, aborted), [12]);
  });

  test('a transaction that began before the fetched range is still dropped', () => {
    const batches = [data(100, 7), data(101, 8), data(102, 7), buildControlBatch({ baseOffset: 103, producerId: 7, type: 'abort' })];
    assert.deepEqual(visible(batches, [{ producerId: 7, firstOffset: 50 }]), [101]);
  });

  test('a COMMIT marker does not clear an aborted producer, and non-transactional batches are never aborted', () => {
    const batches = [
      data(0, 4),
      buildControlBatch({ baseOffset: 1, producerId: 4, type: 'commit' }),
      data(2, 4),
      data(3, 4, false),
    ];
    assert.deepEqual(visible(batches, [{ producerId: 4, firstOffset: 0 }]), [3]);
  });

  test('an aborted transaction is applied only from its first offset on', () => {
    const batches = [data(0, 5), buildControlBatch({ baseOffset: 1, producerId: 5, type: 'commit' }), data(2, 5)];
    assert.deepEqual(visible(batches, [{ producerId: 5, firstOffset: 2 }]), [0]);
  });
});
