#!/usr/bin/env node
// The bin runs the compiled CLI (built by `npm install` through the prepare script): no TypeScript
// loader at start-up, so `musectl validate` stays fast in CI.
import module from 'node:module';

// Node's on-disk compile cache (Node >= 22.1; the watcher's image runs Node 22): the second start
// compiles none of the thousands of modules the Google clients bring. Absent on Node 20: no-op.
// https://nodejs.org/api/module.html#moduleenablecompilecachecachedir
module.enableCompileCache?.();

import('../dist/src/cli/main.js')
  .then((cli) => cli.main(process.argv.slice(2)))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`musectl: internal error: ${err?.stack ? err.stack : err}\n`);
      process.exitCode = 70;
    },
  );
