// files -load-> documents -validate-> resources: everything `musectl validate` does, and the first
// step of plan and apply.
import { compareDiagnostics, type Diagnostic } from './diagnostics.js';
import type { ManifestDocument } from './document.js';
import { applyOverride, type Environment, fieldsOf, isEnvironmentDocument, type Override, unusedOverrides } from './environment.js';
import { googleRules } from './google/rules.js';
import { checkKindCapabilities, type KindCatalog } from './kind-capabilities.js';
import { lintResources } from './lint/index.js';
import { discoverFiles, parseFile, readManifestText } from './load.js';
import type { Resource } from './resource.js';
import { type SchemaRegistry, schemaRegistry } from './schemas.js';
import { readSecretSources, stackRoots } from './secret-source.js';
import { type CheckedSet, copyOfChecked, type FileText, SetCache, setKey } from './set-cache.js';
import { keepCheckedFile, readCheckedFile } from './set-cache-file.js';
import { isStackDocument, readStack, type StackSettings, stackOutputs } from './stack.js';
import { checkVariables, typedValue, type VariableSources, type VariableType } from './stack-variables.js';
import { crossCheck, type OutsideRef, subjectOf, validateDocument } from './validate.js';
import { BUILTIN_VARIABLES, substitute, type Variables } from './variables.js';

export interface LoadOptions {
  /** Values from the command line: --project, --region and --set. They win over the Stack's. */
  variables: Record<string, string>;
  /**
   * Use placeholders for built-in variables that have no value (validate without a target). When
   * false, a missing value is an error.
   */
  allowPlaceholders: boolean;
  /** Values the target knows (PROJECT_NUMBER); asked for only when the manifests use them. */
  discovered?: Record<string, string>;
  /** Directories outside the stack's tree a Secret's valueFrom.file may read (--allow-secret-path). */
  allowSecretPaths?: string[];
  /** Which kinds have which capability (from the controllers), for fields whose value is a kind. */
  kinds?: KindCatalog;
  /**
   * References to resources the set does not include are returned in `outside` instead of being
   * errors, for a caller that resolves them against the stack's inventory (plan and apply of one
   * file of a stack). validate and graph, which have no state, leave this off.
   */
  deferMissingRefs?: boolean;
  /** The environment chosen with --env (read by readEnvironment): its values and overrides apply. */
  environment?: Environment;
}

export interface ManifestSet {
  stack: StackSettings;
  resources: Resource[];
  diagnostics: Diagnostic[];
  /** Built-in variables that were validated with a placeholder value. */
  placeholdersUsed: string[];
  /** Every variable the manifests use. */
  variablesUsed: string[];
  files: string[];
  documents: ManifestDocument[];
  /** With deferMissingRefs: references to resources not in the set, each where it is written. */
  outside: OutsideRef[];
  /** The environment's name (--env), when one was chosen. */
  environment?: string;
}

/** Sets this process has checked: a watcher's unchanged manifests are not parsed again every cycle. */
const checkedSets = new SetCache();

export function loadManifestSet(paths: string[], opts: LoadOptions): ManifestSet {
  // The files are found and read on every load; only what their text gives is taken from the cache.
  const found = discoverFiles(paths);
  const texts: FileText[] = found.files.map((file) => ({ file, ...readManifestText(file) }));
  const env = opts.environment;
  const { environment: _, ...options } = opts;
  const key = setKey({
    paths,
    found,
    texts,
    options,
    ...(env ? { environment: env, environmentText: texts.find((t) => t.file === env.file) ?? { file: env.file, ...readManifestText(env.file) } } : {}),
  });
  let checked = checkedSets.get(key);
  let kept = true;
  if (checked) {
    // What a check does to the environment it is given, done to this one (the caller reads its fields).
    if (env?.doc) prepareEnvironment(env, env.doc, checked.vars);
  } else {
    // A command before this one may have checked the same set (set-cache-file.ts); one with an
    // environment is checked every time.
    const stored = env ? undefined : readCheckedFile(key, texts);
    checked = stored ?? checkSet(paths, opts, found, texts);
    if (!stored && !env) keepCheckedFile(key, checked);
    kept = !checkedSets.firstSight(key);
    if (kept) checkedSets.set(key, checked);
  }
  const { before, lint, ...set } = kept ? copyOfChecked(checked) : checked;
  // Read on every load, never cached: a Secret's value is not in the manifests, and may change.
  const secrets = readSecretSources(set.resources, { roots: stackRoots(paths), allowed: opts.allowSecretPaths ?? [] });
  return {
    stack: set.stack,
    resources: set.resources,
    diagnostics: [...before, ...secrets, ...lint].sort(compareDiagnostics),
    placeholdersUsed: set.placeholdersUsed,
    variablesUsed: set.variablesUsed,
    files: set.files,
    ...(set.environment !== undefined ? { environment: set.environment } : {}),
    documents: set.documents,
    outside: set.outside,
  };
}

/** Forgets the sets checked so far (tests that compare a load from the cache with one from scratch). */
export function forgetCheckedSets(): void {
  checkedSets.clear();
}

/** Parses and checks the files' texts: everything a load finds but the Secrets' values. */
function checkSet(paths: string[], opts: LoadOptions, found: { files: string[]; diagnostics: Diagnostic[] }, texts: FileText[]): CheckedSet {
  const registry = schemaRegistry();
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const documents: ManifestDocument[] = [];
  for (const { file, text, diagnostics: unreadable } of texts) {
    const parsed = text === undefined ? { documents: [], diagnostics: unreadable } : parseFile(file, text);
    documents.push(...parsed.documents);
    // The chosen environment's file was parsed by readEnvironment, whose diagnostics come below:
    // its YAML errors are reported once.
    if (file !== opts.environment?.file) diagnostics.push(...parsed.diagnostics);
  }
  if (found.files.length === 0 && found.diagnostics.length === 0) {
    diagnostics.push({ file: paths.join(' '), line: 1, col: 1, severity: 'error', subject: '', message: 'no manifest files (*.yaml, *.yml) found' });
  }

  const stackDocs = documents.filter(isStackDocument);
  const stackRead = readStack(stackDocs);
  diagnostics.push(...stackRead.diagnostics);
  const env = opts.environment;
  const vars = variablesFor(stackRead.stack, opts);
  diagnostics.push(...(env?.diagnostics ?? []), ...checkVariables(stackRead.stack.declarations, vars.values, variableSources(stackRead.stack, opts, vars)));
  if (env?.doc) diagnostics.push(...prepareEnvironment(env, env.doc, vars));
  const stackRefs = stackReferences(stackDocs, stackRead.stack, vars, registry, diagnostics);
  const overridden = new Set<Override>();

  const placeholders = new Set<string>();
  const used = new Set<string>();
  const resources: Resource[] = [];
  const identified: Resource[] = []; // valid or not: for the cross-document checks
  for (const d of documents) {
    if (isStackDocument(d)) continue;
    if (isEnvironmentDocument(d)) {
      // Environment files under -f (manifests/environments/): checked, never resources.
      if (d.file !== env?.file) diagnostics.push(...validateDocument(d, registry).diagnostics);
      continue;
    }
    const nameTemplate = rawName(d.value);
    const sub = substitute(d, vars, subjectOf(d.value));
    for (const p of sub.placeholdersUsed) placeholders.add(p);
    for (const v of sub.used) used.add(v);
    diagnostics.push(...sub.diagnostics);
    if (sub.diagnostics.length > 0) continue;
    const override = env ? applyOverride(d, env) : undefined;
    if (override) overridden.add(override);
    const result = validateDocument(d, registry);
    if (result.resource && nameTemplate?.includes('${')) result.resource.nameTemplate = nameTemplate;
    diagnostics.push(...result.diagnostics);
    if (result.resource) identified.push(result.resource);
    if (result.resource && result.valid) resources.push(result.resource);
  }
  if (env) diagnostics.push(...unusedOverrides(env, overridden, identified));
  const outside: OutsideRef[] | undefined = opts.deferMissingRefs ? [] : undefined;
  diagnostics.push(...crossCheck([...identified, ...stackRefs], registry, outside));
  diagnostics.push(...checkKindCapabilities(identified, registry, opts.kinds));
  diagnostics.push(...googleRules(identified));
  // The Secrets' values are read here, between these and lint's (loadManifestSet).
  const lint = lintResources(resources);
  return {
    stack: stackRead.stack,
    resources,
    before: diagnostics,
    lint,
    placeholdersUsed: [...placeholders].sort(),
    variablesUsed: [...used].sort(),
    // The environment's file is read too: a saved plan's fingerprint covers it.
    files: env && !found.files.includes(env.file) ? [...found.files, env.file] : found.files,
    ...(env ? { environment: env.name } : {}),
    documents,
    outside: outside ?? [],
    vars,
  };
}

/**
 * Substitutes the variables in the environment's document (names in its overrides may use them,
 * as the manifests' names do) and takes its fields again from it.
 */
function prepareEnvironment(env: Environment, doc: ManifestDocument, vars: Variables): Diagnostic[] {
  const { diagnostics } = substitute(doc, vars, `Environment/${env.name}`);
  Object.assign(env, fieldsOf(doc));
  return diagnostics;
}

/**
 * Validates the Stack documents and returns the one in use as a resource whose references (its
 * spec.outputs) are checked with every other reference. Names in its outputs may use variables (a
 * bucket named after the project), so a Stack with outputs is substituted first.
 */
function stackReferences(
  stackDocs: ManifestDocument[],
  stack: StackSettings,
  vars: Variables,
  registry: SchemaRegistry,
  diagnostics: Diagnostic[],
): Resource[] {
  const refs: Resource[] = [];
  for (const d of stackDocs) {
    const inUse = d === stack.document;
    if (inUse && Object.keys(stack.outputs).length > 0) {
      diagnostics.push(...substitute(d, vars, subjectOf(d.value)).diagnostics);
      stack.outputs = stackOutputs(d);
    }
    const result = validateDocument(d, registry);
    diagnostics.push(...result.diagnostics);
    if (inUse && result.resource) refs.push(result.resource);
  }
  return refs;
}

/** metadata.name as written, before stack variables are substituted. */
function rawName(value: unknown): string | undefined {
  const name = (value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The variables' values: the command line's, then the environment's, then the Stack's defaults. */
function variablesFor(stack: StackSettings, opts: LoadOptions): Variables {
  const env = opts.environment;
  const fromEnv: Record<string, string> = {
    ...env?.variables,
    ...(env?.region ? { REGION: env.region } : {}),
    ...(env?.project ? { PROJECT_ID: env.project } : {}),
  };
  // ${ENVIRONMENT}: the environment's name, empty without one (the watcher job passes --env=${ENVIRONMENT}).
  const values: Record<string, string> = { ...stack.variables, ENVIRONMENT: env?.name ?? '', ...fromEnv, ...opts.discovered, ...opts.variables };
  const placeholders: Record<string, string> = {};
  if (opts.allowPlaceholders) {
    for (const [name, b] of Object.entries(BUILTIN_VARIABLES)) if (!(name in values)) placeholders[name] = b.placeholder;
    // validate without an environment: a required variable is checked with a stand-in of its type.
    for (const [name, d] of Object.entries(stack.declarations)) if (d.required && !(name in values)) placeholders[name] = PLACEHOLDER_OF[d.type];
  }
  const typed: Record<string, number | boolean> = {};
  for (const [name, d] of Object.entries(stack.declarations)) {
    // A value that does not fit its type is an error where it is written (checkVariables); the
    // manifests get a stand-in of the type, so the same value is not reported a second time at
    // every field that uses it, where the user did not write it.
    const t = typedValue(values[name] ?? placeholders[name] ?? '', d.type) ?? typedValue(PLACEHOLDER_OF[d.type], d.type);
    if (t !== undefined) typed[name] = t;
  }
  return { values, placeholders, typed };
}

const PLACEHOLDER_OF: Record<VariableType, string> = { string: 'example', integer: '1', number: '1', boolean: 'false' };

function variableSources(stack: StackSettings, opts: LoadOptions, vars: Variables): VariableSources {
  return {
    ...(stack.document ? { stack: stack.document } : {}),
    ...(opts.environment?.doc ? { environment: opts.environment.doc } : {}),
    fromEnvironment: new Set(Object.keys(opts.environment?.variables ?? {})),
    fromCommandLine: new Set(Object.keys(opts.variables)),
    placeholders: new Set(Object.keys(vars.placeholders)),
  };
}

export type { Diagnostic } from './diagnostics.js';
export { formatDiagnostic, hasErrors } from './diagnostics.js';
export type { Resource, ResourceRef } from './resource.js';
export type { OutsideRef } from './validate.js';
