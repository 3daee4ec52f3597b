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
// a reader that stops reading (`| head`) is not a bug: what is left of the output goes nowhere, the run goes on to its exit code
for (const s of [process.stdout, process.stderr]) s.on('error', (err) => (err.code === 'EPIPE' ? undefined : fail(err)));
const code = await main(process.argv.slice(2), io);
// process.exit does not wait for a pipe: a results.json past the pipe's 64 KiB buffer (`run --json | jq`, a pod
// log read by kubectl) was cut at 65,536 bytes. An empty write's callback runs once every write before it is out.
const flushed = (s) => new Promise((resolve) => s.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
