// Routes from the protos' google.api.http annotations (the same rules the official clients use in
// REST mode), so an API module names the RPCs it serves and their handlers, not their URLs:
// "/v2/{name=projects/*/locations/*/services/*}" becomes "/v2/projects/{project}/locations/{location}/services/{service}",
// each `collection/*` a path variable named after the collection's singular.
import type { Emulator } from './emulator.js';
import { ProtoCodec } from './proto.js';
import type { Handler, RouteOptions } from './router.js';

const IRREGULAR: Record<string, string> = { repositories: 'repository', dockerImages: 'dockerImage' };
const singular = (collection: string): string => IRREGULAR[collection] ?? collection.replace(/ies$/, 'y').replace(/s$/, '');

/** The router template of an http rule path. */
export function routerTemplate(path: string): string {
  return path.replace(/\{([a-z_.]+)=([^}]+)\}/g, (_, _field: string, pattern: string) => {
    const parts = pattern.split('/');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i += 2) {
      if (parts[i + 1] !== '*') throw new Error(`emulator: http rule pattern ${pattern} is not collection/* pairs`);
      out.push(parts[i], `{${singular(parts[i])}}`);
    }
    return out.join('/');
  });
}

export type RpcHandlers = Record<string, Handler | [Handler, RouteOptions]>;

/** Registers `handlers` (RPC name -> handler) of a proto service on the routes its annotations give. */
export function registerRpcs(emu: Emulator, npmPackage: string, serviceName: string, handlers: RpcHandlers, common: RouteOptions = {}): void {
  const rules = ProtoCodec.forPackage(npmPackage).httpRules(serviceName);
  for (const [rpc, entry] of Object.entries(handlers)) {
    const rule = rules[rpc];
    if (!rule) throw new Error(`emulator: ${serviceName}.${rpc} has no google.api.http rule`);
    const [handler, options] = Array.isArray(entry) ? entry : [entry, {}];
    emu.router.add(rule.method, routerTemplate(rule.path), handler, { mutates: rule.method !== 'GET', ...common, ...options });
  }
}
