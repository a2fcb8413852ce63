import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifestSet } from '../../../src/manifest/index.js';

describe('manifests/ (the SessionMUSE stack)', () => {
  const files = readdirSync('manifests').filter((f) => f.endsWith('.yaml'));

  it.each(files)('%s validates with a real project id', (file) => {
    const set = loadManifestSet(['manifests'], { variables: { PROJECT_ID: 'sessionmuse-prod' }, allowPlaceholders: true });
    expect(set.diagnostics.filter((d) => d.file.endsWith(file) && d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  });

  it('validates as a whole without a project (placeholders), warning only where the design itself trips a rule', () => {
    const set = loadManifestSet(['manifests'], { variables: {}, allowPlaceholders: true });
    expect(set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    expect(set.diagnostics.map((d) => `${d.subject} ${d.rule}`)).toEqual([
      'CloudRunService/sessionmuse-frontend next-public-on-runtime',
      'CloudRunService/sessionmuse-frontend internal-ingress-without-vpc',
    ]);
    expect(set.stack.name).toBe('sessionmuse');
  });

  it('explains each design warning next to the line it is about, and accepts it with a reason', () => {
    const text = readFileSync('manifests/frontend.yaml', 'utf8');
    expect(text).toContain('lint [next-public-on-runtime], accepted above');
    expect(text).toContain('lint [internal-ingress-without-vpc], accepted above');
    expect(text).toMatch(/musectl\.dev\/lint-ignore:\n {6}next-public-on-runtime: \S.+\n {6}internal-ingress-without-vpc: \S.+/);
  });

  it('hard-codes no project id and points editors at the schemas', () => {
    for (const f of files) {
      const text = readFileSync(`manifests/${f}`, 'utf8');
      expect(text, f).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/\w+\.schema\.json$/m);
      expect(text, f).not.toMatch(/PROJECT_ID:/);
    }
  });
});
