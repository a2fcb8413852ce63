import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifestSet } from '../../../src/manifest/index.js';

describe('manifests/ (the SessionMUSE stack)', () => {
  const files = readdirSync('manifests').filter((f) => f.endsWith('.yaml'));

  it.each(files)('%s validates on its own terms and with a real project id', (file) => {
    const set = loadManifestSet(['manifests'], { variables: { PROJECT_ID: 'sessionmuse-prod' }, allowPlaceholders: true });
    expect(set.diagnostics.filter((d) => d.file.endsWith(file)).map(formatDiagnostic)).toEqual([]);
  });

  it('validates as a whole without a project (placeholders) and names the stack', () => {
    const set = loadManifestSet(['manifests'], { variables: {}, allowPlaceholders: true });
    expect(set.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(set.stack.name).toBe('sessionmuse');
  });

  it('hard-codes no project id and points editors at the schemas', () => {
    for (const f of files) {
      const text = readFileSync(`manifests/${f}`, 'utf8');
      expect(text, f).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/\w+\.schema\.json$/m);
      expect(text, f).not.toMatch(/PROJECT_ID:/);
    }
  });
});
