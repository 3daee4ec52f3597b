#!/usr/bin/env node
// Runs the compiled CLI (npm run build writes dist/); no TypeScript loader at
// run time. The only place that exits the process: every command returns its
// exit code (harness/cli.ts).
import { main } from '../dist/harness/cli.js';
import { processIo } from '../dist/harness/io.js';

const code = await main(process.argv.slice(2), processIo());
// stdout and stderr are synchronous on Linux pipes, files and terminals: nothing written is lost
process.exit(code);
