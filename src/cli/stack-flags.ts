// Flags shared by every command that reads manifests.

import { UserError } from '../errors.js';
import { locate } from '../manifest/document.js';
import { type Environment, findEnvironment } from '../manifest/environment.js';
import { parseSetArguments } from '../manifest/variables.js';
import type { FlagSpec, ParsedArgs } from './command.js';
import { UsageError } from './command.js';

export const manifestFlags: Record<string, FlagSpec> = {
  filename: { type: 'string', short: 'f', multiple: true, value: 'PATH', description: 'Manifest file or directory (directories are read recursively)' },
  project: { type: 'string', value: 'ID', description: 'Google Cloud project id: the value of ${PROJECT_ID}' },
  region: { type: 'string', value: 'REGION', description: 'Value of ${REGION} (overrides the Stack default)' },
  set: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'Set a stack variable' },
  stack: { type: 'string', value: 'NAME', description: 'The stack name, when the manifests have no Stack document' },
  env: {
    type: 'string',
    value: 'NAME',
    values: 'environments',
    description: 'The environment: environments/NAME.yaml beside the Stack document (project, region, variables, overrides)',
  },
  'allow-secret-path': {
    type: 'string',
    multiple: true,
    value: 'DIR',
    description: "Let a Secret's valueFrom.file read from DIR (by default only files inside the manifests' directories are read)",
  },
};

/** Directories outside the stack's tree that --allow-secret-path opens to valueFrom.file. */
export const allowSecretPaths = (args: ParsedArgs): string[] => (args.flags['allow-secret-path'] as string[] | undefined) ?? [];

/** --stack, checked the way the Stack document's name is (it becomes a label value). */
export function stackFlag(args: ParsedArgs): string | undefined {
  const name = args.flags.stack as string | undefined;
  if (name !== undefined && !/^[a-z][a-z0-9_-]{0,62}$/.test(name)) {
    throw new UsageError(`--stack ${name}: a stack name is 1-63 lower-case letters, digits, '-' and '_', starting with a letter`);
  }
  return name;
}

export function manifestPaths(args: ParsedArgs): string[] {
  const paths = (args.flags.filename as string[] | undefined) ?? [];
  if (paths.length === 0) throw new UsageError('no manifests given: use -f PATH (a file or a directory)');
  return paths;
}

const environments = new WeakMap<ParsedArgs, Environment | undefined>();

/** The environment --env names, read once per command line (undefined without --env, or with --env= empty). */
export function environmentFrom(args: ParsedArgs): Environment | undefined {
  if (!environments.has(args)) {
    const name = args.flags.env as string | undefined;
    environments.set(args, name ? loadEnvironment(manifestPaths(args), name, args.flags.project as string | undefined) : undefined);
  }
  return environments.get(args);
}

/** `{environment}` for loading options when --env names one, else nothing. */
export function environmentOption(args: ParsedArgs): { environment?: Environment } {
  const environment = environmentFrom(args);
  return environment ? { environment } : {};
}

/** The environment NAME of the stack the paths belong to; --project must agree with the one its file gives. */
export function loadEnvironment(paths: string[], name: string, projectFlag?: string): Environment {
  const env = findEnvironment(paths, name);
  if (projectFlag !== undefined && env.project !== undefined && env.project !== projectFlag && env.doc) {
    const at = locate(env.doc, ['spec', 'project']);
    throw new UserError(
      `--project ${projectFlag}, but ${at.file}:${at.line}:${at.col} gives environment ${name} the project ${env.project}`,
      'Drop --project (the environment says where it goes), or change the environment file.',
    );
  }
  return env;
}

/** Variables given on the command line: --set, then --project and --region. */
export function cliVariables(args: ParsedArgs): Record<string, string> {
  let vars: Record<string, string>;
  try {
    vars = parseSetArguments((args.flags.set as string[] | undefined) ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (typeof args.flags.project === 'string') {
    if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(args.flags.project)) {
      throw new UsageError(`--project ${args.flags.project}: a project id is 6-30 lower-case letters, digits and '-', starting with a letter`);
    }
    vars.PROJECT_ID = args.flags.project;
  }
  if (typeof args.flags.region === 'string') vars.REGION = args.flags.region;
  return vars;
}

/** How a user gives the real value of a built-in variable that a command filled with a placeholder. */
const HOW_TO_GIVE: Record<string, string> = {
  PROJECT_ID: '--project ID',
  PROJECT_NUMBER: '--set PROJECT_NUMBER=N (plan and apply read it from Resource Manager)',
  REGION: '--region REGION',
};

/**
 * The note after a command that used placeholder values (validate and graph talk to no API): which
 * variables, and for each, the flag that gives the real one. It never says "pass --project" when
 * --project was given: then only the project number, which needs Resource Manager, is missing.
 */
export function placeholderNote(used: string[], what: string): string {
  const names = used.map((p) => `\${${p}}`).join(', ');
  const how = used.map((p) => HOW_TO_GIVE[p] ?? `--set ${p}=VALUE`).join('; ');
  return `note: ${what} use placeholder values for ${names}; for the real ones give ${how}\n`;
}

/** Which kinds have which capability, from the controllers (loaded without any Google client). */
export async function knownKinds(): Promise<Record<string, string[]>> {
  const [{ allControllers }, { kindCatalog }] = await Promise.all([import('../../controllers/index.js'), import('../contract/controller.js')]);
  return kindCatalog(allControllers());
}
