// What export writes for a resource, read back as a manifest (schema defaults filled in, as loading
// it would), must plan as no change against the resource it came from: shared by the controller
// contract (each kind's sample) and the field round-trip (every field set).
import {
  type AnyController,
  type ControllerContext,
  type ControllerRegistry,
  controllerFor,
  type ExportIndex,
  idOf,
  isLabelled,
  type Observed,
  predictedOutputs,
} from '../../src/contract/controller.js';
import { exportResource } from '../../src/engine/export.js';
import { desiredLabels } from '../../src/engine/ownership.js';
import { outputLookup, resourceChanges } from '../../src/engine/planner.js';
import type { Resource } from '../../src/manifest/index.js';
import { schemaRegistry } from '../../src/manifest/schemas.js';

/** The stack as export would know it: every manifest exported, by its name, id and predicted outputs. */
export function exportIndexOf(controllers: ControllerRegistry, resources: Resource[], ctx: ControllerContext): ExportIndex {
  const find = (kind: string, test: (r: Resource) => boolean) => resources.find((r) => r.kind === kind && test(r))?.name;
  return {
    has: (kind, name) => find(kind, (r) => r.name === name) !== undefined,
    nameOf: (kind, id) => find(kind, (r) => idOf(controllerFor(controllers, kind), r, ctx) === id),
    withOutput: (kind, output, value) => find(kind, (r) => predictedOutputs(controllerFor(controllers, kind), r, ctx)[output] === value),
  };
}

/** Export's problems with the document, and the changes its manifest would plan (a secret's value aside: it is never exported). */
export function exportRoundTrip(
  controllers: ControllerRegistry,
  controller: AnyController,
  r: Resource,
  observed: Observed,
  resources: Resource[],
  ctx: ControllerContext,
): { problems: string[]; changes: string[] } {
  if (typeof controller.toManifestSpec !== 'function') return { problems: [], changes: [] };
  const exported = exportResource(controller as never, { observed, id: observed.id, name: r.name }, ctx, exportIndexOf(controllers, resources, ctx));
  const lookup = outputLookup(resources, controllers, ctx, () => undefined);
  const withDefaults = schemaRegistry().check(schemaRegistry().get(r.kind)!, exported.doc).withDefaults as { spec?: Record<string, any> };
  const desired = controller.desired({ ...r, spec: withDefaults.spec ?? {} }, ctx, lookup);
  const labels = desiredLabels(r.labels, ctx.stack, isLabelled(controller));
  const changes = resourceChanges(controller, desired, labels, observed).filter((c) => c.path !== 'value');
  return { problems: exported.problems, changes: changes.map((c) => `${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`) };
}
