// Stack variables: ${NAME} in any string of a manifest. Values come from the command line
// (--project, --region, --set KEY=VALUE), then the environment (--env), then the Stack document,
// then what the target knows (the project number). `$${` writes a literal `${`. A plain scalar
// that is exactly ${NAME} of a variable declared integer, number or boolean takes that type.
import { isScalar, type Scalar, visit } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { type ManifestDocument, positionAt } from './document.js';
import { cut } from './quote.js';
import { didYouMean } from './suggest.js';

export interface Variables {
  values: Record<string, string>;
  /**
   * Stand-ins for values only a target can give (the project id and number), used by `validate`
   * without --project so the manifests can be checked anywhere. Reported as a note.
   */
  placeholders: Record<string, string>;
  /** Values of variables declared integer, number or boolean, for a plain scalar that is exactly ${NAME}. */
  typed?: Record<string, number | boolean>;
}

/** Variables every stack has, with the placeholder used when no target gives a value. */
export const BUILTIN_VARIABLES: Record<string, { placeholder: string; description: string }> = {
  PROJECT_ID: { placeholder: 'example-project', description: 'the Google Cloud project id (--project)' },
  PROJECT_NUMBER: { placeholder: '123456789012', description: 'the project number, read from Resource Manager' },
  REGION: { placeholder: 'us-central1', description: 'the default region (--region or the Stack)' },
  ENVIRONMENT: { placeholder: '', description: 'the environment (--env), empty without one' },
};

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;

/**
 * Substitutes variables in every string scalar of the document, in place, so the YAML node keeps
 * its source range. Returns diagnostics for unknown variables and the placeholders used.
 */
export function substitute(
  d: ManifestDocument,
  vars: Variables,
  subject: string,
): { diagnostics: Diagnostic[]; placeholdersUsed: Set<string>; used: Set<string> } {
  const diagnostics: Diagnostic[] = [];
  const placeholdersUsed = new Set<string>();
  const used = new Set<string>();
  const known = [...new Set([...Object.keys(vars.values), ...Object.keys(vars.placeholders), ...Object.keys(BUILTIN_VARIABLES)])];
  let referenced = false;
  visit(d.doc, {
    Scalar(_key, node: Scalar) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('$')) return;
      referenced = true;
      const whole = /^\$\{([^}]*)\}$/.exec(node.value)?.[1];
      if (whole !== undefined && node.type === 'PLAIN' && vars.typed?.[whole] !== undefined) {
        used.add(whole);
        node.value = vars.typed[whole] as unknown as string; // a number or boolean, as the declaration says
        return;
      }
      node.value = node.value.replace(REFERENCE, (match, name: string | undefined) => {
        if (name === undefined) return '${'; // $${ escape
        used.add(name);
        if (name in vars.values) return vars.values[name];
        if (name in vars.placeholders) {
          placeholdersUsed.add(name);
          return vars.placeholders[name];
        }
        const pos = positionAt(d, node.range?.[0] ?? 0);
        const builtin = BUILTIN_VARIABLES[name];
        const message = builtin
          ? `variable \${${name}} has no value: it is ${builtin.description}`
          : `unknown variable \${${cut(name)}}${didYouMean(name, known)}; define it in the Stack's spec.variables or with --set ${cut(name)}=VALUE`;
        diagnostics.push({ ...pos, severity: 'error', subject, message });
        return match;
      });
    },
  });
  // A document with no "$" anywhere is what parseFile made of it: its value stays (most of a big
  // stack's documents; converting 1,000 of them again cost ~7 ms a load).
  if (referenced) d.value = d.doc.toJS({ maxAliasCount: 1000 });
  return { diagnostics, placeholdersUsed, used };
}

/** Parses `--set KEY=VALUE` arguments. */
export function parseSetArguments(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new Error(`--set ${s}: expected KEY=VALUE`);
    const key = s.slice(0, eq);
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new Error(`--set ${s}: variable names are upper-case letters, digits and '_' (e.g. REGION)`);
    out[key] = s.slice(eq + 1);
  }
  return out;
}
