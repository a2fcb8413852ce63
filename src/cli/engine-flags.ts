// Flags and set-up shared by the commands that talk to a target (plan, apply, up, watch).

import { blockers, type Plan } from '../engine/plan.js';
import type { PlanOptions } from '../engine/planner.js';
import { InvalidManifestsError } from '../engine/session.js';
import { resolveTarget, type Target } from '../gcp/target.js';
import { createLogger, LOG_LEVELS, type Logger } from '../log.js';
import { formatDiagnostic, type ManifestSet } from '../manifest/index.js';
import type { FlagSpec, ParsedArgs } from './command.js';
import { UsageError } from './command.js';
import type { Output } from './output.js';
import { environmentFrom } from './stack-flags.js';

export const targetFlags: Record<string, FlagSpec> = {
  emulator: { type: 'string', value: 'URL', description: 'Talk to a musectl emulator instead of Google (also MUSECTL_EMULATOR)' },
  'impersonate-service-account': { type: 'string', value: 'EMAIL', description: 'Call Google as this service account (ADC must be allowed to impersonate it)' },
  'log-level': { type: 'string', value: 'LEVEL', description: `Log level: ${LOG_LEVELS.join(', ')}`, default: 'warn' },
};

/** What plan and apply may do about ownership; the same flags on both, so a plan shows what apply would do. */
export const ownershipFlags: Record<string, FlagSpec> = {
  state: {
    type: 'string',
    value: 'DIR|gs://B/P',
    description: 'Where the stack keeps its inventory and lock (default: .musectl/state beside the Stack document)',
  },
  prune: { type: 'boolean', description: 'Delete (or abandon) what the stack owns and the manifests no longer name' },
  adopt: { type: 'boolean', description: 'Take over existing resources this stack did not create (never those of another stack)' },
  'allow-replace': {
    type: 'string',
    multiple: true,
    value: 'KIND/NAME',
    description: 'Allow replacing this resource although it holds data or is abandon-on-delete',
  },
  'allow-prune-all': { type: 'boolean', description: 'Let --prune remove (nearly) everything the stack owns (refused otherwise, as a likely mistake)' },
};

/** --target and --exclude: plan, apply and destroy act on part of the stack. */
export const selectionFlags: Record<string, FlagSpec> = {
  target: {
    type: 'string',
    multiple: true,
    value: 'KIND/NAME',
    description: 'Act only on this resource and what it needs (destroy: and what depends on it); nothing else is changed or pruned',
  },
  exclude: {
    type: 'string',
    multiple: true,
    value: 'KIND/NAME',
    description: 'Leave this resource out, with what depends on it (destroy: with what it needs)',
  },
};

/** KIND/NAME values of a repeatable flag, checked for their form. */
function keysOf(args: ParsedArgs, flag: string, example: string): string[] {
  const keys = (args.flags[flag] as string[] | undefined) ?? [];
  for (const k of keys) if (!/^[A-Za-z]+\/.+$/.test(k)) throw new UsageError(`--${flag} ${k}: expected KIND/NAME, e.g. ${example}`);
  return keys;
}

export const targetingFrom = (args: ParsedArgs): { targets: string[]; excludes: string[] } => ({
  targets: keysOf(args, 'target', 'CloudRunService/sessionmuse-backend'),
  excludes: keysOf(args, 'exclude', 'CloudRunJob/musectl-watcher'),
});

export function planOptionsFrom(args: ParsedArgs): PlanOptions {
  const allow = keysOf(args, 'allow-replace', 'Bucket/my-bucket');
  const { targets, excludes } = targetingFrom(args);
  return {
    prune: Boolean(args.flags.prune),
    adopt: Boolean(args.flags.adopt),
    allowReplace: new Set(allow),
    allowPruneAll: Boolean(args.flags['allow-prune-all']),
    ...(targets.length > 0 ? { targets } : {}),
    ...(excludes.length > 0 ? { excludes } : {}),
  };
}

/** Prints why the plan cannot be applied; returns true when there is such a reason. */
export function reportBlockers(plan: Plan, out: Output): boolean {
  const reasons = blockers(plan);
  for (const r of reasons) out.err(`${out.color.red('Error:')} ${r}\n`);
  if (reasons.length > 0) out.err('Nothing was changed.\n');
  return reasons.length > 0;
}

/** Resources apply leaves alone for want of evidence; returns whether there are any (exit 1). */
export function reportHeldBack(held: string[], out: Output, planOnly = false): boolean {
  for (const h of held) out.err(`${out.color.red('Held back:')} ${h}\n`);
  if (held.length > 0) {
    const n = `${held.length} resource${held.length === 1 ? '' : 's'}`;
    out.err(
      planOnly
        ? `${n} (and what depends on them) would be left alone; apply does the rest and exits 1.\n`
        : `${n} (and what depends on them) left alone; the rest is applied.\n`,
    );
  }
  return held.length > 0;
}

export function targetFrom(args: ParsedArgs): Target {
  return resolveTarget({
    // An environment (--env) names its project; --project, when given too, must agree.
    project: (args.flags.project as string | undefined) ?? environmentFrom(args)?.project,
    emulator: args.flags.emulator as string | undefined,
    impersonate: args.flags['impersonate-service-account'] as string | undefined,
    env: process.env,
  });
}

export function loggerFrom(args: ParsedArgs): Logger {
  const level = String(args.flags['log-level'] ?? 'warn');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level ${level}: use one of ${LOG_LEVELS.join(', ')}`);
  return createLogger(level);
}

/** Prints invalid manifests' diagnostics and returns exit code 1; rethrows anything else. */
export function reportInvalid(err: unknown, out: Output): number {
  if (!(err instanceof InvalidManifestsError)) throw err;
  for (const d of err.set.diagnostics) {
    const line = formatDiagnostic(d);
    out.err(`${d.severity === 'error' ? out.color.red(line) : out.color.yellow(line)}\n`);
  }
  out.err(`${out.color.red('invalid:')} nothing was sent to Google Cloud; fix the manifests and run again\n`);
  return 1;
}

/** Lint warnings of valid manifests, before the plan (they are about the design, not the diff). */
export function printWarnings(set: ManifestSet, out: Output): void {
  for (const d of set.diagnostics) {
    if (d.severity === 'warning') out.err(`${out.color.yellow(formatDiagnostic(d))}\n`);
    else if (d.severity === 'accepted') out.err(`${out.color.dim(formatDiagnostic(d))}\n`);
  }
}

export function parallelismFrom(args: ParsedArgs): number {
  const raw = args.flags.parallelism;
  const n = Number(raw ?? 10);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError(`--parallelism ${raw}: expected a whole number from 1 to 100`);
  return n;
}
