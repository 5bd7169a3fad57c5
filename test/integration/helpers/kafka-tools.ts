// Kafka's own command-line tools (the same jars as the broker) and kcat: the independent checkers.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './env.js';

export interface ProcResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: Buffer | string): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    // A tool that exits before reading its input must not crash the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input ?? '');
  });
}

async function checked(cmd: string, args: string[], input?: Buffer | string): Promise<ProcResult> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r;
}

/** Run a Kafka tool class, e.g. org.apache.kafka.tools.TopicCommand. */
export function kafkaTool(cls: string, args: string[], input?: Buffer | string): Promise<ProcResult> {
  return checked('bash', [join(repoRoot, 'test/infra/kafka.sh'), 'tool', cls, ...args], input);
}

export async function createTopic(bootstrap: string, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const cfg = Object.entries(configs).flatMap(([k, v]) => ['--config', `${k}=${v}`]);
  await kafkaTool('org.apache.kafka.tools.TopicCommand', [
    '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', String(partitions), '--replication-factor', '1', ...cfg,
  ]);
}

export function kcat(args: string[], input?: Buffer | string): Promise<ProcResult> {
  return checked('kcat', args, input);
}

/** Whether the cluster has the topic (kcat -L of every topic: asking for one could auto-create it). */
export async function topicExists(bootstrap: string, topic: string): Promise<boolean> {
  const r = await kcat(['-L', '-b', bootstrap, '-J']);
  return (JSON.parse(r.stdout.toString()) as { topics: { topic: string }[] }).topics.some((t) => t.topic === topic);
}

/** Per-partition end offsets (GetOffsetShell --time -1). */
export async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const r = await kafkaTool('org.apache.kafka.tools.GetOffsetShell', ['--bootstrap-server', bootstrap, '--topic', topic, '--time', '-1']);
  const m = new Map<number, number>();
  for (const line of r.stdout.toString().trim().split('\n')) {
    const [, p, o] = line.split(':');
    if (p !== undefined && o !== undefined) m.set(Number(p), Number(o));
  }
  return m;
}
