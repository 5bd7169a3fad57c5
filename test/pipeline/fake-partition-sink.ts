// Test helper: an in-memory stand-in for one partition of an idempotent Kafka broker, behind the
// ProducerSinkOps seam PartitionProducer uses. Batches are identified by their bytes ("batch-<i>:<n>"
// for batch i of n records). Requests are handled one at a time in call order, as the real sink
// sends a partition's requests in order on one connection. The broker model:
// - the expected next batch is written at the log end offset and answered with that baseOffset;
// - a batch already written is a duplicate: answered with its original offset (or error 46);
// - a batch beyond the expected one is a sequence gap: error 45 (OUT_OF_ORDER_SEQUENCE_NUMBER);
// - `faults` script exceptions per (batch, attempt): a Kafka error code without writing, a
//   transport error before writing, or a write whose response is lost.

import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaBackupError } from '../../src/errors.js';
import type { ProduceOutcome } from '../../src/kafka/sink.js';
import type { ProducerSinkOps } from '../../src/pipeline/restore/partition-producer.js';
import type { OutgoingBatch } from '../../src/pipeline/restore/produce-batcher.js';

export type Fault =
  | { errorCode: number } // answered with this code, nothing written
  | { throws: 'retryable' | 'fatal' } // transport error, nothing written
  | { lostResponse: true } // written, but the caller sees a retryable transport error
  | { outcome: ProduceOutcome }; // answered with exactly this

export interface SinkCall {
  topic: string;
  partition: number;
  bytes: Buffer;
  batch: number;
  attempt: number;
  /** Requests outstanding when this one was made, itself included. */
  outstandingAtCall: number;
  /** What the caller received: an outcome, or the thrown error. */
  result?: ProduceOutcome | { thrown: unknown };
}

export function outgoing(batch: number, records: number): OutgoingBatch {
  return { bytes: Buffer.from(`batch-${batch}:${records}`), recordCount: records, sourceRanges: [{ first: batch * 1000, last: batch * 1000 + records - 1 }] };
}

export function skipped(batch: number, records: number): OutgoingBatch {
  return { ...outgoing(batch, records), bytes: undefined };
}

export class FakePartitionSink implements ProducerSinkOps {
  readonly calls: SinkCall[] = [];
  forgotten = 0;
  outstanding = 0;
  maxOutstanding = 0;
  /** Batch index -> offset it was written at. */
  readonly written = new Map<number, number>();
  private expected = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly attempts = new Map<number, number>();

  /**
   * @param logEnd the partition's log end offset
   * @param faults what happens to attempt `attempt` (0 = first send) of batch `batch`
   * @param duplicateCode how duplicates are answered: 0 (original offset) or 46
   */
  constructor(
    public logEnd: number,
    private readonly faults: (batch: number, attempt: number) => Fault | undefined = () => undefined,
    private readonly duplicateCode: 0 | 46 = 0,
    private readonly delayMs = 1,
  ) {}

  /** Another producer appends n records to the partition. */
  foreignWrite(n: number): void {
    this.logEnd += n;
  }

  produce(topic: string, partition: number, bytes: Buffer): Promise<ProduceOutcome> {
    const m = /^batch-(\d+):(\d+)$/.exec(bytes.toString());
    if (!m) throw new Error(`unexpected bytes ${bytes.toString()}`);
    const batch = Number(m[1]);
    const records = Number(m[2]);
    const attempt = this.attempts.get(batch) ?? 0;
    this.attempts.set(batch, attempt + 1);
    this.outstanding++;
    const call: SinkCall = { topic, partition, bytes, batch, attempt, outstandingAtCall: this.outstanding };
    this.calls.push(call);
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const result = this.queue.then(async () => {
      await sleep(this.delayMs);
      return this.handle(batch, records, this.faults(batch, attempt));
    });
    this.queue = result.catch(() => undefined);
    return result.then(
      (outcome) => {
        this.outstanding--;
        call.result = outcome;
        return outcome;
      },
      (err: unknown) => {
        this.outstanding--;
        call.result = { thrown: err };
        throw err;
      },
    );
  }

  forgetLeader(): void {
    this.forgotten++;
  }

  private handle(batch: number, records: number, fault: Fault | undefined): ProduceOutcome {
    if (fault && 'errorCode' in fault) return { errorCode: fault.errorCode, baseOffset: -1 };
    if (fault && 'outcome' in fault) return fault.outcome;
    if (fault && 'throws' in fault) {
      throw new KafkaBackupError('KAFKA_UNREACHABLE', `connection lost (${fault.throws})`, { retryable: fault.throws === 'retryable' });
    }
    const prior = this.written.get(batch);
    let outcome: ProduceOutcome;
    if (prior !== undefined) outcome = this.duplicateCode === 46 ? { errorCode: 46, baseOffset: -1 } : { errorCode: 0, baseOffset: prior };
    else if (batch !== this.expected) outcome = { errorCode: 45, baseOffset: -1 };
    else {
      this.written.set(batch, this.logEnd);
      outcome = { errorCode: 0, baseOffset: this.logEnd };
      this.logEnd += records;
      this.expected++;
    }
    if (fault && 'lostResponse' in fault) {
      throw new KafkaBackupError('KAFKA_UNREACHABLE', 'response lost', { retryable: true });
    }
    return outcome;
  }
}
