// What export writes: every resource of the asked kinds that the stack could manage, read in one
// list call per kind and scope, then the kinds that live inside those resources (the grants in
// their IAM policies). Each controller says what of its kind is Google's own and not exported (the
// APIs a new project has on, a bucket's default grants) and how it names and refers to the rest.
import {
  type AnyController,
  type ControllerContext,
  type ControllerRegistry,
  controllerFor,
  type ExportIndex,
  isExportable,
  type Observed,
} from '../contract/controller.js';

export type ExportScope = 'project' | 'region' | 'exported';

export interface Found {
  kind: string;
  /** Its Google id as the controller identifies it (the key of its observe; Google may answer another form, with the project number). */
  id: string;
  observed: Observed;
  /** Its manifest name. */
  name: string;
}

/** The kinds export can write, with where each is listed (KindFacts.exportScope). */
export function exportableKinds(controllers: ControllerRegistry): Map<string, ExportScope> {
  return new Map([...controllers.values()].flatMap((c) => (isExportable(c) && c.facts.exportScope ? [[c.kind, c.facts.exportScope] as const] : [])));
}

/** An ExportIndex over what was found so far. */
class Index implements ExportIndex {
  private readonly byKind = new Map<string, Found[]>();
  add(f: Found): void {
    this.byKind.set(f.kind, [...(this.byKind.get(f.kind) ?? []), f]);
  }
  all(): Found[] {
    return [...this.byKind.values()].flat();
  }
  has(kind: string, name: string): boolean {
    return (this.byKind.get(kind) ?? []).some((f) => f.name === name);
  }
  nameOf(kind: string, id: string): string | undefined {
    return this.byKind.get(kind)?.find((f) => f.id === id)?.name;
  }
  withOutput(kind: string, output: string, value: string): string | undefined {
    return this.byKind.get(kind)?.find((f) => f.observed.outputs[output] === value)?.name;
  }
}

const defaultName = (c: AnyController, o: Observed, index: ExportIndex): string => c.nameOf?.(o, index) ?? o.id.split('/').pop() ?? o.id;

/**
 * Reads what to export: the listed kinds first (per project, or per region), then the kinds found
 * inside them. Returns each resource with its manifest name (unique per kind) and the index the
 * manifests' references are resolved against.
 */
export async function scanForExport(opts: {
  controllers: ControllerRegistry;
  ctx: ControllerContext;
  kinds: string[];
  region?: string;
}): Promise<{ found: Found[]; index: ExportIndex }> {
  const { controllers, ctx, kinds, region } = opts;
  const scopes = exportableKinds(controllers);
  const listed = kinds.filter((k) => scopes.get(k) !== 'exported');
  const inside = kinds.filter((k) => scopes.get(k) === 'exported');

  const candidates = new Index();
  await Promise.all(
    listed.map(async (kind) => {
      const controller = controllerFor(controllers, kind);
      const scope = scopes.get(kind) === 'region' ? `projects/${ctx.project}/locations/${region}` : `projects/${ctx.project}`;
      for (const [id, o] of await controller.observe(ctx, scope)) candidates.add({ kind, id, observed: o, name: defaultName(controller, o, candidates) });
    }),
  );
  const index = new Index();
  for (const f of sorted(candidates.all())) if (controllerFor(controllers, f.kind).exportable?.(f.observed, ctx, candidates) ?? true) index.add(f);

  const primary = index.all().map((f) => ({ kind: f.kind, id: f.id }));
  for (const kind of inside) {
    const controller = controllerFor(controllers, kind);
    const found = await Promise.all((controller.exportScopes?.(ctx, primary) ?? []).map((scope) => controller.observe(ctx, scope)));
    const taken = new Set<string>();
    const observed = found.flatMap((m) => [...m.entries()]).sort(([a], [b]) => a.localeCompare(b));
    for (const [id, o] of observed) {
      if (!(controller.exportable?.(o, ctx, index) ?? true)) continue;
      index.add({ kind, id, observed: o, name: unique(defaultName(controller, o, index), taken) });
    }
  }
  return { found: index.all(), index };
}

/** Found resources in a stable order: by kind, then id (so two exports of the same cloud are the same files). */
function sorted(found: Found[]): Found[] {
  return [...found].sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
}

/** `name`, or name-2, name-3... when it is taken already. */
function unique(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name}-${i}`;
  taken.add(candidate);
  return candidate;
}
