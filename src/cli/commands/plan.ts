// musectl plan: what apply would do, changing nothing.
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { manifestFlags, manifestPaths, cliVariables } from '../stack-flags.js';
import { loggerFrom, printWarnings, reportInvalid, targetFlags, targetFrom } from '../engine-flags.js';
import { openSession, observeAndPlan } from '../../engine/session.js';
import { hasChanges } from '../../engine/plan.js';
import { renderPlanText } from '../../report/text.js';
import { renderPlanJson } from '../../report/json.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what apply would change (reads Google Cloud, changes nothing)',
  usage: 'musectl plan -f PATH... (--project ID | --emulator URL) [-o text|json] [--detailed-exitcode]',
  details: `
Observes the actual state, diffs it against the manifests and prints the actions:
+ create, ~ update (before -> after per field), - delete. "(known after apply)" marks values
that exist only once another resource is created.
Exit status: 0 success; with --detailed-exitcode 0 no changes, 2 changes, 1 error.`,
  flags: {
    ...manifestFlags,
    ...targetFlags,
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'text or json (the stable plan format)', default: 'text' },
    'detailed-exitcode': { type: 'boolean', description: 'Exit 2 when there are changes' },
  },
  async run(args, out) {
    const format = args.flags.output as string;
    if (format !== 'text' && format !== 'json') throw new UsageError(`-o ${format}: use text or json`);
    const log = loggerFrom(args);
    let session;
    try {
      session = await openSession({ paths: manifestPaths(args), variables: cliVariables(args), target: targetFrom(args), log });
    } catch (err) {
      return reportInvalid(err, out);
    }
    try {
      printWarnings(session.set, out);
      const { exec } = await observeAndPlan(session);
      out.out(format === 'json' ? renderPlanJson(exec.plan) : renderPlanText(exec.plan, out.color));
      return args.flags['detailed-exitcode'] && hasChanges(exec.plan) ? 2 : 0;
    } finally {
      await session.close();
    }
  },
};
