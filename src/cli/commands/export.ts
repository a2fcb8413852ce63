// musectl export: manifests for resources that already exist, so a team can start from what it
// has. Defaults are left out; the output validates; run plan on it to see what musectl would do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { allControllers } from '../../../controllers/index.js';
import { type ControllerContext, controllerFor, isExportable, type Observed } from '../../contract/controller.js';
import { type ExportedDocument, exportedYaml, exportResource, stackDocument } from '../../engine/export.js';
import { baseContext } from '../../engine/session.js';
import { SCHEMA_DIR } from '../../paths.js';
import { type Command, UsageError } from '../command.js';
import { loggerFrom, targetFlags, targetFrom } from '../engine-flags.js';

const CONTROLLERS = allControllers();

/** Kinds export can write, and whether they live in a region (each controller's exportScope). */
const EXPORTABLE: Record<string, 'project' | 'region'> = Object.fromEntries(
  [...CONTROLLERS.values()].flatMap((c) => (isExportable(c) && c.facts.exportScope ? [[c.kind, c.facts.exportScope]] : [])),
);

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write manifests for resources that already exist',
  usage: 'musectl export (--project ID | --emulator URL) --kinds KIND,... [--region R] [-o DIR] [--stack NAME]',
  details: `
Reads the resources of the given kinds (one list call per kind and scope) and writes a manifest
for each, in spec form with Google's defaults left out. Without -o the documents go to stdout;
with -o DIR, one file per kind plus stack.yaml. The stack name is taken from the resources'
musectl-stack label when they all agree, else --stack (default: default).
Resources musectl does not own yet show as "adopt" in a plan: apply them with --adopt.
Not exported: IAMPolicyMember (a policy holds bindings of every kind of member; write the ones
you manage by hand) and secret values (add spec.valueFrom).
Kinds: ${Object.keys(EXPORTABLE).join(', ')}.`,
  flags: {
    ...targetFlags,
    project: { type: 'string', value: 'ID', description: 'Google Cloud project id' },
    kinds: { type: 'string', value: 'KIND,...', description: 'Kinds to export', default: Object.keys(EXPORTABLE).join(',') },
    region: { type: 'string', value: 'REGION', description: 'Region of the regional kinds (Cloud Run, Artifact Registry)' },
    output: { type: 'string', short: 'o', value: 'DIR', description: 'Write files into DIR instead of stdout' },
    stack: { type: 'string', value: 'NAME', description: 'Stack name when the resources carry none' },
  },
  async run(args, out) {
    const kinds = String(args.flags.kinds)
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    for (const k of kinds) if (!(k in EXPORTABLE)) throw new UsageError(`--kinds: ${k} cannot be exported; use some of ${Object.keys(EXPORTABLE).join(', ')}`);
    const region = args.flags.region as string | undefined;
    if (!region && kinds.some((k) => EXPORTABLE[k] === 'region'))
      throw new UsageError(`--region is needed for ${kinds.filter((k) => EXPORTABLE[k] === 'region').join(', ')}`);
    const target = targetFrom(args);
    const controllers = CONTROLLERS;
    const base = baseContext({ target, log: loggerFrom(args) });
    const ctx: ControllerContext = {
      ...base,
      stack: String(args.flags.stack ?? 'default'),
      resource: () => undefined,
      imageDigests: new Map(),
      controller: (k) => controllerFor(controllers, k),
    };
    try {
      const found: Array<{ kind: string; observed: Observed }> = [];
      for (const kind of kinds) {
        const scope = EXPORTABLE[kind] === 'region' ? `projects/${ctx.project}/locations/${region}` : `projects/${ctx.project}`;
        for (const o of (await controllerFor(controllers, kind).observe(ctx, scope)).values()) found.push({ kind, observed: o });
      }
      const keys = new Set(found.map((f) => `${f.kind}/${controllerFor(controllers, f.kind).nameOf?.(f.observed) ?? f.observed.id.split('/').pop()}`));
      const docs: ExportedDocument[] = found.map((f) => {
        const controller = controllerFor(controllers, f.kind);
        if (!isExportable(controller)) throw new Error(`${f.kind} has an export scope but no toManifestSpec`);
        return exportResource(controller, f.observed, ctx, keys);
      });
      const stacks = [...new Set(docs.map((d) => d.stack).filter(Boolean))];
      const stack = stacks.length === 1 ? stacks[0]! : String(args.flags.stack ?? 'default');
      const stackYaml = stackDocument(stack, region);
      const dir = args.flags.output as string | undefined;
      if (!dir) {
        out.out(`${stackYaml}---\n${exportedYaml(docs, 'schema')}`);
      } else {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'stack.yaml'), stackYaml);
        for (const kind of kinds) {
          const ofKind = docs.filter((d) => d.kind === kind);
          if (ofKind.length > 0) writeFileSync(join(dir, `${kind}.yaml`), exportedYaml(ofKind, relative(dir, SCHEMA_DIR)));
        }
      }
      const problems = docs.filter((d) => d.problems.length > 0).length;
      out.err(
        `exported ${docs.length} resources of ${kinds.length} kinds (stack ${stack})${dir ? ` to ${dir}` : ''}${problems ? `; ${problems} need a look (see the comments)` : ''}\n`,
      );
      return 0;
    } finally {
      await base.clients.close();
    }
  },
};
