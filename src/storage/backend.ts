// The storage seam. Every backend (filesystem now; S3, Azure Blob and GCS later) implements this
// interface and passes test/conformance/storage-backend.suite.ts. Keys are '/'-separated relative
// paths such as "orders-backup/topics/orders/0/manifest.json"; a backend maps them to its own
// namespace (a directory, a bucket plus prefix). Backends classify their own errors into
// KafkaBackupError codes (STORAGE_NOT_FOUND, STORAGE_PRECONDITION, STORAGE_PERMISSION, STORAGE_IO
// with retryable set), so no code above this seam inspects SDK or errno errors.
//
// Key rules (src/storage/keys.ts, INTERNAL when broken): no empty, '.' or '..' segment, no leading
// '/', no backslash or NUL. A key must not also be used as a directory of other keys ("a" and
// "a/b"): a filesystem cannot hold both. list() order is by UTF-8 bytes (compareKeys).
// Optional extras (paged listing, temp-file sweeping, prefetch) are in src/storage/capabilities.ts.

export interface ObjectInfo {
  key: string;
  size: number;
  /**
   * Opaque version token for conditional writes (an ETag, a generation, a content hash). A version
   * with different content never carries an earlier version's etag, so ifMatch detects any change;
   * whether rewriting identical content changes the etag is up to the backend.
   */
  etag: string;
}

export interface PutOptions {
  /** Create only: fail with STORAGE_PRECONDITION when the object already exists. */
  ifNoneMatch?: boolean;
  /** Replace only the version with this etag: fail with STORAGE_PRECONDITION otherwise. */
  ifMatch?: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, exclusive. */
  end: number;
}

/**
 * A streamed upload. Bytes written are invisible to readers until finish() resolves; after
 * abort() or a crash nothing is visible under the key (a partial object never appears).
 * write() resolves when the chunk may be reused by the caller (backpressure point).
 */
export interface ObjectWriter {
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<ObjectInfo>;
  abort(): Promise<void>;
}

export interface StorageBackend {
  /** 'filesystem', 's3', 'azure', 'gcs': used in messages and metrics. */
  readonly kind: string;
  /** Where this backend points, for messages (never contains secrets). */
  readonly location: string;

  /** Whole-object write, atomic: readers see the old or the new content, never a mix. */
  put(key: string, data: Buffer, options?: PutOptions): Promise<ObjectInfo>;
  /** Streamed write for large objects (segments). Until finish() an older version stays readable. */
  createWriter(key: string): ObjectWriter;
  /**
   * Whole object, or a byte range of it. STORAGE_NOT_FOUND when missing. A range reaching past the
   * end is STORAGE_IO (a short read): callers take ranges from indexes and know the sizes.
   */
  get(key: string, range?: ByteRange): Promise<Buffer>;
  /** Object metadata, or undefined when missing. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * Every object whose key starts with prefix (a plain string prefix, not a directory: "a/b" also
   * matches "a/b-x" and "a/bc/d"), in lexicographic key order. Objects still being written by a
   * writer are not listed.
   */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Remove an object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
