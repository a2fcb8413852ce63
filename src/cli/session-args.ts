// Opening a session from the flags every command that reads manifests and talks to a target shares
// (-f, --project, --region, --set, --stack, --state, --allow-secret-path, the target's flags), so a
// flag added to them reaches status, destroy and the rest at once.
import { allControllers } from '../../controllers/index.js';
import { openSession, type Session } from '../engine/session.js';
import type { Logger } from '../log.js';
import type { ParsedArgs } from './command.js';
import { loggerFrom, reportInvalid, targetFrom } from './engine-flags.js';
import type { Output } from './output.js';
import { allowSecretPaths, cliVariables, manifestPaths, stackFlag } from './stack-flags.js';

/** The session, or the exit code (1) after printing why the manifests are invalid. */
export async function sessionFromArgs(args: ParsedArgs, out: Output, opts: { writes?: boolean; log?: Logger } = {}): Promise<Session | number> {
  try {
    return await openSession({
      controllers: allControllers(),
      paths: manifestPaths(args),
      variables: cliVariables(args),
      target: targetFrom(args),
      log: opts.log ?? loggerFrom(args),
      state: args.flags.state as string | undefined,
      stack: stackFlag(args),
      allowSecretPaths: allowSecretPaths(args),
      writes: opts.writes,
    });
  } catch (err) {
    return reportInvalid(err, out);
  }
}
