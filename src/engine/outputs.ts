// What a stack reports after an apply: the outputs of each of its resources (those its kind says a
// person needs are shown, KindFacts.shownOutputs; the JSON forms carry every one) and the Stack's
// own named outputs (spec.outputs), read from what Google holds once the apply is done. They are
// recorded in the inventory, so `musectl output` answers from the state alone, without a call.
// Outputs are names, URLs and emails: a secret's value is never one of them.
import type { ControllerRegistry } from '../contract/controller.js';
import type { StackOutput } from '../manifest/stack.js';
import { entryKey, type Inventory } from '../state/inventory.js';

export interface ResourceOutputs {
  kind: string;
  name: string;
  outputs: Record<string, string>;
  /** The outputs a person needs, in the kind's order (the rest are in `outputs` too). */
  shown: string[];
}

export interface StackOutputs {
  stack: string;
  project: string;
  /** The Stack's named outputs. */
  outputs: Record<string, string>;
  /** Resources that have outputs, sorted by Kind/name. */
  resources: ResourceOutputs[];
}

/** Outputs with a value: Google leaves some empty (a service's uri while it has none). */
export function withValues(outputs: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs ?? {}).filter(([, v]) => typeof v === 'string' && v !== ''));
}

/** The Stack's named outputs whose resource has the value; the others are left out (not created, or failed). */
export function stackOutputValues(
  declared: Record<string, StackOutput>,
  outputsOf: (key: string) => Record<string, string> | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, ref] of Object.entries(declared)) {
    const value = withValues(outputsOf(`${ref.kind}/${ref.name}`))[ref.output];
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** The outputs of each resource that has any, with the ones its kind shows, by Kind/name. */
export function resourceOutputs(
  resources: Array<{ kind: string; name: string }>,
  outputsOf: (key: string) => Record<string, string> | undefined,
  controllers: ControllerRegistry,
): ResourceOutputs[] {
  const sorted = [...resources].sort((a, b) => entryKey(a).localeCompare(entryKey(b)));
  return sorted.flatMap((r) => {
    const outputs = withValues(outputsOf(entryKey(r)));
    if (Object.keys(outputs).length === 0) return [];
    const shown = (controllers.get(r.kind)?.facts.shownOutputs ?? []).filter((o) => o in outputs);
    return [{ kind: r.kind, name: r.name, outputs, shown }];
  });
}

/** What the inventory recorded at the last apply, for `musectl output`. */
export function outputsFromInventory(inv: Inventory, controllers: ControllerRegistry): StackOutputs {
  const byKey = new Map(inv.entries.map((e) => [entryKey(e), e]));
  return {
    stack: inv.stack,
    project: inv.project,
    outputs: inv.outputs ?? {},
    resources: resourceOutputs(inv.entries, (key) => byKey.get(key)?.outputs, controllers),
  };
}
