#!/usr/bin/env node
// The installed command: run the compiled CLI (npm run build produces dist/).
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2));
// Exit explicitly once stdout is flushed: a client library's idle timer must not keep a finished
// command alive.
process.stdout.write('', () => process.exit(code));
