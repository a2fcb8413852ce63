// Bad input through the CLI: mutated SessionMUSE manifests (a few chosen, three random ones from
// the same generator as bad-input.test.ts) given to plan, apply and validate against an emulator:
// exit 1, every line of stderr located (FILE:LINE:COL) but the summary, no stack trace, and the
// emulator saw no API call, also for manifests valid only with placeholder values.

import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { allControllers } from '../../controllers/index.js';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { InvalidManifestsError, openSession } from '../../src/engine/session.js';
import { createLogger } from '../../src/log.js';
import { hasErrors, loadManifestSet } from '../../src/manifest/index.js';
import { ROOT, runCli } from '../e2e/cli.js';
import { tempDir } from './helpers.js';
import { type Case, ManifestCopy, mutation, nodePaths, STACK_TRACE } from './mutations.js';

const PROJECT = 'badinput-cli-project';

describe('bad input through the CLI', () => {
  let emu: RunningEmulator;
  let copy: ManifestCopy;
  let state: string;

  beforeAll(async () => {
    emu = await startEmulator();
    copy = new ManifestCopy(tempDir('bad-input-cli'));
    state = tempDir('bad-input-cli-state');
  });
  afterAll(async () => {
    await emu.close();
    rmSync(copy.dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  // openSession validates with a stand-in project number before it reads the real one, so
  // manifests without a REGION (no Stack variable, no --region) are refused before any call.
  it('sends no call for manifests that lack a REGION', async () => {
    const region = tempDir('bad-input-region');
    try {
      cpSync(join(ROOT, 'manifests'), region, { recursive: true });
      writeFileSync(join(region, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata: { name: sessionmuse }\n');
      const before = emu.emulator.stats.total;
      await expect(
        openSession({
          controllers: allControllers(),
          paths: [region],
          variables: {},
          target: { kind: 'emulator', project: PROJECT, url: new URL(emu.url) },
          log: createLogger('silent'),
          state,
        }),
      ).rejects.toBeInstanceOf(InvalidManifestsError);
      expect(emu.emulator.stats.total - before).toBe(0);
    } finally {
      rmSync(region, { recursive: true, force: true });
    }
  });

  it('through the CLI: plan, apply and validate exit 1 with located lines, no stack trace and no API call', async () => {
    const cases: Case[] = [
      { file: copy.names.indexOf('backend.yaml'), edits: [{ type: 'insert', at: copy.original('backend.yaml').indexOf('    scaling'), token: '\t' }] },
      {
        file: copy.names.indexOf('backend.yaml'),
        edits: [
          {
            type: 'setValue',
            doc: 0,
            node: nodePaths(parseAllDocuments(copy.original('backend.yaml'))[0].toJS()).findIndex(
              (p) => p.join('.') === 'spec.template.scaling.maxInstanceCount',
            ),
            value: 'ten',
          },
        ],
      },
      // A map as a key (the yaml library warned about it on stderr, unlocated).
      {
        file: copy.names.indexOf('service-accounts.yaml'),
        edits: [{ type: 'insert', at: copy.original('service-accounts.yaml').indexOf('  name: sa-frontend'), token: '  ? { labels: x }\n  : y\n' }],
      },
      {
        file: copy.names.indexOf('iam.yaml'),
        edits: [
          { type: 'insert', at: copy.original('iam.yaml').indexOf('name: sa-frontend'), token: 'x' },
          { type: 'duplicateDoc', doc: 1 },
        ],
      },
      // and three random invalid ones
      ...fc
        .sample(mutation, { numRuns: 200, seed: 7 })
        .filter((c) => {
          const { restore } = copy.mutate(c);
          try {
            return hasErrors(loadManifestSet([copy.dir], { variables: { PROJECT_ID: PROJECT }, allowPlaceholders: false }).diagnostics);
          } finally {
            restore();
          }
        })
        .slice(0, 3),
    ];
    const failures: string[] = [];
    for (const c of cases) {
      const { files, restore } = copy.mutate(c);
      try {
        for (const args of [
          ['plan', '-f', copy.dir],
          ['apply', '-f', copy.dir, '--yes'],
          ['validate', '-f', copy.dir],
        ]) {
          const before = emu.emulator.stats.total;
          const engine = args[0] !== 'validate' ? ['--emulator', emu.url, '--project', PROJECT, '--state', state] : [];
          const r = await runCli([...args, ...engine], { env: { GEMINI_API_KEY: 'bad-input-key' } });
          const what = `${args[0]} after ${JSON.stringify(c.edits).slice(0, 300)}`;
          if (r.code !== 1) failures.push(`${what}: exit ${r.code}\n${r.stderr}`);
          if (STACK_TRACE.test(r.stderr) || r.stderr.includes('internal error')) failures.push(`${what}: a stack trace\n${r.stderr}`);
          const lines = r.stderr.trim().split('\n');
          const located = (l: string): boolean => [...files.keys()].some((f) => l.startsWith(f) && /^:\d+:\d+: /.test(l.slice(f.length)));
          if (!lines.some(located)) failures.push(`${what}: no located line\n${r.stderr}`);
          for (const l of lines)
            if (!located(l) && !/^invalid: /.test(l)) failures.push(`${what}: a line that is neither located nor the summary: ${JSON.stringify(l)}`);
          if (emu.emulator.stats.total !== before) failures.push(`${what}: ${emu.emulator.stats.total - before} API calls`);
        }
      } finally {
        restore();
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
