import { loadConfig } from '../../config/load.js';
import { redactConfig } from '../../config/redact.js';
import type { CommandContext } from '../context.js';

/** `config-check`: validate a config file and print it as the program understands it (secrets masked). */
export async function configCheckCommand(file: string, ctx: CommandContext): Promise<void> {
  const config = await loadConfig(file);
  ctx.report(redactConfig(config), `${file}: valid\n${JSON.stringify(redactConfig(config), null, 2)}`);
}
