// Consumer groups through the independent checker (kcheck.py, librdkafka): commit a group's
// offsets on the source, read what a group has committed, and consume as a group member.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { checkerPython, runChecker } from './checker.js';
import { repoRoot } from './env.js';

/** Commit `offsets` (partition → offset) of `topic` for `group`, as an admin would. */
export async function commitGroup(bootstrap: string, group: string, topic: string, offsets: Record<number, number>): Promise<void> {
  const specs = Object.entries(offsets).flatMap(([p, o]) => ['--offset', `${topic}:${p}:${o}`]);
  await runChecker(['commit', '--bootstrap', bootstrap, '--group', group, ...specs]);
}

/** The group's committed offsets on `topic`: partition → offset (partitions without one absent). */
export async function committedOffsets(bootstrap: string, group: string, topic: string): Promise<Map<number, number>> {
  const lines = (await runChecker(['committed', '--bootstrap', bootstrap, '--group', group, '--topic', topic])) as { partition: number; offset: number }[];
  return new Map(lines.map((l) => [l.partition, l.offset]));
}

export interface GroupRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
}

/** What a consumer in `group` reads from its committed offsets to the end (values as UTF-8 text). */
export async function readAsGroup(bootstrap: string, group: string, topic: string): Promise<GroupRecord[]> {
  const lines = (await runChecker(['group-read', '--bootstrap', bootstrap, '--group', group, '--topic', topic])) as {
    partition: number;
    offset: number;
    key: string | null;
    value: string | null;
  }[];
  const text = (b: string | null) => (b === null ? null : Buffer.from(b, 'base64').toString('utf8'));
  return lines.map((l) => ({ partition: l.partition, offset: l.offset, key: text(l.key), value: text(l.value) }));
}

/** An active member of `group` on `topic` until stop() (it then leaves the group cleanly). */
export async function holdGroup(bootstrap: string, group: string, topic: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn(checkerPython(), [join(repoRoot, 'test/infra/checker/kcheck.py'), 'group-hold', '--bootstrap', bootstrap, '--group', group, '--topic', topic], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"assigned"')) resolve();
    });
    void exited.then((code) => reject(new Error(`kcheck group-hold exited ${code} before joining: ${stderr.slice(-2000)}`)));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
