// musectl up: `npm start`. Runs the built-in emulator with its state in .musectl/ beside the Stack
// document (where the stack's own state is), then plans and applies the manifests to it, so anyone
// can see musectl work without a cloud account; `musectl output -f manifests` then finds the outputs.
import { dirname, join } from 'node:path';
import { EMULATOR_DEFAULT_PROJECT } from '../../gcp/target.js';
import { findStack } from '../../manifest/stack.js';
import { defaultStateDir } from '../../state/open.js';
import type { Command } from '../command.js';
import { cliVariables, environmentFrom, manifestPaths } from '../stack-flags.js';
import { artifactRegistryImages } from '../stack-images.js';
import { applyFlags, runApply } from './apply.js';

export const upCommand: Command = {
  name: 'up',
  summary: 'Apply manifests to the built-in local emulator (what `npm start` runs)',
  usage: 'musectl up -f PATH... [--state-dir DIR] [--project ID]',
  details: `
Starts the emulator on a free loopback port with its state in DIR/emulator-state.json (kept
between runs, so a second run shows "No changes"), applies the manifests without asking, prints
the outputs and stops the emulator. DIR is .musectl beside the Stack document unless given; the
stack's inventory goes to DIR/state. Delete the directory to start from an empty cloud.`,
  flags: {
    ...applyFlags,
    'state-dir': { type: 'string', value: 'DIR', description: 'Where the emulator keeps its state (default: .musectl beside the Stack document)' },
  },
  async run(args, out) {
    const { startEmulator, seedImages } = await import('../../../emulator/index.js');
    // The emulator's state holds the secrets' values (the real GEMINI_API_KEY): everything this
    // command creates is the user's alone (files 0600, directories 0700).
    process.umask(0o077);
    const stateDir = (args.flags['state-dir'] as string | undefined) ?? localStateDir((args.flags.filename as string[] | undefined) ?? []);
    const stateFile = join(stateDir, 'emulator-state.json');
    const emu = await startEmulator({ stateFile });
    const environment = environmentFrom(args);
    const project = (args.flags.project as string | undefined) ?? environment?.project ?? EMULATOR_DEFAULT_PROJECT;
    out.err(out.color.dim(`Local emulator at ${emu.url} (state: ${stateFile}), project ${project}\n`));
    try {
      // The emulator, like Cloud Run, refuses to deploy an image nobody pushed: push stand-ins of the
      // stack's Artifact Registry images (now, or as soon as their repository is created).
      const images = artifactRegistryImages(manifestPaths(args), { ...cliVariables(args), PROJECT_ID: project }, environment);
      const seeded = images.length > 0 ? seedImages(emu.emulator, images) : undefined;
      if (seeded) {
        const when = seeded.pending.length > 0 ? ' (pushed when their repository is created)' : '';
        out.err(out.color.dim(`Stand-in images pushed to the emulator's registry${when}: ${images.join(', ')}\n`));
      }
      out.err('\n');
      // The stack's inventory lives next to the emulator's state: both describe the same cloud.
      const state = args.flags.state ?? join(stateDir, 'state');
      return await runApply({ ...args, flags: { ...args.flags, yes: true, project, state } }, out, { kind: 'emulator', project, url: new URL(emu.url) });
    } finally {
      await emu.close();
    }
  },
};

/** .musectl beside the Stack document (or the first manifest path): the stack's default state directory's parent. */
function localStateDir(paths: string[]): string {
  return dirname(defaultStateDir(findStack(paths).document?.file, paths));
}
