#!/usr/bin/env node
// The bin runs the compiled CLI (built by `npm install` through the prepare script): no TypeScript
// loader at start-up, so `musectl validate` stays fast in CI.
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
