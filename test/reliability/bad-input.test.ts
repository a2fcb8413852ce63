// Bad input: 2,000 property-based (fast-check) mutations of the SessionMUSE manifests, each one to
// three edits of one file (see mutations.ts; the values include Google's limits: int32 edges,
// names Google refuses, nesting past 100 levels, 70,000-character strings). For every case:
//   - nothing throws: `validate`'s load (loadManifestSet, placeholders for the project) reports
//     diagnostics, never an exception, never a stack trace;
//   - every diagnostic is located: one of the files, line and column >= 1 and inside the file;
//   - every eighth case also goes through plan/apply's openSession against an emulator: it
//     succeeds or refuses with located diagnostics (InvalidManifestsError), and when it refuses,
//     the emulator saw no API call.
// bad-input-cli.test.ts runs some of them through the CLI.

import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allControllers } from '../../controllers/index.js';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { InvalidManifestsError, openSession } from '../../src/engine/session.js';
import { createLogger } from '../../src/log.js';
import { formatDiagnostic, hasErrors, loadManifestSet } from '../../src/manifest/index.js';
import { tempDir } from './helpers.js';
import { locationProblems, ManifestCopy, mutation } from './mutations.js';

const CASES = 2_000;
const PROJECT = 'badinput-project';

describe(`bad input: ${CASES} fast-check mutations of the SessionMUSE manifests`, () => {
  let emu: RunningEmulator;
  let copy: ManifestCopy;
  let state: string;
  const outcome = { cases: 0, invalid: 0, valid: 0, refused: 0 };

  beforeAll(async () => {
    emu = await startEmulator();
    copy = new ManifestCopy(tempDir('bad-input'));
    state = tempDir('bad-input-state');
  });
  afterAll(async () => {
    await emu.close();
    rmSync(copy.dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  it('never throws, locates every diagnostic, and sends nothing when the manifests are invalid', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (c) => {
        const { files, restore } = copy.mutate(c);
        try {
          const problems: string[] = [];
          // What `musectl validate` does (placeholders for the project).
          const validated = loadManifestSet([copy.dir], { variables: {}, allowPlaceholders: true });
          problems.push(...locationProblems(validated.diagnostics, files, copy.dir));
          if (hasErrors(validated.diagnostics)) outcome.invalid++;
          else outcome.valid++;
          // What plan and apply do (every eighth case: it loads the manifests three times): nothing
          // reaches Google before the manifests are valid.
          if (++outcome.cases % 8 === 0) {
            const before = emu.emulator.stats.total;
            try {
              const session = await openSession({
                controllers: allControllers(),
                paths: [copy.dir],
                variables: {},
                target: { kind: 'emulator', project: PROJECT, url: new URL(emu.url) },
                log: createLogger('silent'),
                state,
              });
              await session.close();
              if (hasErrors(session.set.diagnostics)) problems.push('openSession accepted manifests with errors');
            } catch (err) {
              if (!(err instanceof InvalidManifestsError)) throw err;
              outcome.refused++;
              problems.push(...locationProblems(err.set.diagnostics, files, copy.dir));
              if (!hasErrors(err.set.diagnostics)) problems.push('refused without an error diagnostic');
              const calls = emu.emulator.stats.total - before;
              if (calls > 0) {
                problems.push(
                  `${calls} API calls although the manifests are invalid: ${err.set.diagnostics
                    .filter((d) => d.severity === 'error')
                    .map(formatDiagnostic)
                    .join('; ')}`,
                );
              }
            }
          }
          if (problems.length > 0) throw new Error(problems.join('\n'));
        } finally {
          restore();
        }
      }),
      {
        numRuns: CASES,
        seed: 20_261_128,
        // What this suite's fuzzing found, kept as fixed cases: a map as a reference's kind was
        // quoted as "[object Object]" (iam.yaml, resourceRef.kind: {}).
        examples: [[{ file: 430360452, edits: [{ type: 'setValue', doc: 0, node: 2109586438, value: {} }] }]],
      },
    );
    // The mutations are not all harmless: most of them break something.
    expect(outcome.invalid).toBeGreaterThan(CASES / 2);
    expect(outcome.refused).toBeGreaterThan(CASES / 16);
  }, 180_000);
});
