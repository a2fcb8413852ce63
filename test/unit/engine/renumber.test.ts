// observeAndPlan with a recorded project number that Resource Manager contradicts, and manifests
// that are not valid with the real one: a user's error naming the diagnostics and saying that only
// reads were sent, not an internal error.
import { describe, expect, it } from 'vitest';
import type { ControllerContext } from '../../../src/contract/controller.js';
import { InvalidManifestsError, observeAndPlan, type Session } from '../../../src/engine/session.js';
import { UserError } from '../../../src/errors.js';
import type { ManifestSet } from '../../../src/manifest/index.js';

const emptySet = {
  stack: { name: 's', variables: {}, declarations: {}, outputs: {} },
  resources: [],
  diagnostics: [],
  placeholdersUsed: [],
  variablesUsed: ['PROJECT_NUMBER'],
  files: [],
  documents: [],
  outside: [],
} as unknown as ManifestSet;

function sessionWith(renumber: (n: string) => void, warnings: string[]): Session {
  const ctx = {
    project: 'p',
    stack: 's',
    log: { warn: (m: string) => warnings.push(m), info: () => undefined, debug: () => undefined, error: () => undefined },
    projectNumber: async () => '222222222222',
    resource: () => undefined,
    controller: () => undefined,
  } as unknown as ControllerContext;
  return {
    set: emptySet,
    ctx,
    controllers: new Map(),
    inventory: {
      load: async () => ({ formatVersion: 1, stack: 's', project: 'p', updated: '', entries: [] }),
      describe: () => 'INVENTORY',
      others: async () => [],
    },
    outside: new Map(),
    numberToCheck: '111111111111',
    renumber,
  } as unknown as Session;
}

describe('a recorded project number the manifests are valid with, and the real one not', () => {
  it('is a user error with the diagnostics, after the warning about the number', async () => {
    const warnings: string[] = [];
    const invalid = {
      ...emptySet,
      diagnostics: [{ file: 'm/b.yaml', line: 4, col: 9, severity: 'error', subject: 'Bucket/x-222222222222', message: 'metadata.name: too long' }],
    } as unknown as ManifestSet;
    const session = sessionWith(() => {
      throw new InvalidManifestsError(invalid);
    }, warnings);
    const err = await observeAndPlan(session).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain("with the project's number 222222222222 (the inventory recorded 111111111111), the manifests are not valid:");
    expect((err as Error).message).toContain('m/b.yaml:4:9: Bucket/x-222222222222: metadata.name: too long');
    expect((err as Error).message).toContain('only reads were sent to Google Cloud, nothing was written');
    expect(warnings.join('\n')).toContain('records project number 111111111111, but Resource Manager says 222222222222');
  });

  it('passes any other failure on as it is', async () => {
    const boom = new Error('disk full');
    const err = await observeAndPlan(
      sessionWith(() => {
        throw boom;
      }, []),
    ).catch((e: unknown) => e);
    expect(err).toBe(boom);
  });
});
