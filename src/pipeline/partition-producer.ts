// Sends one partition's batches in order with up to `maxInFlight` unacknowledged, under an
// idempotent producer identity, and reports each batch once it is acknowledged, in order.
//
// Recovery: when the oldest batch fails with a retryable error, batches behind it fail too (the
// broker rejects sequence numbers that skip one: OUT_OF_ORDER_SEQUENCE_NUMBER) or succeeded (when
// the failure was a lost response to a write that happened). So we let every in-flight batch
// settle, then walk them in order: one that succeeded is acknowledged; one that failed is sent
// again, alone, with the same bytes and sequence numbers until it succeeds. The broker recognizes a
// repeat of a batch it already has (DUPLICATE_SEQUENCE_NUMBER, or success with the original
// offset), so nothing is written twice.
import type { Logger } from 'pino';
import { KafkaBackupError, isKafkaBackupError } from '../errors.js';
import { protocolError } from '../kafka/protocol-errors.js';
import type { KafkaSink, ProduceOutcome } from '../kafka/sink.js';
import type { OutgoingBatch } from './produce-batcher.js';

const DUPLICATE_SEQUENCE_NUMBER = 46;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

interface InFlight {
  item: OutgoingBatch;
  outcome: Promise<ProduceOutcome | { failure: unknown }>;
}

export interface ProducerSinkOps extends Pick<KafkaSink, 'produce'> {
  forgetLeader?(topic: string, partition: number): void;
}

export class PartitionProducer {
  private window: InFlight[] = [];

  /**
   * @param nextTarget the target offset the next acknowledged record lands at
   * @param onAck called in order for every batch, with the target offset of its first record
   */
  constructor(
    private readonly sink: ProducerSinkOps,
    private readonly topic: string,
    private readonly partition: number,
    private nextTarget: number,
    private readonly opts: { maxInFlight: number; retries: number; retryBackoffMs: number; log: Logger },
    private readonly onAck: (item: OutgoingBatch, targetFirst: number) => void,
  ) {}

  async send(item: OutgoingBatch): Promise<void> {
    while (this.window.length >= this.opts.maxInFlight) await this.settleOldest();
    if (item.bytes === undefined && this.window.length === 0) {
      this.ack(item);
      return;
    }
    this.window.push({ item, outcome: this.produce(item) });
  }

  /** Wait until everything sent is acknowledged. */
  async drain(): Promise<void> {
    while (this.window.length > 0) await this.settleOldest();
  }

  private produce(item: OutgoingBatch): InFlight['outcome'] {
    if (item.bytes === undefined) return Promise.resolve({ errorCode: 0, baseOffset: -1 });
    return this.sink.produce(this.topic, this.partition, item.bytes).catch((failure: unknown) => ({ failure }));
  }

  private async settleOldest(): Promise<void> {
    const oldest = this.window[0]!;
    const result = await oldest.outcome;
    if (this.accept(oldest.item, result)) {
      this.window.shift();
      return;
    }
    if (!this.retryable(result, false)) throw this.failure(result);
    await this.recover();
  }

  private async recover(): Promise<void> {
    const entries = this.window;
    this.window = [];
    const settled = await Promise.all(entries.map((e) => e.outcome));
    this.sink.forgetLeader?.(this.topic, this.partition);
    for (let i = 0; i < entries.length; i++) {
      const item = entries[i]!.item;
      let result = settled[i]!;
      for (let attempt = 0; !this.accept(item, result); attempt++) {
        if (attempt >= this.opts.retries || !this.retryable(result, i > 0 || attempt > 0)) throw this.failure(result);
        const delay = Math.min(10_000, this.opts.retryBackoffMs * 2 ** attempt);
        this.opts.log.warn({ topic: this.topic, partition: this.partition, attempt: attempt + 1, reason: this.reason(result) }, 'produce failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
        this.sink.forgetLeader?.(this.topic, this.partition);
        result = await this.produce(item);
      }
    }
  }

  /** Acknowledge a successful result (in order); false when the result is a failure. */
  private accept(item: OutgoingBatch, result: ProduceOutcome | { failure: unknown }): boolean {
    if ('failure' in result) return false;
    if (result.errorCode !== 0 && result.errorCode !== DUPLICATE_SEQUENCE_NUMBER) return false;
    if (result.errorCode === 0 && result.baseOffset >= 0 && result.baseOffset !== this.nextTarget) {
      throw new KafkaBackupError(
        'RESTORE_CONFLICT',
        `${this.topic}/${this.partition}: records landed at offset ${result.baseOffset}, expected ${this.nextTarget}; ` +
          'another producer is writing to this partition during the restore',
        { topic: this.topic, partition: this.partition },
      );
    }
    this.ack(item);
    return true;
  }

  private ack(item: OutgoingBatch): void {
    this.onAck(item, this.nextTarget);
    this.nextTarget += item.recordCount;
  }

  /** Retryable: transport errors and retriable Kafka errors; a sequence gap only after a failure. */
  private retryable(result: ProduceOutcome | { failure: unknown }, afterFailure: boolean): boolean {
    if ('failure' in result) return isKafkaBackupError(result.failure) && result.failure.retryable;
    if (result.errorCode === OUT_OF_ORDER_SEQUENCE_NUMBER) return afterFailure;
    return protocolError(result.errorCode).retriable;
  }

  private reason(result: ProduceOutcome | { failure: unknown }): string {
    if ('failure' in result) return (result.failure as Error)?.message ?? String(result.failure);
    return protocolError(result.errorCode).name;
  }

  private failure(result: ProduceOutcome | { failure: unknown }): KafkaBackupError {
    if ('failure' in result && isKafkaBackupError(result.failure)) return result.failure;
    return new KafkaBackupError('KAFKA_PROTOCOL', `producing to ${this.topic}/${this.partition}: ${this.reason(result)}`, {
      topic: this.topic,
      partition: this.partition,
      ...('failure' in result ? { cause: result.failure } : {}),
    });
  }
}
