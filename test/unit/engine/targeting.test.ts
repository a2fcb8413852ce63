// Which resources destroy acts on with --target and --exclude: the directions of apply turned
// around (a target goes with what depends on it; an excluded resource keeps what it needs).
import { describe, expect, it } from 'vitest';
import { selectForDestroy } from '../../../src/engine/targeting.js';
import type { Inventory, InventoryEntry } from '../../../src/state/inventory.js';

const entry = (key: string, dependsOn: string[] = []): InventoryEntry => {
  const [kind, name] = key.split('/');
  return { kind, name, id: name, scope: 'projects/p', dependsOn, deletionPolicy: 'delete' };
};
// sa <- svc <- grant-on-svc; sa <- grant-naming-sa; api <- svc
const inventory: Inventory = {
  formatVersion: 1,
  stack: 's',
  project: 'p',
  updated: '',
  entries: [
    entry('ProjectService/run'),
    entry('ServiceAccount/sa', []),
    entry('CloudRunService/svc', ['ServiceAccount/sa', 'ProjectService/run']),
    entry('IAMPolicyMember/public', ['CloudRunService/svc']),
    entry('IAMPolicyMember/names-sa', ['ServiceAccount/sa']),
    entry('Bucket/b'),
  ],
};

describe('selectForDestroy', () => {
  it('without --target or --exclude keeps nothing and is not partial', () => {
    expect(selectForDestroy(inventory, { targets: [], excludes: [] })).toEqual({ keep: new Set() });
  });

  it('a target goes with everything that depends on it, transitively', () => {
    const { keep, partial } = selectForDestroy(inventory, { targets: ['ServiceAccount/sa'], excludes: [] });
    expect([...keep].sort()).toEqual(['Bucket/b', 'ProjectService/run']);
    expect(partial).toEqual({ reason: '--target ServiceAccount/sa', skipped: ['Bucket/b', 'ProjectService/run'] });
  });

  it('an excluded resource keeps what it needs', () => {
    const { keep } = selectForDestroy(inventory, { targets: [], excludes: ['IAMPolicyMember/public'] });
    expect([...keep].sort()).toEqual(['CloudRunService/svc', 'IAMPolicyMember/public', 'ProjectService/run', 'ServiceAccount/sa']);
  });

  it('refuses a target that an exclusion needs, and a name the inventory does not have', () => {
    expect(() => selectForDestroy(inventory, { targets: ['ServiceAccount/sa'], excludes: ['CloudRunService/svc'] })).toThrow(
      '--target ServiceAccount/sa is kept by --exclude CloudRunService/svc, which needs it',
    );
    expect(() => selectForDestroy(inventory, { targets: ['ServiceAccount/sb'], excludes: [] })).toThrow(
      /no such resource .* \(did you mean "ServiceAccount\/sa"\?\)/,
    );
  });
});
