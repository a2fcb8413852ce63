// The session of a command that works on one stack: its manifests (-f, --set, --project, --region,
// --stack), its target and its state, from the command line. Kept apart from stack-flags.ts so that
// validate, which reads the same flags, never loads a controller or a Google client.
import { allControllers } from '../../controllers/index.js';
import type { SessionOptions } from '../engine/session.js';
import type { ParsedArgs } from './command.js';
import { loggerFrom, targetFrom, targetingFrom } from './engine-flags.js';
import { allowSecretPaths, cliVariables, environmentOption, manifestPaths, stackFlag } from './stack-flags.js';

export function sessionOptionsFrom(args: ParsedArgs, opts: { writes: boolean }): SessionOptions {
  return {
    controllers: allControllers(),
    paths: manifestPaths(args),
    variables: cliVariables(args),
    target: targetFrom(args),
    log: loggerFrom(args),
    state: args.flags.state as string | undefined,
    stack: stackFlag(args),
    writes: opts.writes,
    allowSecretPaths: allowSecretPaths(args),
    ...environmentOption(args),
    // Commands without --target/--exclude (status, state, unlock) give none: the check is a no-op.
    ...(args.flags.target || args.flags.exclude ? { targeting: targetingFrom(args) } : {}),
  };
}
