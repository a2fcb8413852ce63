// What every lint rule shares: the stack as a lookup, a warning that points at a YAML node, and
// walks over the parts of a manifest that several rules read (env vars, run.app URLs).
import type { Node } from 'yaml';
import type { Diagnostic, SourcePosition } from '../diagnostics.js';
import { findNode, locate, type Path, positionAt } from '../document.js';
import type { Resource } from '../resource.js';

export interface LintContext {
  /** Every resource once per "Kind/name" (a duplicate is an error the cross-checks report). */
  resources: Resource[];
  ofKind(kind: string): Resource[];
}

/** A design-mistake check over the whole (valid) stack. Findings are warnings: the stack still deploys. */
export interface LintRule {
  /** Kebab-case id printed with each finding, so a user can look it up. */
  id: string;
  check(ctx: LintContext): Diagnostic[];
}

export function warning(r: Resource, rule: string, at: SourcePosition, message: string): Diagnostic {
  return { ...at, severity: 'warning', subject: r.key, message, rule };
}

/**
 * Where to point for a field that may be left out (its default then applies): the field's value
 * when written, else the key of its deepest written ancestor (`spec:`), else metadata.name.
 */
export function locateField(r: Resource, path: Path): SourcePosition {
  const found = findNode(r.doc.doc.contents as Node | null, path);
  if (found.complete) return locate(r.doc, path);
  const key = found.pair?.key as Node | undefined;
  if (key?.range) return positionAt(r.doc, key.range[0]);
  return locate(r.doc, ['metadata', 'name']);
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { outputRef?: { kind: string; name: string; output: string }; secretKeyRef?: { name: string } };
  /** Data path of the env entry, e.g. spec.template.containers[0].env[2]. */
  path: Path;
}

/** Every env var of every container of a CloudRunService, with its path. */
export function envVars(r: Resource): EnvVar[] {
  const containers: Array<{ env?: Array<Omit<EnvVar, 'path'>> }> = r.spec.template?.containers ?? [];
  return containers.flatMap((c, i) => (c.env ?? []).map((e, j) => ({ ...e, path: ['spec', 'template', 'containers', i, 'env', j] })));
}

/** Scheme and host (lower-case, without user info or port) of each http(s) URL in a string. */
export function urlsIn(s: string): Array<{ scheme: 'http' | 'https'; host: string }> {
  const out: Array<{ scheme: 'http' | 'https'; host: string }> = [];
  for (const m of s.matchAll(/\b(https?):\/\/([^\s/?#'"<>,;]+)/gi)) {
    const host = m[2].replace(/^.*@/, '').replace(/:\d*$/, '').toLowerCase();
    out.push({ scheme: m[1].toLowerCase() as 'http' | 'https', host });
  }
  return out;
}

export const isRunAppHost = (host: string): boolean => host === 'run.app' || host.endsWith('.run.app');

/**
 * Whether a host is one of Cloud Run's URLs for the service `name`: the deterministic
 * NAME-PROJECT_NUMBER.REGION.run.app, the older NAME-HASH-REGIONCODE.a.run.app, either with an
 * optional traffic tag (TAG---NAME-...). Service ids are [-a-z0-9], so the name needs no escaping.
 */
export function isRunAppHostOf(host: string, name: string): boolean {
  return new RegExp(`^(?:[a-z0-9-]+---)?${name}-(?:[0-9]+\\.[a-z0-9-]+|[a-z0-9]{10}-[a-z]{2}\\.a)\\.run\\.app$`).test(host);
}
