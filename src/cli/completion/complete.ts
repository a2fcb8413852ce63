// What the shell completes at the cursor, worked out once for bash, zsh and fish alike (after
// cobra's __complete): the scripts send the words of the command line, musectl answers with a
// directive (complete files, directories, or these values) and the values, each with a description.
// Only the command being completed is loaded, and manifests are read only to complete resource names.
import { existsSync, statSync } from 'node:fs';
import { LOG_LEVELS } from '../../log.js';
import type { Command, FlagSpec, ValueSource } from '../command.js';

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  /** values: complete from `candidates`; files, directories: the shell's own completion of paths. */
  directive: 'values' | 'files' | 'directories';
  candidates: Candidate[];
}

/** What completion needs to know of musectl: its commands (loaded on demand), its kinds, the stack's resources. */
export interface CompletionSources {
  commands: Array<{ name: string; summary: string; load(): Promise<Command> }>;
  kinds: () => readonly string[];
  /** The resource keys (Kind/name) of the manifests the command line names, as its target sees them. */
  resources: (stack: StackOnLine) => Promise<string[]>;
  /** The environments (environments/NAME.yaml) of the manifests the command line names. */
  environments: (stack: StackOnLine) => string[];
}

/** What the command line says of the stack whose resource names are completed. */
export interface StackOnLine {
  paths: string[];
  /** --project, --region and --set. */
  variables: Record<string, string>;
  /** --env NAME: its file gives the project and variables the names are made from. */
  environment?: string;
  /** --emulator given (or MUSECTL_EMULATOR set): without --project the emulator's default project. */
  emulator: boolean;
}

const values = (candidates: Candidate[], prefix: string): Completion => ({
  directive: 'values',
  candidates: candidates.filter((c) => c.value.startsWith(prefix)),
});
const NOTHING: Completion = { directive: 'values', candidates: [] };

/**
 * Completion for `words`: the words after "musectl", the last one being the word at the cursor
 * ("" at the start of a new word).
 */
export async function complete(words: string[], sources: CompletionSources): Promise<Completion> {
  const cur = words.at(-1) ?? '';
  if (words.length <= 1) return values([...sources.commands.map((c) => ({ value: c.name, description: c.summary }))], cur);
  const entry = sources.commands.find((c) => c.name === words[0]);
  if (!entry) return NOTHING;
  let cmd = await entry.load();
  let rest = words.slice(1);
  if (cmd.subcommands) {
    if (rest.length === 1)
      return values(
        cmd.subcommands.map((c) => ({ value: c.name.slice(cmd.name.length + 1), description: c.summary })),
        cur,
      );
    const sub = cmd.subcommands.find((c) => c.name === `${cmd.name} ${rest[0]}`);
    if (!sub) return NOTHING;
    cmd = sub;
    rest = rest.slice(1);
  }
  const given = rest.slice(0, -1);
  // --flag=value at the cursor
  const inline = /^--([^=]+)=(.*)$/.exec(cur);
  if (inline) {
    const flag = cmd.flags[inline[1]];
    return flag?.type === 'string' ? valuesOf(flag, inline[2], `--${inline[1]}=`, words, sources) : NOTHING;
  }
  const pending = flagAwaitingValue(cmd, given);
  if (pending) return valuesOf(pending, cur, '', words, sources);
  if (cur.startsWith('-')) return values(flagCandidates(cmd, given), cur);
  return cmd.positionalValues ? valuesFrom(cmd.positionalValues, cur, '', words, sources) : NOTHING;
}

/** The flag the word before the cursor opens, when it takes a value that has not been given. */
function flagAwaitingValue(cmd: Command, given: string[]): FlagSpec | undefined {
  const last = given.at(-1);
  if (!last?.startsWith('-') || last.includes('=')) return undefined;
  const flag = flagNamed(cmd, last);
  return flag?.type === 'string' ? flag : undefined;
}

function flagNamed(cmd: Command, word: string): FlagSpec | undefined {
  const name = flagName(cmd, word);
  return name === undefined ? undefined : cmd.flags[name];
}

/** The name of the flag a word gives (--name, --name=value, -x), if it is one of the command's. */
function flagName(cmd: Command, word: string): string | undefined {
  if (word.startsWith('--')) return word.slice(2).split('=')[0];
  return Object.entries(cmd.flags).find(([, f]) => f.short !== undefined && `-${f.short}` === word)?.[0];
}

/** The long flags not given yet (a repeatable one always), and --help. */
function flagCandidates(cmd: Command, given: string[]): Candidate[] {
  const used = new Set(given.filter((w) => w.startsWith('-')).map((w) => flagName(cmd, w)));
  const flags = Object.entries(cmd.flags)
    .filter(([name, f]) => f.multiple || !used.has(name))
    .map(([name, f]) => ({ value: `--${name}`, description: f.description }));
  return [...flags, { value: '--help', description: 'Show help' }];
}

/** The values a flag takes: declared, or read from its placeholder (PATH, DIR, KIND/NAME, LEVEL, ...). */
function sourceOf(flag: FlagSpec): ValueSource | undefined {
  if (flag.values) return flag.values;
  const placeholder = flag.value ?? '';
  if (/^(PATH|FILE|SOURCE|PLAN)/.test(placeholder)) return 'files';
  if (placeholder.startsWith('DIR')) return 'directories';
  if (placeholder === 'KIND/NAME') return 'resources';
  if (placeholder.startsWith('KIND,')) return 'kinds';
  if (placeholder === 'LEVEL') return LOG_LEVELS;
  return undefined;
}

async function valuesOf(flag: FlagSpec, cur: string, prefix: string, words: string[], sources: CompletionSources): Promise<Completion> {
  const source = sourceOf(flag);
  return source ? valuesFrom(source, cur, prefix, words, sources) : NOTHING;
}

async function valuesFrom(source: ValueSource, cur: string, prefix: string, words: string[], sources: CompletionSources): Promise<Completion> {
  if (source === 'files' || source === 'directories') return { directive: source, candidates: [] };
  if (source === 'kinds') {
    // A comma-separated list: complete the last item, keeping the ones before.
    const done = cur.slice(0, cur.lastIndexOf(',') + 1);
    const listed = new Set(done.split(',').filter(Boolean));
    return values(
      sources
        .kinds()
        .filter((k) => !listed.has(k))
        .map((k) => ({ value: `${prefix}${done}${k}` })),
      `${prefix}${cur}`,
    );
  }
  if (source === 'environments') {
    return values(
      sources.environments(manifestsOf(words)).map((name) => ({ value: `${prefix}${name}` })),
      `${prefix}${cur}`,
    );
  }
  if (source === 'resources') {
    return values(
      (await sources.resources(manifestsOf(words))).map((k) => ({ value: `${prefix}${k}` })),
      `${prefix}${cur}`,
    );
  }
  return values(
    source.map((v) => ({ value: `${prefix}${v}` })),
    `${prefix}${cur}`,
  );
}

/**
 * The manifests the command line names (-f, --filename), else ./manifests when there is one, and
 * the variables it sets (--project, --region, --set), its --env and whether it targets an emulator:
 * resource names are made from variables, and a name completed must be the one the command uses.
 */
export function manifestsOf(words: string[], env: NodeJS.ProcessEnv = process.env): StackOnLine {
  const paths: string[] = [];
  const variables: Record<string, string> = {};
  let environment: string | undefined;
  let emulator = Boolean(env.MUSECTL_EMULATOR);
  const valueAfter = (i: number, long: string, short?: string): string | undefined => {
    const w = words[i];
    if (w === `--${long}` || (short && w === `-${short}`)) return words[i + 1];
    if (w.startsWith(`--${long}=`)) return w.slice(long.length + 3);
    if (short && w.startsWith(`-${short}`) && w.length > 2 && !w.startsWith('--')) return w.slice(2);
    return undefined;
  };
  for (let i = 0; i < words.length - 1; i++) {
    const f = valueAfter(i, 'filename', 'f');
    if (f) paths.push(f);
    const project = valueAfter(i, 'project');
    if (project) variables.PROJECT_ID = project;
    const region = valueAfter(i, 'region');
    if (region) variables.REGION = region;
    const set = valueAfter(i, 'set');
    const m = set ? /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(set) : null;
    if (m) variables[m[1]] = m[2];
    environment = valueAfter(i, 'env') ?? environment;
    if (valueAfter(i, 'emulator')) emulator = true;
  }
  if (paths.length === 0 && existsSync('manifests') && statSync('manifests').isDirectory()) paths.push('manifests');
  return { paths, variables, emulator, ...(environment ? { environment } : {}) };
}

/** The answer as the scripts read it: the directive on the first line, then "value<TAB>description" lines. */
export function renderCompletion(c: Completion): string {
  const lines = [`:${c.directive}`, ...c.candidates.map((x) => (x.description ? `${x.value}\t${x.description}` : x.value))];
  return `${lines.join('\n')}\n`;
}
