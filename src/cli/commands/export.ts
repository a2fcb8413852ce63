// musectl export: manifests for resources that already exist, so a team can start from what it
// has. Defaults and empty fields are left out; the output validates; a plan of it against the same
// project changes nothing. Which kinds, where they are listed and what of them Google made by
// itself is each controller's to say (KindFacts.exportScope, Exportable).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { allControllers } from '../../../controllers/index.js';
import { type ControllerContext, controllerFor, isExportable } from '../../contract/controller.js';
import { type ExportedDocument, exportedYaml, exportResource, stackDocument } from '../../engine/export.js';
import { exportableKinds, scanForExport } from '../../engine/export-scan.js';
import { baseContext } from '../../engine/session.js';
import { UserError } from '../../errors.js';
import { SCHEMA_DIR } from '../../paths.js';
import { InventoryStore } from '../../state/inventory.js';
import { openStateStore } from '../../state/open.js';
import { type Command, UsageError } from '../command.js';
import { loggerFrom, targetFlags, targetFrom } from '../engine-flags.js';
import { stackFlag } from '../stack-flags.js';

const CONTROLLERS = allControllers();
const SCOPES = exportableKinds(CONTROLLERS);
const KINDS = [...SCOPES.keys()];

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write manifests for resources that already exist',
  usage: 'musectl export (--project ID | --emulator URL) [--kinds KIND,...] [--region R] [-o DIR [--force]] [--stack NAME] [--state DIR|gs://B/P]',
  details: `
Reads the resources of the given kinds (one list call per kind and scope) and writes a manifest
for each, in spec form with Google's defaults and empty fields left out: the APIs the project has
on that Google does not enable by default, and the grants (IAMPolicyMember) in the IAM policies of
the exported resources and on the project to the exported service accounts. Without -o the
documents go to stdout; with -o DIR, one file per kind plus stack.yaml, never over an existing
file unless --force. The stack name is taken from the resources' musectl-stack label when they
all agree, else --stack (default: default). With --state, grants keep the names the stack's
inventory gives them, so a plan with that state shows nothing to change or prune. Resources the
stack does not own yet are held back by a plan: plan --adopt shows them as "adopt", and
apply --adopt takes them over. Secret values are not
exported (add spec.valueFrom).
Kinds: ${KINDS.join(', ')}.`,
  flags: {
    ...targetFlags,
    project: { type: 'string', value: 'ID', description: 'Google Cloud project id' },
    kinds: { type: 'string', value: 'KIND,...', description: 'Kinds to export', default: KINDS.join(',') },
    region: { type: 'string', value: 'REGION', description: 'Region of the regional kinds (Cloud Run, Artifact Registry)' },
    output: { type: 'string', short: 'o', value: 'DIR', description: 'Write files into DIR instead of stdout' },
    force: { type: 'boolean', description: 'Overwrite files that exist in DIR' },
    stack: { type: 'string', value: 'NAME', description: 'Stack name when the resources carry none' },
    state: { type: 'string', value: 'DIR|gs://B/P', description: "The stack's state: grants are named as its inventory names them" },
  },
  async run(args, out) {
    const kinds = String(args.flags.kinds)
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    for (const k of kinds) if (!SCOPES.has(k)) throw new UsageError(`--kinds: ${k} cannot be exported; use some of ${KINDS.join(', ')}`);
    const region = args.flags.region as string | undefined;
    const regional = kinds.filter((k) => SCOPES.get(k) === 'region');
    if (!region && regional.length > 0) throw new UsageError(`--region is needed for ${regional.join(', ')}`);
    const stackName = stackFlag(args);
    const dir = args.flags.output as string | undefined;
    if (dir && !args.flags.force) refuseToOverwrite(dir, ['stack.yaml', ...kinds.map((k) => `${k}.yaml`)]);

    const base = baseContext({ target: targetFrom(args), log: loggerFrom(args) });
    const ctx: ControllerContext = {
      ...base,
      stack: stackName ?? 'default',
      resource: () => undefined,
      imageDigests: new Map(),
      controller: (k) => controllerFor(CONTROLLERS, k),
    };
    try {
      const { found, index } = await scanForExport({ controllers: CONTROLLERS, ctx, kinds, region });
      const docs: ExportedDocument[] = found.map((f) => {
        const controller = controllerFor(CONTROLLERS, f.kind);
        if (!isExportable(controller)) throw new Error(`${f.kind} has an export scope but no toManifestSpec`);
        return exportResource(controller, f, ctx, index);
      });
      const stacks = [...new Set(docs.map((d) => d.stack).filter(Boolean))];
      const stack = stacks.length === 1 ? stacks[0]! : (stackName ?? 'default');
      if (typeof args.flags.state === 'string') {
        await nameAsInventory(docs, new InventoryStore(openStateStore(args.flags.state, base.clients, base.api), ctx.project, stack));
      }
      const stackYaml = stackDocument(stack, region);
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
        `exported ${docs.length} resource${docs.length === 1 ? '' : 's'} of ${kinds.length} kind${kinds.length === 1 ? '' : 's'} (stack ${stack})${dir ? ` to ${dir}` : ''}${problems ? `; ${problems} need a look (see the comments)` : ''}\n`,
      );
      return 0;
    } finally {
      await base.clients.close();
    }
  },
};

/** Refuses, before anything is read, to write over files that exist. */
function refuseToOverwrite(dir: string, files: string[]): void {
  const existing = files.filter((f) => existsSync(join(dir, f)));
  if (existing.length === 0) return;
  throw new UserError(
    `export -o ${dir}: ${existing.map((f) => join(dir, f)).join(', ')} exist${existing.length === 1 ? 's' : ''} already; nothing was written`,
    'Export into an empty directory, or give --force to overwrite them.',
  );
}

/** Gives each document the name the stack's inventory knows its Google resource by (a grant's name is the stack's choice). */
async function nameAsInventory(docs: ExportedDocument[], inventory: InventoryStore): Promise<void> {
  const byId = new Map((await inventory.load()).entries.map((e) => [`${e.kind}|${e.id}`, e.name]));
  for (const d of docs) {
    const name = byId.get(`${d.kind}|${d.id}`);
    if (name && name !== d.name) {
      d.name = name;
      d.doc.metadata.name = name;
    }
  }
}
