// The implicit edges: a resource that references both what a grant is on and who it is for waits
// for that grant (src/engine/graph.ts addGrantDependencies), whatever the order of the grant's refs.
import { describe, expect, it } from 'vitest';
import { addImplicitDependencies } from '../../../src/engine/graph.js';
import { resource } from '../report/fixtures.js';

describe('grant dependencies', () => {
  it('a resource waits for every grant whose references it all has, in manifest order', () => {
    const service = resource('CloudRunService', 'web', [
      ['Secret', 'key'],
      ['ServiceAccount', 'runner'],
      ['Bucket', 'data'],
    ]);
    const resources = [
      resource('IAMPolicyMember', 'g1-runner-reads-key', [
        ['ServiceAccount', 'runner'],
        ['Secret', 'key'],
      ]),
      resource('IAMPolicyMember', 'g2-only-key', [['Secret', 'key']]),
      resource('IAMPolicyMember', 'g3-other-reads-key', [
        ['Secret', 'key'],
        ['ServiceAccount', 'other'],
      ]),
      service,
      resource('IAMPolicyMember', 'g4-runner-writes-data', [
        ['Bucket', 'data'],
        ['ServiceAccount', 'runner'],
      ]),
      resource('IAMPolicyMember', 'g5-key-again', [
        ['Secret', 'key'],
        ['ServiceAccount', 'runner'],
      ]),
      resource('ServiceAccount', 'other', []),
    ];
    addImplicitDependencies(resources, () => undefined);
    expect(service.implicitDependencies).toEqual([
      'IAMPolicyMember/g1-runner-reads-key',
      'IAMPolicyMember/g4-runner-writes-data',
      'IAMPolicyMember/g5-key-again',
    ]);
    expect(resources.filter((r) => r !== service).map((r) => r.implicitDependencies)).toEqual(resources.slice(0, -1).map(() => undefined));
  });
});
