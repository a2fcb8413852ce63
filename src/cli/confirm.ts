// Asking before changing anything: only on a terminal, never in CI.
import { createInterface } from 'node:readline';
import type { Output } from './output.js';
import { UserError } from '../errors.js';

export async function confirmApply(out: Output, opts: { yes: boolean }): Promise<boolean> {
  if (opts.yes) return true;
  if (!out.interactive || process.env.CI === 'true') {
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
