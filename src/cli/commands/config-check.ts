import { loadConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import type { CommandContext } from '../context.js';

/** `config-check`: validate a config file and print it as the program understands it (secrets masked). */
export async function configCheckCommand(file: string, ctx: CommandContext): Promise<void> {
  const shown = redactConfig(await loadConfig(file));
  ctx.report(shown, `${file}: valid\n${JSON.stringify(shown, null, 2)}`);
}
