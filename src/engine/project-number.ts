// The project's number (${PROJECT_NUMBER}): asked of Resource Manager, or taken from what the
// stack's inventory recorded at the last apply (a project's number never changes), which
// openSession may read before it loads the manifests.
// https://cloud.google.com/resource-manager/docs/creating-managing-projects#identifying_projects
import { resolve } from 'node:path';
import type { ApiCaller } from '../gcp/api-call.js';
import type { ClientFactory } from '../gcp/clients.js';
import type { StackSettings } from '../manifest/stack.js';
import { BUILTIN_VARIABLES } from '../manifest/variables.js';
import { type Inventory, InventoryStore } from '../state/inventory.js';
import { LocalStateStore } from '../state/local-store.js';

/**
 * The project number the stack's inventory recorded, read before its manifests are loaded, with
 * the identity it was found under (the stack's name, its state directory); none when the number is
 * given (--set), the state is in Cloud Storage (reading it is a call to Google, and nothing is sent
 * before the manifests are valid), or the inventory records none, one not of the stand-in's 12
 * digits, or cannot be read (the usual read after loading reports why).
 */
export async function recordedBeforeLoad(
  stack: StackSettings,
  stateOf: (stack: StackSettings) => string,
  opts: { variables: Record<string, string>; stack?: string; environment?: { name: string } },
  project: string,
): Promise<{ number: string; stack: string; state: string; inventory: Inventory } | undefined> {
  const location = stateOf(stack);
  if (opts.variables.PROJECT_NUMBER || location.startsWith('gs://')) return undefined;
  const state = resolve(location);
  const name = opts.stack ?? stack.name;
  try {
    const inventory = await new InventoryStore(new LocalStateStore(state), project, name, opts.environment?.name).load();
    // Only a number as long as the stand-in: what a number changes in a manifest is mostly a name's
    // length, so manifests invalid with the stand-in are then invalid with it too, and are refused
    // before any call as on a first plan, even when the inventory was edited to a wrong number.
    const number = recordedNumber(inventory);
    const standIn = BUILTIN_VARIABLES.PROJECT_NUMBER.placeholder;
    return number && number.length === standIn.length ? { number, stack: name, state, inventory } : undefined;
  } catch {
    return undefined;
  }
}

/** The inventory's project number, if it is one (digits; anything else was not written by musectl). */
export function recordedNumber(inventory: Inventory): string | undefined {
  const n = inventory.projectNumber;
  return typeof n === 'string' && /^[1-9][0-9]{0,19}$/.test(n) ? n : undefined;
}

/** The project's number, from Resource Manager (one call). */
export async function fetchProjectNumber(clients: ClientFactory, api: ApiCaller, project: string): Promise<string> {
  const [p] = await api.call({ quota: 'resourcemanager.read', scope: project, what: `read project ${project}` }, () =>
    clients.projects().getProject({ name: `projects/${project}` }),
  );
  const number = /^projects\/(\d+)$/.exec(p.name ?? '')?.[1];
  if (!number) throw new Error(`Resource Manager answered project ${project} without a number (name: ${p.name})`);
  return number;
}
