#!/usr/bin/env node
// Runs the compiled CLI (npm run build writes dist/); no TypeScript loader at run time.
import '../dist/harness/cli.js';
