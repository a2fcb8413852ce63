// Asking before changing anything: only on a terminal, never in CI.
import { createInterface } from 'node:readline';
import { UserError } from '../errors.js';
import { inCi } from './ci.js';
import type { Output } from './output.js';

export async function confirmApply(out: Output, opts: { yes: boolean; ci?: boolean }): Promise<boolean> {
  if (opts.yes) return true;
  if (!out.interactive || opts.ci || inCi()) {
    throw new UserError('apply needs confirmation and there is no terminal to ask on', 'Review the plan above, then run again with --yes.');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question("Apply these changes? Only 'yes' is accepted: ", resolve));
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
