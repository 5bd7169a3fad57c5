// Backup and restore through each object store against the real broker, checked with kcat: the
// same commands as with a directory (backup, restore, status, verify, validate-restore), every
// one of them reading the storage location from the config.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli, writeConfig } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';
import { createTopic } from './helpers/kafka-tools.js';
import { assertSameRecords, produceKeyed, readTopic } from './helpers/invariants.js';
import { freshStorage } from './helpers/object-stores.js';

for (const backend of ['s3', 'azure', 'gcs'] as const) {
  describe(`round trip through ${backend}`, () => {
    test('backup, status, verify, validate-restore and restore, byte-exact', async () => {
      const b = bootstrap();
      const source = unique(`os-${backend}`);
      const target = `${source}-restored`;
      await createTopic(b, source, 3);
      await produceKeyed(b, source, 1, 30_000);
      const storage = await freshStorage(backend);
      const dir = tempDir(`os-${backend}`);
      const config = writeConfig(
        dir,
        'config.yaml',
        JSON.stringify({
          backup_id: 'nightly',
          source: { bootstrap_servers: [b], topics: { include: [source] }, kafka_config: { 'max.partition.fetch.bytes': 16384 } },
          target: { bootstrap_servers: [b] },
          storage,
          // Small fetches, segments and blocks: several segments per partition.
          backup: { segment_max_bytes: '64KiB', block_max_bytes: '16KiB', compression: 'lz4' },
          restore: { topic_mapping: { [source]: target } },
        }),
      );
      const run = async (...args: string[]) => {
        const r = await runCli(args);
        assert.equal(r.code, 0, `${args[0]} exited ${r.code}:\n${r.stderr}`);
        return r;
      };
      await run('backup', '--config', config);
      const status = JSON.parse((await run('status', '--config', config, '--json')).stdout) as {
        state: string;
        totals: { records: number; segments: number };
      };
      assert.equal(status.state, 'complete');
      assert.equal(status.totals.records, 30_000);
      assert.ok(status.totals.segments > 3, `expected several segments per partition, got ${status.totals.segments}`);
      await run('verify', '--config', config);
      const plan = JSON.parse((await run('validate-restore', '--config', config, '--json')).stdout) as { ok: boolean; totals: { records: number } };
      assert.equal(plan.ok, true);
      assert.equal(plan.totals.records, 30_000);
      await run('restore', '--config', config);
      assertSameRecords(await readTopic(b, source), await readTopic(b, target), `${backend} round trip`);
    });
  });
}
