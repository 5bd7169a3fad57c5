// Counters the pipelines update and the CLI reads for progress lines and the final summary.

export class TransferStats {
  readonly startedAt = Date.now();
  records = 0;
  batches = 0;
  /** Kafka bytes moved: RecordBatch bytes fetched (backup) or produced (restore). */
  rawBytes = 0;
  /** Bytes written to (backup) or read from (restore) storage. */
  storedBytes = 0;
  segments = 0;
  abortedRecords = 0;
  partitionsTotal = 0;
  partitionsDone = 0;
  gaps = 0;
  /** Consumer groups captured (backup) or committed on the target (restore). */
  consumerGroups = 0;
  /** Restore: records without a key left out for compacted targets (restore.keyless_records: skip). */
  keylessSkipped = 0;

  elapsedMs(now = Date.now()): number {
    return Math.max(1, now - this.startedAt);
  }

  summary(now = Date.now()) {
    const seconds = this.elapsedMs(now) / 1000;
    return {
      records: this.records,
      batches: this.batches,
      raw_bytes: this.rawBytes,
      stored_bytes: this.storedBytes,
      segments: this.segments,
      aborted_records: this.abortedRecords,
      partitions: this.partitionsTotal,
      gaps: this.gaps,
      consumer_groups: this.consumerGroups,
      keyless_skipped: this.keylessSkipped,
      duration_ms: Math.round(seconds * 1000),
      records_per_sec: Math.round(this.records / seconds),
      mb_per_sec: Number((this.rawBytes / 1e6 / seconds).toFixed(2)),
      compression_ratio: this.storedBytes > 0 ? Number((this.rawBytes / this.storedBytes).toFixed(2)) : null,
    };
  }
}

export type TransferSummary = ReturnType<TransferStats['summary']>;
