// Builds methods.json: every method of the discovery documents the emulator answers for, as the
// discovery-based @googleapis clients (devDependencies) encode them: id, HTTP method and path.
// Run after upgrading those packages: node emulator/discovery/extract.mjs
// The emulator reads methods.json to name a Google method it does not emulate (501).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** [api name in method ids, package, version file]. */
const DOCUMENTS = [
  ['run', '@googleapis/run', 'v2'],
  ['run', '@googleapis/run', 'v1'],
  ['storage', '@googleapis/storage', 'v1'],
  ['secretmanager', '@googleapis/secretmanager', 'v1'],
  ['cloudresourcemanager', '@googleapis/cloudresourcemanager', 'v1'],
  ['cloudresourcemanager', '@googleapis/cloudresourcemanager', 'v3'],
  ['serviceusage', '@googleapis/serviceusage', 'v1'],
  ['iam', '@googleapis/iam', 'v1'],
];

const lowerFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);

function methodsOf(source) {
  const out = [];
  // Each resource is a class Resource$A$B; each method builds {url: (rootUrl + '/path'), method: 'GET'}.
  const classes = source.split(/\n {4}class (Resource\$[\w$]+) \{/);
  for (let i = 1; i < classes.length; i += 2) {
    const resource = classes[i]
      .replace(/^Resource\$/, '')
      .split('$')
      .map(lowerFirst)
      .join('.');
    const body = classes[i + 1];
    const re = /\n {8}(\w+)\(paramsOrCallback[\s\S]*?url: \(rootUrl \+\s*'([^']+)'\)[\s\S]*?method: '(\w+)'/g;
    for (let m = re.exec(body); m; m = re.exec(body)) out.push({ resource, method: m[1], path: m[2], httpMethod: m[3] });
  }
  return out;
}

const table = [];
for (const [api, pkg, version] of DOCUMENTS) {
  const file = join(dirname(require.resolve(`${pkg}/package.json`)), 'build', `${version}.js`);
  for (const m of methodsOf(readFileSync(file, 'utf8'))) {
    table.push({ document: `${api}:${version}`, id: `${api}.${m.resource}.${m.method}`, httpMethod: m.httpMethod, path: m.path.replace(/^\//, '') });
  }
}
writeFileSync(join(here, 'methods.json'), `${JSON.stringify(table, null, 0).replace(/\},\{/g, '},\n{')}\n`);
process.stdout.write(`${table.length} methods\n`);
