// Whether a process recorded as "pid P on host H" is known to be dead: only a process on this
// host can be checked, and only by asking the kernel. Used to take over after a crash at once
// instead of waiting for a heartbeat or a lock to age.
import { hostname } from 'node:os';

/** True only when host is this host, pid is not us, and no process with that pid exists. */
export function isDeadLocalProcess(host: string, pid: number): boolean {
  if (host !== hostname() || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
