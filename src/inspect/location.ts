// Whether the storage location a command inspects exists. For a directory that is a question of
// its own: a filesystem backend lists a missing directory as empty, so a mistyped --path would
// look like "no backups". A missing bucket or container is already an error of the object-store
// backends' listing (STORAGE_NOT_FOUND); a prefix holding nothing is an empty location there.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KafkaBackupError } from '../errors.js';

export async function requireLocation(storage: { backend: string; path?: string }): Promise<void> {
  if (storage.backend !== 'filesystem' || storage.path === undefined) return;
  const dir = resolve(storage.path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return; // permissions and the like: the listing reports them
    throw new KafkaBackupError('STORAGE_NOT_FOUND', `storage directory ${dir} does not exist (check --path or storage.path)`, { path: dir });
  }
  if (!isDirectory) throw new KafkaBackupError('STORAGE_NOT_FOUND', `storage path ${dir} is not a directory (check --path or storage.path)`, { path: dir });
}
