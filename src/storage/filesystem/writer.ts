// Streamed upload to a temp file `.<name>.tmp-<random>` next to the target, renamed into place by
// finish(). Until then the object is invisible: list() skips temp names and the key itself does not
// exist yet. A crash leaves only the temp file, which sweepTemporaryFiles() removes later. A failed
// write (a full disk) removes the temp file at once, so the failure does not keep the space.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KafkaBackupError } from '../../errors.js';
import type { ObjectInfo, ObjectWriter } from '../backend.js';
import { mapFsError } from './errors.js';
import { createFile, ensureDir, ensureNewerMtime, etagOf, fsyncDir, removeQuietly, tempPathFor, writeFully } from './files.js';
import type { Modes } from './modes.js';
import { SerialSteps } from '../serial-steps.js';

export class FilesystemWriter implements ObjectWriter {
  readonly #temp: string;
  #handle: Promise<fs.FileHandle> | undefined;
  #state: 'open' | 'finishing' | 'failed' | 'done' = 'open';
  #size = 0;
  readonly #steps = new SerialSteps();

  constructor(
    private readonly key: string,
    private readonly target: string,
    private readonly location: string,
    private readonly modes: Modes,
  ) {
    this.#temp = tempPathFor(target);
  }

  /** Resolves once the bytes are handed to the kernel, so the caller may reuse chunk. */
  write(chunk: Buffer): Promise<void> {
    if (this.#state === 'failed') return Promise.reject(this.#mapped(this.#steps.failure));
    if (this.#state !== 'open') return Promise.reject(this.#misuse('write'));
    const position = this.#size;
    this.#size += chunk.length;
    return this.#enqueue(async () => {
      try {
        await writeFully(await this.#open(), chunk, position);
      } catch (err) {
        // The object can no longer be completed: give the space back now, not at the next run.
        if (this.#state === 'open') this.#state = 'failed';
        await this.#discard();
        throw err;
      }
    });
  }

  async finish(): Promise<ObjectInfo> {
    if (this.#state === 'failed') throw this.#mapped(this.#steps.failure);
    if (this.#state !== 'open') throw this.#misuse('finish');
    this.#state = 'finishing';
    try {
      await this.#enqueue(async () => undefined);
      const handle = await this.#open();
      await handle.sync();
      await handle.close();
      const stats = await ensureNewerMtime(this.#temp, this.target);
      await fs.rename(this.#temp, this.target);
      await fsyncDir(path.dirname(this.target));
      return { key: this.key, size: Number(stats.size), etag: etagOf(stats) };
    } catch (err) {
      await this.#discard();
      throw this.#mapped(err);
    } finally {
      this.#state = 'done';
    }
  }

  /** Discards what was written. Does nothing after finish() was called. */
  async abort(): Promise<void> {
    if (this.#state !== 'open' && this.#state !== 'failed') return;
    this.#state = 'done';
    await this.#steps.settled();
    await this.#discard();
  }

  #misuse(operation: string): KafkaBackupError {
    return new KafkaBackupError('INTERNAL', `${operation}() on a finished or aborted writer for "${this.key}"`);
  }

  #open(): Promise<fs.FileHandle> {
    this.#handle ??= (async () => {
      await ensureDir(path.dirname(this.target), this.modes);
      return createFile(this.#temp, this.modes);
    })();
    return this.#handle;
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    return this.#steps.run(step).catch((err: unknown) => {
      throw this.#mapped(err);
    });
  }

  async #discard(): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) return;
    await handle.then((h) => h.close()).catch(() => undefined);
    await removeQuietly(this.#temp);
  }

  #mapped(err: unknown): KafkaBackupError {
    return mapFsError(err, { verb: 'writing', path: this.target, key: this.key, location: this.location });
  }
}
