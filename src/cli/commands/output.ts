// musectl output: the stack's outputs as its last apply recorded them, like `terraform output`. It
// reads the state only (no call to Google, no emulator needed), so a script can run it anywhere
// the state is: URL=$(musectl output frontendUrl -f manifests).
import { resolve } from 'node:path';
import { allControllers } from '../../../controllers/index.js';
import { outputsFromInventory, type StackOutputs } from '../../engine/outputs.js';
import { baseContext } from '../../engine/session.js';
import { UserError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { findStack } from '../../manifest/stack.js';
import { didYouMean } from '../../manifest/suggest.js';
import { outputsJson, renderOutputsText } from '../../report/outputs.js';
import { InventoryStore, projectsWithInventory } from '../../state/inventory.js';
import { LocalStateStore } from '../../state/local-store.js';
import { defaultStateDir, openStateStore } from '../../state/open.js';
import type { StateStore } from '../../state/store.js';
import { type Command, type ParsedArgs, UsageError } from '../command.js';
import { targetFlags, targetFrom } from '../engine-flags.js';
import { cliVariables, environmentFrom, manifestFlags, manifestPaths, stackFlag } from '../stack-flags.js';

export const outputCommand: Command = {
  name: 'output',
  summary: "Print the stack's outputs as of its last apply (reads the state only)",
  usage: 'musectl output [NAME | KIND/NAME[.OUTPUT]] -f PATH... [--project ID] [--state DIR|gs://B/P] [-o text|json]',
  details: `
Without NAME: every output, as apply prints them (the Stack's spec.outputs, then each resource's
URL, email or name). With the name of one of the Stack's outputs, or KIND/NAME.OUTPUT: only that
value, on one line, for scripts. KIND/NAME: every output of that resource. -o json: the same as
JSON. The values are those the last apply recorded in the stack's state; nothing is read from
Google. Without --project, the state's only inventory of the stack is used.`,
  flags: {
    filename: manifestFlags.filename,
    project: manifestFlags.project,
    stack: manifestFlags.stack,
    env: manifestFlags.env,
    state: { type: 'string', value: 'DIR|gs://B/P', description: 'Where the stack keeps its state (default: .musectl/state beside the Stack document)' },
    emulator: targetFlags.emulator,
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'text or json', default: 'text' },
  },
  positionals: true,
  async run(args, out) {
    const format = String(args.flags.output);
    if (format !== 'text' && format !== 'json') throw new UsageError(`-o ${format}: use text or json`);
    if (args.positionals.length > 1) throw new UsageError('give at most one output name');
    const paths = manifestPaths(args);
    const found = findStack(paths);
    const stack = stackFlag(args) ?? found.name;
    const location = (args.flags.state as string | undefined) ?? defaultStateDir(found.document?.file, paths);
    const store = stateStore(location, args);
    const env = environmentFrom(args);
    const project = cliVariables(args).PROJECT_ID ?? env?.project ?? (await onlyProject(store, stack, env?.name, args));
    const inventory = await new InventoryStore(store, project, stack, env?.name).load();
    if (inventory.entries.length === 0 && Object.keys(inventory.outputs ?? {}).length === 0) {
      throw new UserError(
        `stack ${stack} has nothing recorded for project ${project} in ${store.describe()}: it has not been applied there (or was destroyed)`,
        'Run musectl apply first; musectl output reads what the last apply recorded.',
      );
    }
    const outputs = outputsFromInventory(inventory, allControllers());
    const name = args.positionals[0];
    if (name === undefined) {
      const text = renderOutputsText(outputs, out.color);
      if (format === 'json') out.out(`${JSON.stringify({ stack, project, ...outputsJson(outputs) }, null, 2)}\n`);
      else if (text) out.out(text);
      else out.err(`Stack ${stack} has no outputs in project ${project}.\n`);
      return 0;
    }
    const value = pick(outputs, name, Object.keys(found.outputs));
    if (format === 'json') out.out(`${JSON.stringify(value, null, 2)}\n`);
    else if (typeof value === 'string') out.out(`${value}\n`);
    else
      out.out(
        Object.entries(value)
          .map(([k, v]) => `${k} = ${v}\n`)
          .join(''),
      );
    return 0;
  },
};

function stateStore(location: string, args: ParsedArgs): StateStore {
  if (!location.startsWith('gs://')) return new LocalStateStore(resolve(location));
  // State in Cloud Storage is read through the official client, as apply writes it: that needs a target.
  const { clients, api } = baseContext({ target: targetFrom(args), log: createLogger('warn') });
  return openStateStore(location, clients, api);
}

/** PROJECT.STACK.ENV.inventory.json: an environment's inventory. */
const ENV_INVENTORY = /^[^.]+\.([^.]+)\.([^.]+)\.inventory\.json$/;

/** The project of the store's only inventory of the stack; several (or none) need --project. */
async function onlyProject(store: StateStore, stack: string, env: string | undefined, args: ParsedArgs): Promise<string> {
  if (args.flags.emulator !== undefined || process.env.MUSECTL_EMULATOR) return targetFrom(args).project;
  const projects = await projectsWithInventory(store, stack, env);
  if (projects.length === 1) return projects[0];
  if (projects.length === 0) {
    // Applied only in environments (--env): say which.
    const envs = env
      ? []
      : (await store.list('')).flatMap((k) => {
          const m = ENV_INVENTORY.exec(k);
          return m && m[1] === stack ? [m[2]] : [];
        });
    throw new UserError(
      `stack ${stack}${env ? ` (environment ${env})` : ''} has no inventory in ${store.describe()}: it has not been applied with this state`,
      envs.length > 0
        ? `It has been applied in environments ${envs.sort().join(', ')}: give --env NAME.`
        : 'Run musectl apply first, or give --state where its state is.',
    );
  }
  throw new UserError(`stack ${stack} has inventories for projects ${projects.join(', ')} in ${store.describe()}`, 'Say which one with --project ID.');
}

/** One output by the Stack's name for it, KIND/NAME.OUTPUT, or KIND/NAME (all of that resource's). */
function pick(o: StackOutputs, name: string, declared: string[]): string | Record<string, string> {
  if (name in o.outputs) return o.outputs[name];
  const byKey = new Map(o.resources.map((r) => [`${r.kind}/${r.name}`, r.outputs]));
  if (byKey.has(name)) return byKey.get(name)!;
  const dot = name.lastIndexOf('.');
  const resource = dot > 0 ? byKey.get(name.slice(0, dot)) : undefined;
  if (resource && name.slice(dot + 1) in resource) return resource[name.slice(dot + 1)];
  if (declared.includes(name)) {
    throw new UserError(`output ${name} is declared in the Stack, but the state has no value for it: its resource has not been applied (or failed)`);
  }
  const known = [...Object.keys(o.outputs), ...o.resources.flatMap((r) => Object.keys(r.outputs).map((k) => `${r.kind}/${r.name}.${k}`))];
  const hint = resource ? `; ${name.slice(0, dot)} has ${Object.keys(resource).join(', ')}` : didYouMean(name, known);
  throw new UserError(
    `no output ${name} in the state of stack ${o.stack} (project ${o.project})${hint}`,
    'musectl output without a name lists them; a resource output is KIND/NAME.OUTPUT.',
  );
}
