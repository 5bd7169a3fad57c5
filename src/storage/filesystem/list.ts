// Directory walks: listing objects in key order, and sweeping temp files left by crashed writers.

import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ObjectInfo } from '../backend.js';
import { compareKeys } from '../keys.js';
import { errnoCode, mapFsError } from './errors.js';
import { etagOf, isInternalName, isTempName, statFile } from './files.js';

/** Most objects stat()ed for one page. */
const PAGE_SIZE = 1000;

/**
 * Objects whose key starts with prefix, in compareKeys order, a page at a time. Only the directory
 * holding the prefix's last segment is read first, then the matching subtrees. Directory entries
 * are ordered as "name/" so that key order holds across levels ("a/b-x" sorts before "a/b/c").
 * Symbolic links and other special files are not objects and are skipped.
 */
export async function* listPages(root: string, prefix: string, location: string): AsyncGenerator<ObjectInfo[]> {
  const cut = prefix.lastIndexOf('/') + 1;
  yield* walk(root, prefix.slice(0, cut), prefix.slice(cut), location);
}

async function* walk(root: string, dirKey: string, namePrefix: string, location: string): AsyncGenerator<ObjectInfo[]> {
  const dir = path.join(root, dirKey);
  const entries = (await readDir(dir, location))
    .filter((e) => e.name.startsWith(namePrefix))
    .filter((e) => e.isDirectory() || (e.isFile() && !isInternalName(e.name)))
    .map((e) => ({ name: e.name, isDir: e.isDirectory(), order: e.isDirectory() ? `${e.name}/` : e.name }))
    .sort((a, b) => compareKeys(a.order, b.order));

  let run: string[] = [];
  for (const entry of entries) {
    if (entry.isDir) {
      if (run.length > 0) yield* statPage(root, run, location);
      run = [];
      yield* walk(root, `${dirKey}${entry.name}/`, '', location);
    } else {
      run.push(`${dirKey}${entry.name}`);
      if (run.length === PAGE_SIZE) {
        yield* statPage(root, run, location);
        run = [];
      }
    }
  }
  if (run.length > 0) yield* statPage(root, run, location);
}

/** Yields the page unless it came out empty (every file was deleted since the directory read). */
async function* statPage(root: string, keys: string[], location: string): AsyncGenerator<ObjectInfo[]> {
  const infos = await Promise.all(
    keys.map(async (key): Promise<ObjectInfo | undefined> => {
      const file = path.join(root, key);
      try {
        const stats = await statFile(file);
        return stats === undefined ? undefined : { key, size: Number(stats.size), etag: etagOf(stats) };
      } catch (err) {
        throw mapFsError(err, { verb: 'listing', path: file, key, location });
      }
    }),
  );
  const page = infos.filter((info): info is ObjectInfo => info !== undefined);
  if (page.length > 0) yield page;
}

/** Entries of dir; none when dir does not exist (nothing was ever written below it). */
async function readDir(dir: string, location: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw mapFsError(err, { verb: 'listing', path: dir, location });
  }
}

/** Deletes temp files below root last modified more than olderThanMs ago; resolves to the count. */
export async function sweepTempFiles(root: string, olderThanMs: number, location: string): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readDir(dir, location)) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        pending.push(file);
      } else if (entry.isFile() && isTempName(entry.name)) {
        try {
          const stats = await fs.stat(file);
          if (Math.floor(stats.mtimeMs) > cutoff) continue; // mtimes have sub-ms digits, Date.now() not
          await fs.unlink(file);
          removed++;
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw mapFsError(err, { verb: 'deleting', path: file, location });
        }
      }
    }
  }
  return removed;
}
