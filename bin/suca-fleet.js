#!/usr/bin/env node
// Runs the compiled CLI (npm run build writes dist/); no TypeScript loader at
// run time. The only place that exits the process: every command returns its
// exit code (harness/cli.ts).
import { main } from '../dist/harness/cli.js';
import { processIo } from '../dist/harness/io.js';
import { reportError } from '../dist/harness/commands/common.js';

const io = processIo();
// an error thrown outside any command's await chain (an event handler, a timer) is a bug too:
// the same short message as inside, exit 1, the stack only with SUCA_FLEET_DEBUG=1
const fail = (err) => process.exit(reportError(io, err, 'running suca-fleet (outside a command step)'));
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
const code = await main(process.argv.slice(2), io);
// stdout and stderr are synchronous on Linux pipes, files and terminals: nothing written is lost
process.exit(code);
