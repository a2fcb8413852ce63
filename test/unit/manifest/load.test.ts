import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifestSet } from '../../../src/manifest/index.js';
import { discoverFiles } from '../../../src/manifest/load.js';
import { parseSetArguments } from '../../../src/manifest/variables.js';
import { SA, tree } from '../../support/manifest-tree.js';

describe('loading', () => {
  it('reads directories recursively in sorted order, skipping hidden files and non-YAML', () => {
    const dir = tree({ 'b.yaml': '', 'a/z.yml': '', 'a/b.yaml': '', '.hidden.yaml': '', 'notes.txt': '', 'c/.git/x.yaml': '' });
    expect(discoverFiles([dir]).files.map((f) => f.slice(dir.length + 1))).toEqual(['a/b.yaml', 'a/z.yml', 'b.yaml']);
  });

  it('reads multi-document files and skips empty documents', () => {
    const dir = tree({ 'sa.yaml': `---\n${SA('sa-first')}---\n# only a comment\n---\n${SA('sa-second')}` });
    const set = loadManifestSet([dir], { variables: {}, allowPlaceholders: true });
    expect(set.diagnostics).toEqual([]);
    expect(set.resources.map((r) => r.key)).toEqual(['ServiceAccount/sa-first', 'ServiceAccount/sa-second']);
  });
});

describe('stack variables', () => {
  const stack = (vars: string) => `apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata:\n  name: demo\nspec:\n  variables:\n${vars}`;

  it('substitutes the command line over the Stack defaults', () => {
    const dir = tree({
      'stack.yaml': stack('    TEAM: audio\n    REGION: asia-northeast1\n'),
      'sa.yaml': SA('sa-${TEAM}', 'spec:\n  displayName: ${TEAM} in ${PROJECT_ID}/${REGION} costs $${5}\n'),
    });
    const set = loadManifestSet([dir], { variables: { PROJECT_ID: 'my-project', REGION: 'europe-west1' }, allowPlaceholders: false });
    expect(set.diagnostics).toEqual([]);
    expect(set.stack.name).toBe('demo');
    expect(set.resources[0].name).toBe('sa-audio');
    expect(set.resources[0].spec.displayName).toBe('audio in my-project/europe-west1 costs ${5}');
  });

  it('reports an unknown variable where it is used, with a suggestion', () => {
    const dir = tree({ 'stack.yaml': stack('    TEAM: audio\n'), 'sa.yaml': SA('sa-${TAEM}') });
    const set = loadManifestSet([dir], { variables: {}, allowPlaceholders: true });
    expect(set.diagnostics.map(formatDiagnostic)).toEqual([
      `${join(dir, 'sa.yaml')}:4:9: ServiceAccount/sa-\${TAEM}: unknown variable \${TAEM} (did you mean "TEAM"?); define it in the Stack's spec.variables or with --set TAEM=VALUE`,
    ]);
  });

  it('uses placeholders for the project only when allowed, and says which', () => {
    const dir = tree({ 'sa.yaml': SA('sa-one', 'spec:\n  description: ${PROJECT_ID}\n') });
    const lenient = loadManifestSet([dir], { variables: {}, allowPlaceholders: true });
    expect(lenient.diagnostics).toEqual([]);
    expect(lenient.placeholdersUsed).toEqual(['PROJECT_ID']);
    const strict = loadManifestSet([dir], { variables: {}, allowPlaceholders: false });
    expect(strict.diagnostics.map(formatDiagnostic)).toEqual([
      `${join(dir, 'sa.yaml')}:6:16: ServiceAccount/sa-one: variable \${PROJECT_ID} has no value: it is the Google Cloud project id (--project)`,
    ]);
  });

  it('does not let a Stack set the project id', () => {
    const dir = tree({ 'stack.yaml': stack('    PROJECT_ID: hard-coded\n') });
    const out = loadManifestSet([dir], { variables: {}, allowPlaceholders: true }).diagnostics.map(formatDiagnostic);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/stack\.yaml:7:5: Stack\/demo: spec\.variables: key "PROJECT_ID" is reserved: PROJECT_ID and PROJECT_NUMBER are built in/);
  });

  it('parses --set and rejects malformed ones', () => {
    expect(parseSetArguments(['A=1', 'B_2=x=y'])).toEqual({ A: '1', B_2: 'x=y' });
    expect(() => parseSetArguments(['nope'])).toThrow(/expected KEY=VALUE/);
    expect(() => parseSetArguments(['lower=1'])).toThrow(/upper-case/);
  });
});
