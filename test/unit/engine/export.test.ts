// What export leaves out of a document: fields at their schema default (in objects and list items
// alike) and empty lists and maps, but never a field that is required or selects a form.
import { describe, expect, it } from 'vitest';
import { stripDefaults } from '../../../src/engine/export.js';

const doc = (kind: string, spec: Record<string, unknown>) => ({ apiVersion: 'musectl.dev/v1alpha1', kind, metadata: { name: 'x' }, spec });

describe('stripDefaults', () => {
  it('drops defaults inside list items and empty lists and maps, keeps what was set', () => {
    const stripped = stripDefaults(
      doc('CloudRunService', {
        location: 'asia-northeast1',
        template: {
          labels: {},
          scaling: { minInstanceCount: 0, maxInstanceCount: 3 },
          containers: [{ image: 'example/app:1', command: [], args: [], env: [], resources: { limits: { cpu: '1', memory: '1Gi' }, cpuIdle: true } }],
        },
      }),
    );
    expect(stripped.spec).toEqual({
      location: 'asia-northeast1',
      template: { scaling: { maxInstanceCount: 3 }, containers: [{ image: 'example/app:1', resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
    });
  });

  it('keeps an empty object that selects a form when it is not the default, and drops the default form', () => {
    const managed = { replication: { userManaged: { replicas: [{ location: 'asia-northeast1' }] } } };
    expect(stripDefaults(doc('Secret', managed)).spec).toEqual(managed);
    expect(stripDefaults(doc('Secret', { replication: { automatic: {} } })).spec).toBeUndefined();
  });

  it('drops an object emptied of its defaults (an Artifact Registry dockerConfig)', () => {
    const stripped = stripDefaults(
      doc('ArtifactRegistryRepository', { location: 'asia-northeast1', format: 'DOCKER', dockerConfig: { immutableTags: false } }),
    );
    expect(stripped.spec).toEqual({ location: 'asia-northeast1' });
  });
});
