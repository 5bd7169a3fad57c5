// The command line, and the one error boundary: every failure becomes a message on stderr and an
// exit code from exit-codes.ts. With --json, stdout holds exactly one JSON document, success or
// failure: the command's result (CommandContext.report) with the error inside it, or the error
// alone. Nothing below this file calls process.exit or prints errors itself.
import { Command, CommanderError, Option } from 'commander';
import type { Logger } from 'pino';
import { ConfigError, KafkaBackupError, describeError, isKafkaBackupError } from '../errors.js';
import { createLogger, scrubProcessOutput } from '../log.js';
import { backupCommand } from './commands/backup.js';
import { configCheckCommand } from './commands/config-check.js';
import { offsetsCommand } from './commands/offsets.js';
import { restoreCommand } from './commands/restore.js';
import { statusCommand } from './commands/status.js';
import { validateRestoreCommand } from './commands/validate-restore.js';
import { verifyCommand } from './commands/verify.js';
import type { CommandContext } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

export const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  scrubProcessOutput();
  const controller = new AbortController();
  let log: Logger | undefined;
  let json = false;
  let document: object | undefined;
  let exitCode = EXIT.ok as number;
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      const message = `second ${sig}: exiting now without storing in-flight data (the next run resumes from the last commit)`;
      process.stderr.write(`\n${message}\n`);
      // --json: the one document, even now (whatever result the command had so far).
      if (json) process.stdout.write(JSON.stringify({ ...document, error: { code: 'INTERRUPTED', message } }) + '\n');
      process.exit(EXIT.interrupted);
    }
    log?.warn({ signal: sig }, 'stopping: storing what was fetched, then exiting (send again to exit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // An exception nothing awaited (a library's callback, a stray rejection) still goes through the
  // one boundary: scrubbed like every other output, one --json document, exit 70. Node's own
  // fatal-error printer would write to fd 2 past the scrubber.
  const onFatal = (err: unknown) => {
    const { error } = report(err, log);
    if (json) process.stdout.write(JSON.stringify({ ...document, error }) + '\n');
    process.exit(isKafkaBackupError(err) ? exitCodeFor(err.code) : EXIT.internal);
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  const program = new Command('kafka-backup')
    .description('Back up Apache Kafka topics to storage and restore them byte-exact.')
    .version(VERSION)
    .option('-v, --verbose', 'more log detail (repeat for trace)', (_v, n: number) => n + 1, 0)
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['auto', 'json', 'pretty']).default('auto'))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const ctx = (cmdOpts: { json?: boolean }): CommandContext => {
    const g = program.opts<{ verbose: number; logFormat: 'auto' | 'json' | 'pretty' }>();
    json = cmdOpts.json === true;
    log = createLogger({ verbose: g.verbose, format: g.logFormat });
    return {
      log,
      json,
      signal: controller.signal,
      report: (doc, text) => {
        if (json) document = doc;
        else if (text !== undefined) process.stdout.write(text + '\n');
      },
    };
  };
  const jsonOpt = () => new Option('--json', 'print the result as JSON');

  program
    .command('backup')
    .description('back up the topics the config selects (snapshot or continuous)')
    .requiredOption('-c, --config <file>', 'YAML config file')
    .addOption(jsonOpt())
    .action((o) => backupCommand(o.config, ctx(o)));
  program
    .command('restore')
    .description('restore a backup into a Kafka cluster; resumes an interrupted restore')
    .requiredOption('-c, --config <file>', 'YAML config file')
    .option('--verify-first', 'read back every segment the restore will read (sha256, every block) and write nothing unless all are intact')
    .addOption(jsonOpt())
    .action((o) => restoreCommand(o.config, o, ctx(o)));
  program
    .command('status')
    .description('list the backups at a storage location, or show one')
    .option('-c, --config <file>', 'YAML config file naming the storage (and backup_id)')
    .option('-p, --path <dir>', 'a backup directory (filesystem storage)')
    .option('-b, --backup-id <id>', 'the backup to show')
    .addOption(jsonOpt())
    .action((o) => statusCommand(o, ctx(o)));
  program
    .command('validate-restore')
    .description('dry run: check the backup and the target cluster, report what a restore would do; writes nothing')
    .requiredOption('-c, --config <file>', 'YAML config file')
    .option('--quick', 'check that segments exist with the right sizes instead of reading them all')
    .addOption(jsonOpt())
    .action((o) => validateRestoreCommand(o.config, o, ctx(o)));
  const offsets = program.command('offsets').description("consumer-group offsets: show or commit a backup's captured offsets, translated to the target");
  for (const [action, what] of [
    ['plan', 'show the translated offsets of the selected groups and whether they can be committed; writes nothing'],
    ['apply', 'commit the translated offsets of the selected groups that are restored and have no active members'],
  ] as const) {
    const cmd = offsets
      .command(action)
      .description(what)
      .requiredOption('-c, --config <file>', 'YAML config file (the restore config)')
      .option('-g, --group <entry...>', 'groups to use instead of restore.consumer_groups (ids, globs, ~regex)')
      .addOption(jsonOpt());
    if (action === 'apply') cmd.option('--force', 'commit groups already committed from the same capture again');
    cmd.action((o) => offsetsCommand(action, o.config, o, ctx(o)));
  }
  program
    .command('verify')
    .description('read a backup back and check every checksum (no Kafka needed)')
    .option('-c, --config <file>', 'YAML config file naming the storage and backup_id')
    .option('-p, --path <dir>', 'a backup directory (filesystem storage)')
    .option('-b, --backup-id <id>', 'the backup to verify')
    .option('--quick', 'check existence and sizes only')
    .addOption(jsonOpt())
    .action((o) => verifyCommand(o, ctx(o)));
  program
    .command('config-check')
    .description('validate a config file and print it as understood (secrets masked)')
    .requiredOption('-c, --config <file>', 'YAML config file')
    .addOption(jsonOpt())
    .action((o) => configCheckCommand(o.config, ctx(o)));

  let error: Record<string, unknown> | undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    ({ exit: exitCode, error } = report(err, log));
    // A command line commander refused never reached an action: --json is still honoured.
    json ||= err instanceof CommanderError && argv.includes('--json');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  }
  if (json && (document !== undefined || error !== undefined)) {
    process.stdout.write(JSON.stringify(error ? { ...document, error } : document) + '\n');
  }
  return exitCode;
}

/** Reports a failure on stderr; returns the exit code and the error as it goes into --json output. */
function report(err: unknown, log: Logger | undefined): { exit: number; error?: Record<string, unknown> } {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with exit code 0; commander already printed the text.
    return err.exitCode === 0 ? { exit: EXIT.ok } : { exit: EXIT.usage, error: { code: 'USAGE', message: err.message } };
  }
  const known = isKafkaBackupError(err);
  const code = known ? err.code : 'INTERNAL';
  const exit = known ? exitCodeFor(err.code) : EXIT.internal;
  const message = known ? (err instanceof ConfigError ? err.message : describeError(err)) : describeError(err);
  const error = { code, message, ...(known ? err.details : {}), ...(err instanceof ConfigError ? { problems: err.problems } : {}) };
  if (!known) {
    process.stderr.write(`kafka-backup: internal error (a bug, please report it with this output): ${message}\n${(err as Error)?.stack ?? ''}\n`);
  } else {
    process.stderr.write(`kafka-backup: ${code}: ${message}\n`);
  }
  log?.debug({ err }, 'failure details');
  return { exit, error };
}

export { KafkaBackupError };
