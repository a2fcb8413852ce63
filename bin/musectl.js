#!/usr/bin/env node
// The bin runs the compiled CLI (built by `npm install` through the prepare script): no TypeScript
// loader at start-up, so `musectl validate` stays fast in CI. It loads the CLI's bundle
// (dist/musectl.cjs, src/build-bundles.ts): one file instead of ~400 modules.
import { statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Node's on-disk compile cache (Node >= 22.1; the watcher's image runs Node 22): the second start
// compiles none of the modules again. On Node 20 the bundles go through V8's code cache instead
// (src/compile-cache.ts). https://nodejs.org/api/module.html#moduleenablecompilecachecachedir
module.enableCompileCache?.();

const bundle = fileURLToPath(new URL('../dist/musectl.cjs', import.meta.url));
const compiled = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

/** The bundle, unless tsc compiled the sources after it was made (a developer ran tsc alone). */
async function loadCli() {
  // First, how V8 spends a short run's CPU (src/v8-flags.ts): WebAssembly stays on its baseline
  // compiler, and TurboFan waits for code that runs long enough to pay its compilation back.
  (await import('../dist/src/v8-flags.js')).applyStartFlags(process.argv.slice(2), process.execArgv);
  const made = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  if ((made(bundle) ?? 0) >= (made(compiled) ?? 0)) return (await import('../dist/src/compile-cache.js')).requireCached(bundle);
  process.stderr.write('musectl: dist/musectl.cjs is older than dist/src (tsc ran without the bundle): running dist/src; `npm run build` makes both\n');
  return import('../dist/src/cli/main.js');
}

loadCli()
  .then((cli) => cli.main(process.argv.slice(2)))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // The bundle's positions map to the compiled modules with Node's source maps on.
      const hint = process.sourceMapsEnabled ? '' : '\n(run with NODE_OPTIONS=--enable-source-maps to see which module each line of the stack is in)';
      process.stderr.write(`musectl: internal error: ${err?.stack ? err.stack : err}${hint}\n`);
      process.exitCode = 70;
    },
  );
