// File-level building blocks of the filesystem backend: names of internal files, durable writes,
// directory creation and fsync, file modes (modes.ts), and the etag.
//
// The etag is `${size}-${mtimeNs}-${inode}`, read with one stat. A content hash would be exact but
// needs a full read of the object for head() and list(), and segments are large. Every write lands
// in a fresh temp file that is renamed or linked into place, so each version of an object has its
// own inode. Inode numbers are reused once a file is deleted, and mtimes are coarse (a kernel tick),
// so before an object replaces another, its mtime is moved past the replaced one (ensureNewerMtime):
// an object's etags then never repeat across successive versions, which is what ifMatch relies on.
// (Not covered: an object deleted and re-created within one clock tick, on a reused inode, with the
// same size, can repeat the deleted version's etag.)

import { randomBytes } from 'node:crypto';
import { type BigIntStats, promises as fs } from 'node:fs';
import path from 'node:path';
import { MkdirRefused, errnoCode } from './errors.js';
import type { Modes } from './modes.js';

/** Temp files (`.<name>.tmp-<16 hex>`) and lock files (`.<name>.lock`); never listed as objects. */
const internalName = /^\..*\.(tmp-[0-9a-f]{16}|lock)$/;
const tempName = /^\..*\.tmp-[0-9a-f]{16}$/;

export function isInternalName(name: string): boolean {
  return internalName.test(name);
}

export function isTempName(name: string): boolean {
  return tempName.test(name);
}

/** A fresh temp path next to target, so rename() and link() stay within one directory. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${randomBytes(8).toString('hex')}`);
}

export function lockPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.lock`);
}

export function etagOf(stats: BigIntStats): string {
  return `${stats.size}-${stats.mtimeNs}-${stats.ino}`;
}

/** stat() that answers undefined for "no such regular file". */
export async function statFile(file: string): Promise<BigIntStats | undefined> {
  try {
    const stats = await fs.stat(file, { bigint: true });
    return stats.isFile() ? stats : undefined;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Makes a directory entry change (create, rename, link) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some filesystems cannot fsync a directory; their entries are as durable as they get.
    const code = errnoCode(err);
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * mkdir -p with the backend's directory mode, fsyncing the parent of every directory it creates so
 * the new entries survive a crash. Not fs.mkdir's `recursive`: Node's walk retries a child after
 * creating (or finding) its parent for as long as the child answers ENOENT, which under /proc or
 * through a dangling symbolic link is forever (100% CPU, no error, and SIGINT cannot end it), and
 * it reports EROFS as ENOENT. Here each missing level is created once, top down: a level that
 * still answers ENOENT once its parent exists is MkdirRefused, at once.
 */
export async function ensureDir(dir: string, modes: Modes): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (await isDirectory(current)) break;
    if (current === path.dirname(current)) break; // the root "does not exist": let mkdir say why
    missing.push(current);
  }
  for (const created of missing.reverse()) {
    try {
      await fs.mkdir(created, { mode: modes.dir });
    } catch (err) {
      const code = errnoCode(err);
      // EEXIST: made by a concurrent writer, or a file (isDirectory throws ENOTDIR), or a dangling
      // symbolic link (stat still answers ENOENT).
      if (code === 'EEXIST' && (await isDirectory(created))) continue;
      if (code === 'EEXIST' || code === 'ENOENT') throw new MkdirRefused(created, err);
      throw err;
    }
    if (modes.exact) await fs.chmod(created, modes.dir);
    await fsyncDir(path.dirname(created));
  }
}

/** true for a directory; false when nothing is there; throws for a file (ENOTDIR) or other errors. */
async function isDirectory(dir: string): Promise<boolean> {
  try {
    const stats = await fs.stat(dir);
    if (stats.isDirectory()) return true;
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Creates a new file (O_EXCL) with the backend's file mode, set exactly unless the policy is umask. */
export async function createFile(file: string, modes: Modes): Promise<fs.FileHandle> {
  const handle = await fs.open(file, 'wx', modes.file);
  if (modes.exact) {
    try {
      await handle.chmod(modes.file);
    } catch (err) {
      await handle.close().catch(() => undefined);
      await removeQuietly(file);
      throw err;
    }
  }
  return handle;
}

/** Writes all of data at position (FileHandle.write may write less than asked). */
export async function writeFully(handle: fs.FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** Creates a temp file next to target holding data, fsynced. Removes it again on failure. */
export async function writeTempFile(target: string, data: Buffer, modes: Modes): Promise<string> {
  const temp = tempPathFor(target);
  const handle = await createFile(temp, modes);
  try {
    await writeFully(handle, data, 0);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await removeQuietly(temp);
    throw err;
  }
  await handle.close();
  return temp;
}

/**
 * Moves temp's mtime past the current target's (when there is one) so the new version's etag differs
 * from every earlier one even if the inode number is reused; returns temp's final stats.
 */
export async function ensureNewerMtime(temp: string, target: string): Promise<BigIntStats> {
  const stats = await fs.stat(temp, { bigint: true });
  const current = await statFile(target);
  if (current === undefined || current.mtimeNs < stats.mtimeNs) return stats;
  const mtimeSeconds = Number(current.mtimeNs) / 1e9 + 0.001;
  const handle = await fs.open(temp, 'r');
  try {
    await handle.utimes(Number(stats.atimeNs) / 1e9, mtimeSeconds);
    await handle.sync();
    return await handle.stat({ bigint: true });
  } finally {
    await handle.close();
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await fs.unlink(file).catch(() => undefined);
}
