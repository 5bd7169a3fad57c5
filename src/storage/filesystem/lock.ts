// Mutual exclusion for conditional writes (ifMatch) to one key: a per-key mutex inside the process,
// then a lock file `.<name>.lock` created with O_EXCL for other processes sharing the directory.
// Locks are held for milliseconds (stat, compare, rename). A lock file older than STALE_LOCK_MS, or
// naming a process on this host that no longer exists, was left by a crashed process and is broken.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { isDeadLocalProcess } from '../../local-process.js';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaBackupError } from '../../errors.js';
import { errnoCode } from './errors.js';
import { createFile, removeQuietly } from './files.js';
import type { Modes } from './modes.js';

export const STALE_LOCK_MS = 30_000;

/** Runs callbacks for the same key one at a time, in call order. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const tail = previous.then(() => new Promise<void>((resolve) => (done = resolve)));
    this.#tails.set(key, tail);
    await previous;
    try {
      return await critical();
    } finally {
      done();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

/** Holds the lock file at lockPath (created with the backend's file mode) while critical runs. */
export async function withLockFile<T>(lockPath: string, modes: Modes, critical: () => Promise<T>): Promise<T> {
  await acquireLockFile(lockPath, modes);
  try {
    return await critical();
  } finally {
    await removeQuietly(lockPath);
  }
}

async function acquireLockFile(lockPath: string, modes: Modes): Promise<void> {
  // A live holder finishes in milliseconds and a dead one's lock turns stale after STALE_LOCK_MS,
  // so waiting longer than twice that means something else is wrong (clock skew, a stuck mount).
  const deadline = Date.now() + 2 * STALE_LOCK_MS;
  for (let delayMs = 2; ; delayMs = Math.min(delayMs * 2, 100)) {
    try {
      const handle = await createFile(lockPath, modes);
      try {
        await handle.writeFile(`pid ${process.pid} on ${os.hostname()}\n`);
      } catch (err) {
        // A full disk: the lock is ours but empty; left behind, it would hold up the next writer
        // until it turns stale.
        await handle.close().catch(() => undefined);
        await removeQuietly(lockPath);
        throw err;
      }
      await handle.close();
      return;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    if (await breakIfStale(lockPath)) continue;
    if (Date.now() > deadline) {
      throw new KafkaBackupError('STORAGE_IO', `timed out waiting for lock file ${lockPath}`, {
        retryable: true,
        path: lockPath,
      });
    }
    await sleep(delayMs);
  }
}

/**
 * Removes the lock when it is stale; true when the caller should retry at once. The lock is first
 * renamed aside so that of several processes breaking it, only one succeeds; if what was renamed
 * turns out to be fresh (the stale lock was replaced in between), it is put back.
 */
async function breakIfStale(lockPath: string): Promise<boolean> {
  let stats;
  try {
    stats = await fs.stat(lockPath);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return true;
    throw err;
  }
  if (!(await isStale(lockPath, stats.mtimeMs))) return false;
  const aside = `${lockPath}-${randomBytes(8).toString('hex')}.lock`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return true;
    throw err;
  }
  const moved = await fs.stat(aside);
  if (!(await isStale(aside, moved.mtimeMs))) await fs.link(aside, lockPath).catch(() => undefined);
  await removeQuietly(aside);
  return true;
}

/**
 * Stale: older than STALE_LOCK_MS, or written by a process on this host that no longer exists
 * (a SIGKILLed run: its successor need not wait STALE_LOCK_MS). A lock whose content cannot be read
 * yet (just created, not yet written) or names another host is judged by its age alone.
 */
async function isStale(lockPath: string, mtimeMs: number): Promise<boolean> {
  if (Date.now() - mtimeMs >= STALE_LOCK_MS) return true;
  const text = await fs.readFile(lockPath, 'utf8').catch(() => '');
  const m = /^pid (\d+) on (.+)\n$/.exec(text);
  return m !== null && isDeadLocalProcess(m[2]!, Number(m[1]));
}
