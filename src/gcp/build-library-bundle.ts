// Run by `npm run build` after tsc: bundles the Google client libraries (src/gcp/google-libraries.cjs
// and all it requires) into dist/vendor/google-libraries.cjs with esbuild. The CLI then reads one
// file where Node would resolve, read and compile ~600 (src/gcp/libraries.ts).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { LIBRARY_BUNDLE, LIBRARY_ENTRY } from './libraries.js';

// esbuild turns a required .json into a JavaScript object literal; V8 reads the same data several
// times faster through JSON.parse of a string (https://v8.dev/blog/cost-of-javascript-2019#json),
// and the clients' protos.json files are ~1.5 MB together.
const jsonThroughParse: Plugin = {
  name: 'json-through-parse',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, (args) => {
      const minified = JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8')));
      return { contents: `module.exports = JSON.parse(${JSON.stringify(minified)});`, loader: 'js' };
    });
  },
};

mkdirSync(dirname(LIBRARY_BUNDLE), { recursive: true });
const result = await build({
  entryPoints: [LIBRARY_ENTRY],
  outfile: LIBRARY_BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [jsonThroughParse],
  logLevel: 'warning',
  metafile: true,
});
const modules = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes;
process.stdout.write(`bundled ${modules} modules of the Google client libraries into ${LIBRARY_BUNDLE} (${(bytes / 1e6).toFixed(1)} MB)\n`);
