// A request for a Google method the emulator does not serve is answered 501 UNIMPLEMENTED naming the
// method, so a client learns it hit the edge of the emulator rather than a missing resource. The
// methods are the discovery documents' (discovery/methods.json, extracted from the @googleapis
// clients). A `{+name}` path variable is matched by the resource name its method id implies (AIP-122:
// run.projects.locations.services.get names projects/*/locations/*/services/*; a parent or a list
// drops the last collection), then by any path, so the method named is the likeliest one.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface DiscoveryMethod {
  document: string;
  id: string;
  httpMethod: string;
  path: string;
}

interface Matcher {
  method: DiscoveryMethod;
  exact: RegExp;
  loose: RegExp;
  /** Characters of fixed text in the template: of several matches, the most specific wins. */
  literal: number;
}

const require = createRequire(import.meta.url);
let matchers: Matcher[] | undefined;

/**
 * AIP-122 resource name pattern a path variable of this method takes: the collections of its id,
 * less the last one when the path goes on below the variable ({+parent}/secrets names the parent).
 */
export function impliedName(id: string, variable: string, path: string): string {
  const parts = id.split('.').slice(1);
  parts.pop();
  const collections = path.includes(`{+${variable}}/`) ? parts.slice(0, -1) : parts;
  // An id segment never holds ':' (it starts a custom verb, projects/p/...:getIamPolicy).
  return collections.map((c) => `${c}/[^/:]+`).join('/');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(m: DiscoveryMethod, exact: boolean): RegExp {
  let re = '';
  for (const piece of m.path.split(/(\{\+?[^}]+\})/)) {
    const v = /^\{(\+?)([^}]+)\}$/.exec(piece);
    if (!v) re += escapeRegExp(piece);
    else if (!v[1]) re += '[^/]+';
    else re += exact ? impliedName(m.id, v[2], m.path) || '[^:]+' : '[^:]+';
  }
  // The clients spell some collections in lower case (workerpools for workerPools): compare without case.
  return new RegExp(`^/${re}$`, exact ? 'i' : '');
}

function all(): Matcher[] {
  matchers ??= loadMethods().map((method) => ({
    method,
    exact: compile(method, true),
    loose: compile(method, false),
    literal: method.path.replace(/\{[^}]+\}/g, '').length,
  }));
  return matchers;
}

/**
 * methods.json sits beside this file in the source tree (emulator/discovery/); the compiled emulator
 * (dist/emulator/) and the CLI's bundle (dist/musectl.cjs, where `musectl up` runs the emulator)
 * find it by going up to the package root, and never beyond it.
 */
function loadMethods(): DiscoveryMethod[] {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    for (const path of [join(dir, 'discovery', 'methods.json'), join(dir, 'emulator', 'discovery', 'methods.json')]) {
      if (existsSync(path)) return require(path) as DiscoveryMethod[];
    }
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return [];
  }
}

/** The discovery method a request names, if any. */
export function discoveryMethodFor(httpMethod: string, path: string): DiscoveryMethod | undefined {
  const candidates = all()
    .filter((m) => m.method.httpMethod === httpMethod)
    .sort((a, b) => b.literal - a.literal);
  return candidates.find((m) => m.exact.test(path))?.method ?? candidates.find((m) => m.loose.test(path))?.method;
}

export function notEmulatedMessage(m: DiscoveryMethod): string {
  return `Method ${m.id} (${m.httpMethod} /${m.path}, ${m.document}) is not emulated.`;
}
