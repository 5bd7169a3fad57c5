// StorageBackend on a local or mounted directory. Object "a/b/c" is the file <root>/a/b/c.
//
// Atomicity comes from the directory entry, never from writing in place: every write goes to a
// fsynced temp file next to the target that is then renamed over it (replace), hard-linked to it
// (ifNoneMatch: link fails when the name exists) or renamed under a lock (ifMatch, see lock.ts);
// the directory is fsynced afterwards so the new entry survives a crash. Etags: see files.ts.
//
// Files and directories are created owner-only by default (storage.permissions, modes.ts): temp,
// lock and object files alike, since objects are renamed or linked from their temp file.
//
// Internal files start with '.' (`.<name>.tmp-<16 hex>`, `.<name>.lock`); keys whose last segment
// looks like one are rejected, everything else a key may hold is stored as is. Each segment must
// fit the filesystem's name limit (255 bytes on most), minus 23 bytes for the temp suffix.
//
// Conditional writes are atomic against other conditional writes to the same directory, from this
// or another process. An unconditional put() or delete() racing an ifMatch put() on the same key
// can be overwritten by it, as with a last-writer-wins store.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KafkaBackupError } from '../../errors.js';
import type { ByteRange, ObjectInfo, ObjectWriter, PutOptions, StorageBackend } from '../backend.js';
import type { PagedLister, TemporarySweeper } from '../capabilities.js';
import { validateKey, validatePrefix } from '../keys.js';
import { errnoCode, mapFsError, type FsVerb } from './errors.js';
import {
  ensureDir,
  ensureNewerMtime,
  etagOf,
  fsyncDir,
  isInternalName,
  lockPathFor,
  removeQuietly,
  statFile,
  writeTempFile,
} from './files.js';
import { listPages, sweepTempFiles } from './list.js';
import { KeyedMutex, withLockFile } from './lock.js';
import { modesFor, type Modes, type Permissions } from './modes.js';
import { FilesystemWriter } from './writer.js';
import { checkRange, shortRead } from '../ranges.js';

export class FilesystemBackend implements StorageBackend, PagedLister, TemporarySweeper {
  readonly kind = 'filesystem';
  readonly location: string;
  readonly #root: string;
  readonly #conditional = new KeyedMutex();
  readonly #modes: Modes;

  /** root need not exist yet; it is created by the first write. */
  constructor(root: string, options: { permissions?: Permissions } = {}) {
    this.#root = path.resolve(root);
    this.location = `file://${this.#root}`;
    this.#modes = modesFor(options.permissions);
  }

  async put(key: string, data: Buffer, options: PutOptions = {}): Promise<ObjectInfo> {
    const target = this.#pathOf(key);
    if (options.ifNoneMatch === true && options.ifMatch !== undefined) {
      throw new KafkaBackupError('INTERNAL', `put "${key}": ifNoneMatch and ifMatch exclude each other`);
    }
    return this.#guard('writing', target, key, async () => {
      await ensureDir(path.dirname(target), this.#modes);
      const temp = await writeTempFile(target, data, this.#modes);
      try {
        if (options.ifNoneMatch === true) return await this.#create(key, temp, target);
        const ifMatch = options.ifMatch;
        if (ifMatch === undefined) return await this.#replace(key, temp, target);
        return await this.#conditional.run(key, () =>
          withLockFile(lockPathFor(target), this.#modes, async () => {
            const current = await statFile(target);
            const etag = current === undefined ? undefined : etagOf(current);
            if (etag !== ifMatch) {
              const why = etag === undefined ? 'it does not exist' : `its etag is ${etag}, not ${ifMatch}`;
              throw this.#preconditionFailed(key, why);
            }
            return this.#replace(key, temp, target);
          }),
        );
      } finally {
        await removeQuietly(temp);
      }
    });
  }

  /** ifNoneMatch: link() creates the name only if it is free, atomically, also across processes. */
  async #create(key: string, temp: string, target: string): Promise<ObjectInfo> {
    const stats = await fs.stat(temp, { bigint: true });
    try {
      await fs.link(temp, target);
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') throw this.#preconditionFailed(key, 'it already exists');
      throw err;
    }
    await fsyncDir(path.dirname(target));
    return { key, size: Number(stats.size), etag: etagOf(stats) };
  }

  async #replace(key: string, temp: string, target: string): Promise<ObjectInfo> {
    const stats = await ensureNewerMtime(temp, target);
    await fs.rename(temp, target);
    await fsyncDir(path.dirname(target));
    return { key, size: Number(stats.size), etag: etagOf(stats) };
  }

  createWriter(key: string): ObjectWriter {
    return new FilesystemWriter(key, this.#pathOf(key), this.location, this.#modes);
  }

  /** A range must lie within the object: reading past the end fails with STORAGE_IO ("short read"). */
  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const file = this.#pathOf(key);
    if (range !== undefined) checkRange(key, range);
    return this.#guard('reading', file, key, async () => {
      const handle = await fs.open(file, 'r');
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw this.#notFound(key);
        const { start, end } = range ?? { start: 0, end: stats.size };
        if (end > stats.size) throw this.#shortRead(key, file, range, stats.size);
        const buffer = Buffer.allocUnsafe(end - start);
        for (let filled = 0; filled < buffer.length; ) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
          if (bytesRead === 0) throw this.#shortRead(key, file, range, start + filled);
          filled += bytesRead;
        }
        return buffer;
      } finally {
        await handle.close();
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.#pathOf(key);
    return this.#guard('reading', file, key, async () => {
      const stats = await statFile(file);
      return stats === undefined ? undefined : { key, size: Number(stats.size), etag: etagOf(stats) };
    });
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of this.listPages(prefix)) yield* page;
  }

  async *listPages(prefix: string): AsyncIterable<ObjectInfo[]> {
    validatePrefix(prefix);
    yield* listPages(this.#root, prefix, this.location);
  }

  async delete(key: string): Promise<void> {
    const file = this.#pathOf(key);
    await this.#guard('deleting', file, key, async () => {
      try {
        await fs.unlink(file);
      } catch (err) {
        // Absent, or a directory (a key prefix, not an object): either way no object to delete.
        const code = errnoCode(err);
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw err;
      }
    });
  }

  /** Removes temp files of writers that never finished, under prefix, last touched more than olderThanMs ago. */
  sweepTemporaryFiles(olderThanMs: number, prefix = ''): Promise<number> {
    // The directory part of the prefix bounds the walk; temp names are filtered by the walk itself.
    const dir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (dir !== '') validateKey(dir);
    return sweepTempFiles(path.join(this.#root, dir), olderThanMs, this.location).catch((err: unknown) => {
      if (err instanceof KafkaBackupError && err.code === 'STORAGE_NOT_FOUND') return 0; // nothing written there yet
      throw err;
    });
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  #pathOf(key: string): string {
    validateKey(key);
    const name = key.slice(key.lastIndexOf('/') + 1);
    if (isInternalName(name)) {
      const why = 'the name is reserved for temp and lock files';
      throw new KafkaBackupError('INTERNAL', `invalid storage key ${JSON.stringify(key)}: ${why}`, { key });
    }
    return path.join(this.#root, key);
  }

  async #guard<T>(verb: FsVerb, file: string, key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw mapFsError(err, { verb, path: file, key, location: this.location });
    }
  }

  #notFound(key: string): KafkaBackupError {
    return new KafkaBackupError('STORAGE_NOT_FOUND', `object "${key}" not found in ${this.location}`, {
      key,
      location: this.location,
    });
  }

  #preconditionFailed(key: string, why: string): KafkaBackupError {
    const message = `conditional write of "${key}" in ${this.location} lost: ${why}`;
    return new KafkaBackupError('STORAGE_PRECONDITION', message, {
      key,
      location: this.location,
    });
  }

  #shortRead(key: string, file: string, range: ByteRange | undefined, size: number): KafkaBackupError {
    return shortRead({ key, location: this.location, what: file, ...(range === undefined ? {} : { range }), size });
  }
}
