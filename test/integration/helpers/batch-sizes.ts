// The size in bytes of every record batch in the test broker's log of some partitions, read with
// Kafka's DumpLogSegments from the broker's data dir (found through KB_TEST_RUN_DIR), as the broker
// stored them: what its max.message.bytes check compared.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaTool } from './kafka-tools.js';

export async function batchSizes(partitions: { topic: string; partition: number }[]): Promise<Map<string, number[]>> {
  const runDir = process.env.KB_TEST_RUN_DIR;
  if (!runDir) throw new Error('KB_TEST_RUN_DIR is not set: it names the test broker run dir (test/run.sh exports it)');
  const logDir = /^log\.dirs=(.*)$/m.exec(readFileSync(join(runDir, 'kafka/server.properties'), 'utf8'))?.[1];
  assert.ok(logDir, 'log.dirs in the test broker server.properties');
  const fileOf = new Map<string, string>();
  for (const { topic, partition } of partitions) {
    const dir = join(logDir, `${topic}-${partition}`);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) fileOf.set(join(dir, f), `${topic}/${partition}`);
  }
  const r = await kafkaTool('org.apache.kafka.tools.DumpLogSegments', ['--files', [...fileOf.keys()].join(',')]);
  const out = new Map<string, number[]>(partitions.map((p) => [`${p.topic}/${p.partition}`, []]));
  let current: number[] | undefined;
  for (const line of r.stdout.toString().split('\n')) {
    const dumping = /^Dumping (.*)$/.exec(line);
    if (dumping) current = out.get(fileOf.get(dumping[1]!.trim()) ?? '');
    const size = /^baseOffset: .* size: (\d+) /.exec(line);
    if (size && current) current.push(Number(size[1]));
  }
  return out;
}
