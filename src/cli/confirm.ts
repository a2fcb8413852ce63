// Asking before changing anything: only on a terminal, never in CI.
import { createInterface } from 'node:readline';
import { UserError } from '../errors.js';
import { inCi } from './ci.js';
import type { Output } from './output.js';

export async function confirmApply(out: Output, opts: { yes: boolean; ci?: boolean }): Promise<boolean> {
  return confirm(out, { ...opts, what: 'apply', question: 'Apply these changes?', review: 'Review the plan above' });
}

/** Asks a yes-or-no question on the terminal; refuses to guess without one (--yes answers it). */
export async function confirm(out: Output, opts: { yes: boolean; ci?: boolean; what: string; question: string; review: string }): Promise<boolean> {
  if (opts.yes) return true;
  if (!out.interactive || opts.ci || inCi()) {
    throw new UserError(`${opts.what} needs confirmation and there is no terminal to ask on`, `${opts.review}, then run again with --yes.`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${opts.question} Only 'yes' is accepted: `, resolve));
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
