// musectl graph: the stack's dependency graph, from the manifests alone. Like validate it sends
// nothing to Google and loads no Google client (the controllers only import types from them; they
// are loaded here for the API each kind needs, which adds the implicit ProjectService edges).

import { addImplicitDependencies } from '../../engine/graph.js';
import { formatDiagnostic, hasErrors, loadManifestSet } from '../../manifest/index.js';
import { GRAPH_FORMATS, type GraphFormat, renderGraph } from '../../report/graph.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { allowSecretPaths, cliVariables, environmentOption, knownKinds, manifestFlags, manifestPaths, placeholderNote } from '../stack-flags.js';

export const graphCommand: Command = {
  name: 'graph',
  summary: 'Print the dependency graph of the manifests as Mermaid or Graphviz dot (no API calls)',
  usage: 'musectl graph -f PATH... [-o mermaid|dot]',
  details: `
An arrow goes from a resource to each resource that waits for it (references, and the API a kind
needs when the stack enables it with a ProjectService): the order apply works in.
Mermaid renders on GitHub in a \`\`\`mermaid block; dot renders with Graphviz:
  musectl graph -f manifests -o dot | dot -Tsvg > graph.svg
Exit status: 0 printed, 1 invalid manifests (reported like validate does).`,
  flags: {
    ...manifestFlags,
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'mermaid or dot', default: 'mermaid', values: GRAPH_FORMATS },
  },
  async run(args, out) {
    const format = args.flags.output as string;
    if (!(GRAPH_FORMATS as readonly string[]).includes(format)) throw new UsageError(`-o ${format}: use ${GRAPH_FORMATS.join(' or ')}`);
    const set = loadManifestSet(manifestPaths(args), {
      variables: cliVariables(args),
      allowPlaceholders: true,
      allowSecretPaths: allowSecretPaths(args),
      kinds: await knownKinds(),
      ...environmentOption(args),
    });
    if (hasErrors(set.diagnostics)) {
      for (const d of set.diagnostics) {
        const line = formatDiagnostic(d);
        out.err(`${d.severity === 'error' ? out.color.red(line) : out.color.yellow(line)}\n`);
      }
      const errors = set.diagnostics.filter((d) => d.severity === 'error').length;
      out.err(
        `${out.color.red('invalid:')} ${set.resources.length} resources in ${set.files.length} files: ${errors} errors, ${set.diagnostics.length - errors} warnings\n`,
      );
      return 1;
    }
    const { allControllers } = await import('../../../controllers/index.js');
    const controllers = allControllers();
    addImplicitDependencies(set.resources, (kind) => controllers.get(kind)?.facts.requiresApi);
    if (set.placeholdersUsed.length > 0) {
      out.err(out.color.dim(placeholderNote(set.placeholdersUsed, 'names')));
    }
    out.out(renderGraph(set.resources, format as GraphFormat));
    return 0;
  },
};
