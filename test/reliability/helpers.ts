// What the reliability suites share: a generated stack that has every kind, the engine run
// in-process against an emulator, the CLI as a child process that a test can kill, and a
// normalized view of what the emulator holds for a project (server-made fields such as times, ids,
// etags and revision names left out) to compare runs and to find duplicates.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GeneratedStack, generateStack } from '../../bench/generate.js';
import { allControllers } from '../../controllers/index.js';
import { type RunningEmulator, seedImages } from '../../emulator/index.js';
import { artifactRegistryImages } from '../../src/cli/stack-images.js';
import type { ApplyResult } from '../../src/engine/apply.js';
import { applyWithInventory } from '../../src/engine/pipeline.js';
import type { Plan } from '../../src/engine/plan.js';
import { DEFAULT_PLAN_OPTIONS, type PlanOptions } from '../../src/engine/planner.js';
import { observeAndPlan, openSession, type Session } from '../../src/engine/session.js';
import { createLogger } from '../../src/log.js';
import { type RunningCli, startCli } from '../e2e/cli.js';

export const tempDir = (what: string): string => mkdtempSync(join(tmpdir(), `musectl-rel-${what}-`));

/** Stand-ins of the stack's Artifact Registry images, pushed when their repository is created (as `musectl up` does). */
export function pushStackImages(emu: RunningEmulator, dir: string, project: string): void {
  seedImages(emu.emulator, artifactRegistryImages([dir], { PROJECT_ID: project }));
}

/**
 * A generated stack of about `n` resources with every kind the generator makes at 50 and more
 * (see bench/generate.ts): no CloudRunJob or CloudSchedulerJob, which it does not make.
 */
export function reliabilityStack(n: number, dir = tempDir('stack')): GeneratedStack {
  return generateStack({ n, dir, allKinds: true });
}

/** The engine in-process, as `musectl apply` runs it (inventory intent and outcome included, no lease). */
export async function engineApply(opts: {
  dir: string;
  emu: RunningEmulator;
  project: string;
  state: string;
  plan?: PlanOptions;
}): Promise<{ result: ApplyResult; plan: Plan; calls: number }> {
  const session = await engineSession(opts);
  try {
    const planned = await observeAndPlan(session, opts.plan ?? DEFAULT_PLAN_OPTIONS);
    const result = await applyWithInventory(session, planned, { parallelism: 10, listener: () => undefined });
    return { result, plan: planned.exec.plan, calls: session.ctx.api.calls };
  } finally {
    await session.close();
  }
}

/** A plan, in-process (what `musectl plan -o json` prints). */
export async function enginePlan(opts: { dir: string; emu: RunningEmulator; project: string; state: string; plan?: PlanOptions }): Promise<Plan> {
  const session = await engineSession(opts);
  try {
    return (await observeAndPlan(session, opts.plan ?? DEFAULT_PLAN_OPTIONS)).exec.plan;
  } finally {
    await session.close();
  }
}

function engineSession(opts: { dir: string; emu: RunningEmulator; project: string; state: string }): Promise<Session> {
  return openSession({
    controllers: allControllers(),
    paths: [opts.dir],
    variables: {},
    target: { kind: 'emulator', project: opts.project, url: new URL(opts.emu.url) },
    log: createLogger('silent'),
    state: opts.state,
  });
}

export const changesOf = (plan: Plan): string[] => plan.actions.filter((a) => a.action !== 'noop').map((a) => `${a.action} ${a.kind}/${a.name}`);

// --- the CLI as a child process that can be killed ---------------------------------------------

/** The CLI in the background (the one spawner of test/e2e/cli.ts), for a test that kills it. */
export const spawnCli = (args: string[], env: Record<string, string | undefined> = {}): RunningCli => startCli(args, { env });

// --- what the emulator holds ---------------------------------------------------------------------

/** A request that changes something (reads, including policy reads and secret access, excluded). */
export const isWrite = (method: string, path: string): boolean => !['GET', 'HEAD'].includes(method) && !/:(getIamPolicy|access)$/.test(path);

type State = { collections: Record<string, Record<string, any>> };

const VOLATILE = new Set([
  'uid',
  'uniqueId',
  'oauth2ClientId',
  'etag',
  'generation',
  'metageneration',
  'observedGeneration',
  'createTime',
  'updateTime',
  'timeCreated',
  'updated',
  'createdAtMs',
  'creator',
  'lastModifier',
  'latestReadyRevision',
  'latestCreatedRevision',
  'trafficStatuses',
  'reconciling',
  'terminalCondition',
  'conditions',
  'lockedTime',
  'effectiveTime',
  'toggleTime',
  'terminalStorageClassUpdateTime',
  'revision',
  'projectNumber',
  'id',
  'selfLink',
]);

/** A copy without the fields the server makes up per call (times, ids, etags, revision names). */
export function stripVolatile(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripVolatile);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, x]) => [k, stripVolatile(x)]),
    );
  return v;
}

const lastSegment = (name: string): string => name.split('/').pop() ?? name;

/**
 * Everything the emulator holds for `project`, by a key in the manifests' terms (Kind/name, and
 * Policy/RESOURCE for IAM policies), normalized for comparison. Secrets list their versions.
 */
export function projectView(state: State, project: string, projectNumber: string): Map<string, unknown> {
  const c = state.collections;
  const mine = (key: string): boolean =>
    key.includes(`projects/${project}`) || key.includes(`projects/${projectNumber}`) || key.endsWith(`-${project}`) || key.includes(`@${project}.`);
  const view = new Map<string, unknown>();
  for (const [name, b] of Object.entries(c['storage.buckets'] ?? {}))
    if ((b as any).projectId === project) view.set(`Bucket/${name}`, stripVolatile((b as any).fields));
  for (const a of Object.values(c['iam.serviceAccounts'] ?? {})) {
    if ((a as any).projectId === project)
      view.set(
        `ServiceAccount/${(a as any).email.split('@')[0]}`,
        stripVolatile({ displayName: a.displayName, description: a.description, disabled: Boolean(a.disabled) }),
      );
  }
  for (const [name, s] of Object.entries(c['run.services'] ?? {})) if (mine(name)) view.set(`CloudRunService/${lastSegment(name)}`, stripVolatile(s.service));
  for (const [name, s] of Object.entries(c['secretmanager.secrets'] ?? {})) {
    if (!mine(name)) continue;
    const versions = Object.values(s.versions as Record<string, { resource: { state: string }; data?: string }>).map((v) => ({
      state: v.resource.state,
      data: v.data,
    }));
    view.set(`Secret/${lastSegment(name)}`, { ...(stripVolatile(s.resource) as object), versions });
  }
  for (const [name, r] of Object.entries(c['artifactregistry.repositories'] ?? {}))
    if (mine(name)) view.set(`ArtifactRegistryRepository/${lastSegment(name)}`, stripVolatile(r));
  for (const api of (c['serviceusage.enabledServices']?.[project] ?? []) as string[]) view.set(`ProjectService/${api}`, true);
  for (const [resource, p] of Object.entries(c['iam.policies'] ?? {})) {
    if (!mine(resource) && !c['storage.buckets']?.[lastSegment(resource)]) continue;
    const bindings = ((p as any).bindings ?? []).map((b: { role: string; members: string[]; condition?: unknown }) => ({
      role: b.role,
      members: [...b.members].sort(),
      ...(b.condition ? { condition: b.condition } : {}),
    }));
    bindings.sort((a: { role: string }, b: { role: string }) => a.role.localeCompare(b.role));
    view.set(`Policy/${resource}`, bindings);
  }
  return view;
}

/** What in `view` is duplicated: a member twice in a binding, two unconditional bindings of a role, a secret value added twice. */
export function duplicatesIn(view: Map<string, unknown>): string[] {
  const found: string[] = [];
  for (const [key, v] of view) {
    if (key.startsWith('Policy/')) {
      const roles = new Set<string>();
      for (const b of v as Array<{ role: string; members: string[]; condition?: unknown }>) {
        if (new Set(b.members).size !== b.members.length) found.push(`${key}: a member twice in ${b.role}`);
        if (!b.condition && roles.has(b.role)) found.push(`${key}: two bindings of ${b.role}`);
        if (!b.condition) roles.add(b.role);
      }
    }
    if (key.startsWith('Secret/')) {
      const enabled = (v as { versions: Array<{ state: string; data?: string }> }).versions.filter((x) => x.state === 'ENABLED');
      if (new Set(enabled.map((x) => x.data)).size !== enabled.length) found.push(`${key}: the same value in ${enabled.length} versions`);
    }
  }
  return found;
}

/** Keys whose normalized content differs between two views (or that only one holds). */
export function differences(a: Map<string, unknown>, b: Map<string, unknown>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k))).sort();
}

export async function emulatorState(emu: RunningEmulator): Promise<State> {
  return (await (await fetch(`${emu.url}/_emulator/state`)).json()) as State;
}
