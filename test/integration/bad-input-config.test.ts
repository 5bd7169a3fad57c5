// Wrong input a user can give: a broken or misspelled config file, a file that is not there or is
// not a config at all, a broker that does not answer, a backup id that is invalid or does not exist. Each must end with the exit code
// of its kind (src/cli/exit-codes.ts) and a message naming what is wrong and where.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { roundTripConfig, runCli, writeConfig, type CliResult } from './helpers/cli.js';
import { bootstrap, tempDir, unique } from './helpers/env.js';

const USAGE = 2;
const FAILURE = 1;

function expectFailure(r: CliResult, code: number, phrases: (string | RegExp)[], what: string): void {
  const text = r.stderr + r.stdout;
  assert.equal(r.code, code, `${what}: exit code ${r.code}, expected ${code}:\n${text}`);
  for (const p of phrases) {
    if (typeof p === 'string') assert.ok(text.includes(p), `${what}: message should contain ${JSON.stringify(p)}:\n${text}`);
    else assert.match(text, p, `${what}: message`);
  }
  assert.doesNotMatch(text, /internal error|    at /, `${what}: a user error must not look like a crash:\n${text}`);
}

const storageOnly = (dir: string) => `backup_id: bad-input\nstorage: { backend: filesystem, path: ${join(dir, 'storage')} }\n`;

describe('config files', () => {
  const dir = tempDir('bad-config');

  test('malformed YAML names the file, line and column', async () => {
    const dup = writeConfig(dir, 'duplicate.yaml', storageOnly(dir) + 'backup:\n  max_concurrent_partitions: 4\n  max_concurrent_partitions: 5\n');
    expectFailure(await runCli(['backup', '-c', dup]), USAGE, ['CONFIG_INVALID', dup, 'line 5, column 3', /unique/], 'duplicate key');
    const quote = writeConfig(dir, 'quote.yaml', 'backup_id: "unterminated\n');
    expectFailure(await runCli(['config-check', '-c', quote]), USAGE, [quote, /line \d+, column \d+/, /quote/i], 'unterminated string');
  });

  test('an unknown key is named by its path with the closest known key', async () => {
    const file = writeConfig(dir, 'unknown.yaml', storageOnly(dir) + 'backup:\n  segment_max_byte: 65536\nrestor: {}\n');
    const r = await runCli(['backup', '-c', file]);
    expectFailure(r, USAGE, [file, 'backup.segment_max_byte', 'did you mean segment_max_bytes', 'restor: unknown key', 'did you mean restore'], 'unknown keys');
  });

  test('an unknown Kafka property is named with the supported ones', async () => {
    const file = writeConfig(dir, 'kafka-prop.yaml', storageOnly(dir) + 'source:\n  bootstrap_servers: "127.0.0.1:1"\n  kafka_config: { "fetch.max.byte": 5 }\n');
    expectFailure(await runCli(['backup', '-c', file]), USAGE, ['source.kafka_config["fetch.max.byte"]', 'fetch.max.bytes'], 'unknown kafka_config property');
  });

  test('a value of the wrong type or range is named with what was expected', async () => {
    const file = writeConfig(dir, 'types.yaml', storageOnly(dir) + 'backup:\n  max_concurrent_partitions: lots\n  segment_max_bytes: 100\n  mode: sometimes\n');
    const r = await runCli(['backup', '-c', file, '--json']);
    expectFailure(r, USAGE, ['backup.max_concurrent_partitions', '"lots"', 'backup.segment_max_bytes', '65536', 'backup.mode'], 'wrong types');
    // --json gives the same problems, one per entry, for scripts.
    const json = JSON.parse(r.stdout) as { error: { code: string; problems: string[] } };
    assert.equal(json.error.code, 'CONFIG_INVALID');
    assert.equal(json.error.problems.length, 3, json.error.problems.join('\n'));
  });

  test('a missing config file, or a directory, is named', async () => {
    const missing = join(dir, 'no-such-config.yaml');
    for (const cmd of ['backup', 'restore', 'validate-restore', 'config-check']) {
      expectFailure(await runCli([cmd, '-c', missing]), USAGE, [missing, 'not found'], `${cmd} with a missing file`);
    }
    expectFailure(await runCli(['backup', '-c', dir]), USAGE, [dir, 'directory'], 'a directory as config');
  });

  test('a file that is not a config (an alias bomb, deep nesting, too large, not UTF-8) is refused within seconds', async () => {
    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= 12; i++) bomb += `l${i}: &l${i} [${Array.from({ length: 10 }, () => `*${i === 1 ? 'a' : `l${i - 1}`}`).join(', ')}]\n`;
    const cases: [string, string | Buffer, (string | RegExp)[]][] = [
      ['bomb.yaml', bomb, ['YAML aliases expand to too much data']],
      ['deep.yaml', `backup_id: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`, ['line 1: flow collections ([ ] and { }) are nested more than 64 deep']],
      ['huge.yaml', `backup_id: b\n${'# padding\n'.repeat(200_000)}`, ['larger than 1024 KiB: not a config file']],
      ['utf16.yaml', Buffer.from('\ufeffbackup_id: b\n', 'utf16le'), ['is UTF-16 text: save it as UTF-8']],
      ['latin1.yaml', Buffer.from('backup_id: caf\xe9\n', 'latin1'), ['is not UTF-8 text (line 1']],
    ];
    for (const [name, contents, phrases] of cases) {
      const file = join(dir, name);
      writeFileSync(file, contents);
      const t0 = Date.now();
      expectFailure(await runCli(['config-check', '-c', file]), USAGE, ['CONFIG_INVALID', file, ...phrases], name);
      assert.ok(Date.now() - t0 < 20_000, `${name}: took ${Date.now() - t0} ms`);
    }
  });

  test('a topic_mapping to a name Kafka refuses ("..") is a config problem', async () => {
    const file = writeConfig(dir, 'mapping.yaml', storageOnly(dir) + 'target: { bootstrap_servers: "127.0.0.1:1" }\nrestore:\n  topic_mapping: { orders: ".." }\n');
    expectFailure(await runCli(['restore', '-c', file]), USAGE, ['restore.topic_mapping.orders', '".." is not a valid topic name'], 'topic_mapping to ".."');
  });

  test('offsets with an invalid --group entry is a usage error naming it, before connecting', async () => {
    const file = writeConfig(dir, 'offsets.yaml', storageOnly(dir) + 'target: { bootstrap_servers: "127.0.0.1:1" }\n');
    for (const action of ['plan', 'apply']) {
      expectFailure(await runCli(['offsets', action, '-c', file, '--group', 'billing', '~(']), USAGE, ['USAGE', '--group "~(": invalid regular expression'], `offsets ${action} --group "~("`);
    }
  });

  test('a command line without the config is a usage error', async () => {
    expectFailure(await runCli(['backup']), USAGE, ['--config'], 'no --config');
    expectFailure(await runCli(['bakup', '-c', 'x.yaml']), USAGE, ['bakup', 'backup'], 'misspelled command');
  });
});

describe('brokers that do not answer', () => {
  const dir = tempDir('bad-broker');
  // Few, short retries: the point is a prompt, clear failure, not kafkajs's defaults.
  const fastFail = { retries: 1, 'retry.backoff.ms': 100, 'socket.connection.setup.timeout.ms': 1000, 'request.timeout.ms': 2000 };
  const configFor = (address: string, name: string) => {
    const c = JSON.parse(roundTripConfig({ backupId: unique('unreachable'), storagePath: join(dir, 'storage'), bootstrap: address, include: ['some-topic'] }));
    c.source.kafka_config = fastFail;
    c.target.kafka_config = fastFail;
    return writeConfig(dir, name, JSON.stringify(c));
  };

  test('a refused connection fails within seconds naming the address', async () => {
    const cfg = configFor('127.0.0.1:1', 'refused.yaml');
    for (const cmd of ['backup', 'restore']) {
      const t0 = Date.now();
      const r = await runCli([cmd, '-c', cfg]);
      expectFailure(r, FAILURE, ['KAFKA_UNREACHABLE', '127.0.0.1:1'], `${cmd} against a closed port`);
      assert.ok(Date.now() - t0 < 30_000, `${cmd} took ${Date.now() - t0} ms to give up`);
    }
  });

  test('a broker that accepts connections but never answers fails within seconds naming the address', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const cfg = configFor(address, 'silent.yaml');
      const t0 = Date.now();
      const r = await runCli(['backup', '-c', cfg]);
      expectFailure(r, FAILURE, ['KAFKA_UNREACHABLE', address], 'backup against a silent broker');
      assert.ok(Date.now() - t0 < 30_000, `backup took ${Date.now() - t0} ms to give up`);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe('backup ids that are not valid', () => {
  test('status and verify refuse --backup-id ../../etc as a usage error stating the rule', async () => {
    const dir = tempDir('bad-id-syntax');
    for (const cmd of ['status', 'verify']) {
      expectFailure(await runCli([cmd, '--path', dir, '-b', '../../etc']), USAGE, ['USAGE', '--backup-id "../../etc" is not a valid backup id', 'a letter or digit'], `${cmd} -b ../../etc`);
    }
  });
});

describe('backup ids that do not exist', () => {
  const dir = tempDir('bad-id');
  const storagePath = join(dir, 'storage');
  const id = unique('never-backed-up');
  // The location exists and holds no such backup (a location that does not exist is its own error:
  // missing-objects.test.ts).
  mkdirSync(storagePath, { recursive: true });

  test('restore, validate-restore, status and verify name the id and the location', async () => {
    const cfg = writeConfig(dir, 'restore.yaml', roundTripConfig({ backupId: id, storagePath, bootstrap: bootstrap(), include: [] }));
    for (const args of [
      ['restore', '-c', cfg],
      ['validate-restore', '-c', cfg],
      ['status', '-c', cfg],
      ['status', '--path', storagePath, '-b', id],
      ['verify', '--path', storagePath, '-b', id],
    ]) {
      expectFailure(await runCli(args), FAILURE, ['BACKUP_NOT_FOUND', `"${id}"`, storagePath], args.join(' '));
    }
    const r = await runCli(['status', '--path', storagePath, '-b', id, '--json']);
    assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'BACKUP_NOT_FOUND');
  });
});
