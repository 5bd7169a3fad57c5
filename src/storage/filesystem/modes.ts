// Who may read a backup on a filesystem: the modes of the files and directories the backend creates
// (storage.permissions). Backups hold every record of the backed-up topics, so by default only the
// owner may read them, as restic does: files 0600, directories 0700. The modes are set explicitly
// (fchmod/chmod after creating), so the process umask neither widens nor narrows them; `umask` is
// the opt-out that leaves them to the umask (0666/0777 less it: 0644/0755 under the usual 022).
// Files and directories that already exist are never changed.

import type { FilesystemStorageConfig } from '../../config/types.js';

export type Permissions = FilesystemStorageConfig['permissions'];

export interface Modes {
  file: number;
  dir: number;
  /** Set the modes exactly after creating (private, group); false: whatever the umask leaves. */
  exact: boolean;
}

const modes: Record<Permissions, Modes> = {
  private: { file: 0o600, dir: 0o700, exact: true },
  group: { file: 0o640, dir: 0o750, exact: true },
  umask: { file: 0o666, dir: 0o777, exact: false },
};

export function modesFor(permissions: Permissions = 'private'): Modes {
  return modes[permissions];
}
