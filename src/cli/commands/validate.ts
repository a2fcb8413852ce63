// musectl validate: schema and cross-document checks, without talking to Google (it never loads a
// Google client, so it is fast enough for a pre-commit hook).

import { formatDiagnostic, loadManifestSet } from '../../manifest/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { allowSecretPaths, cliVariables, environmentOption, knownKinds, manifestFlags, manifestPaths, placeholderNote } from '../stack-flags.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check manifests against the schemas and each other (no API calls)',
  usage: 'musectl validate -f PATH... [--strict] [-o text|json]',
  details: `
Reports every problem in one run, one line each: FILE:LINE:COL: Kind/name: message.
Exit status: 0 valid, 1 errors (or warnings with --strict).
Without --project, \${PROJECT_ID} and \${PROJECT_NUMBER} are checked with placeholder values.`,
  flags: {
    ...manifestFlags,
    strict: { type: 'boolean', description: 'Treat warnings as errors' },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'text or json', default: 'text', values: ['text', 'json'] },
  },
  async run(args, out) {
    const format = args.flags.output as string;
    if (format !== 'text' && format !== 'json') throw new UsageError(`-o ${format}: use text or json`);
    const set = loadManifestSet(manifestPaths(args), {
      variables: cliVariables(args),
      allowPlaceholders: true,
      allowSecretPaths: allowSecretPaths(args),
      kinds: await knownKinds(),
      ...environmentOption(args),
    });
    const strict = Boolean(args.flags.strict);
    // --strict: every warning is an error; a warning the manifest accepts (with a reason) stays accepted.
    const diagnostics = strict ? set.diagnostics.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' as const } : d)) : set.diagnostics;
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const accepted = diagnostics.filter((d) => d.severity === 'accepted').length;
    const warnings = diagnostics.length - errors - accepted;
    if (format === 'json') {
      out.out(
        `${JSON.stringify({ valid: errors === 0, resources: set.resources.map((r) => r.key), diagnostics, placeholders: set.placeholdersUsed }, null, 2)}\n`,
      );
      return errors === 0 ? 0 : 1;
    }
    for (const d of diagnostics) {
      const line = formatDiagnostic(d);
      out.err(`${d.severity === 'error' ? out.color.red(line) : d.severity === 'accepted' ? out.color.dim(line) : out.color.yellow(line)}\n`);
    }
    if (set.placeholdersUsed.length > 0 && errors === 0) {
      out.err(out.color.dim(placeholderNote(set.placeholdersUsed, 'the checks')));
    }
    const summary = `${set.resources.length} resources in ${set.files.length} files: ${errors} errors, ${warnings} warnings${accepted ? `, ${accepted} accepted` : ''}`;
    out.err(`${errors === 0 ? out.color.green('valid:') : out.color.red('invalid:')} ${summary}\n`);
    return errors === 0 ? 0 : 1;
  },
};
