// Run by `npm run build` after tsc: two esbuild bundles, so that a run reads a few files where Node
// would resolve, read and compile hundreds (each is then loaded through V8's code cache,
// src/compile-cache.ts):
// - dist/musectl.cjs: the CLI (the compiled dist/src/cli/main.js with our other modules, yaml,
//   ajv and pino), which bin/musectl.js loads;
// - dist/vendor/google-libraries.cjs: the Google client libraries (src/gcp/google-libraries.cjs and
//   all it requires), which src/gcp/libraries.ts loads on the first call to Google.
// The two stay apart so that a command that calls no API (validate, completion) never reads the
// second; files read at run time (schema/, the precompiled validators, protos.json of the
// validation rules) are found from the package root, as before.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { LIBRARY_BUNDLE, LIBRARY_ENTRY } from './gcp/libraries.js';
import { checkPrunedImporters, type ProtoRoots, protosToPrune, pruneProtos } from './gcp/protos-pruning.js';
import { PACKAGE_ROOT } from './paths.js';

export const CLI_BUNDLE = join(PACKAGE_ROOT, 'dist', 'musectl.cjs');

// esbuild turns a required .json into a JavaScript object literal; V8 reads the same data several
// times faster through JSON.parse of a string (https://v8.dev/blog/cost-of-javascript-2019#json),
// and the clients' protos.json files are ~1.5 MB together. Each protos.json goes in reduced to
// what the clients that load it reach (src/gcp/protos-pruning.ts).
function jsonThroughParse(pruned: Map<string, ProtoRoots>): Plugin {
  return {
    name: 'json-through-parse',
    setup(b) {
      b.onLoad({ filter: /\.json$/ }, (args) => {
        const json = JSON.parse(readFileSync(args.path, 'utf8'));
        const roots = pruned.get(args.path);
        const minified = JSON.stringify(roots ? pruneProtos(json, roots) : json);
        return { contents: `module.exports = JSON.parse(${JSON.stringify(minified)});`, loader: 'js' };
      });
    },
  };
}

const common: BuildOptions = {
  absWorkingDir: PACKAGE_ROOT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  metafile: true,
};

/**
 * Builds in memory, runs `check` on what went in (a failed check leaves the last build's files as
 * they were), then writes the bundle and the files beside it.
 */
async function bundle(what: string, options: BuildOptions, check: (meta: Metafile) => void = () => undefined): Promise<void> {
  const result = await build({ ...common, ...options, write: false });
  const meta = result.metafile as Metafile;
  check(meta);
  mkdirSync(dirname(options.outfile!), { recursive: true });
  for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  const bytes = Object.entries(meta.outputs).find(([file]) => file.endsWith(basename(options.outfile!)))![1].bytes;
  process.stdout.write(`bundled ${Object.keys(meta.inputs).length} modules of ${what} into ${options.outfile} (${(bytes / 1e6).toFixed(1)} MB)\n`);
}

// The libraries' bundle without whitespace and comments: 4 MB instead of 6, and ASCII only (esbuild
// escapes non-ASCII characters in code, not in comments), which Node reads into a one-byte string
// without decoding UTF-8: reading and compiling it took ~14 ms less of every plan. Names are kept
// (no renaming: the libraries read constructor names), and the licences' comments go to
// google-libraries.cjs.LEGAL.txt beside it.
const pruned = protosToPrune(LIBRARY_ENTRY);
await bundle(
  'the Google client libraries',
  {
    entryPoints: [LIBRARY_ENTRY],
    outfile: LIBRARY_BUNDLE,
    plugins: [jsonThroughParse(pruned.byFile)],
    inject: [join(PACKAGE_ROOT, 'src', 'gcp', 'fetch-globals.mjs')],
    minifyWhitespace: true,
    legalComments: 'external',
  },
  (meta) => checkPrunedImporters(meta, PACKAGE_ROOT, pruned),
);
// Our modules are ES modules that find files beside themselves through import.meta.url, which a
// CommonJS file does not have: the bundle's own URL stands in for it (every such lookup goes up to
// the package root, or resolves a package).
await bundle('musectl', {
  entryPoints: [join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js')],
  outfile: CLI_BUNDLE,
  define: { 'import.meta.url': '__musectl_bundle_url' },
  // dist/musectl.cjs.map: with NODE_OPTIONS=--enable-source-maps an internal error's stack names
  // the compiled module of each line (bin/musectl.js says so).
  sourcemap: true,
  sourcesContent: false,
  banner: { js: 'const __musectl_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
});
