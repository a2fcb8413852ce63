// musectl's own instructions on a manifest, under metadata.annotations (never sent to Google).

import type { Controller } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import type { DeletionPolicy } from '../state/inventory.js';

export const ANNOTATION = {
  deletionPolicy: 'musectl.dev/deletion-policy',
  forceDestroy: 'musectl.dev/force-destroy',
  adopt: 'musectl.dev/adopt',
  renamedFrom: 'musectl.dev/renamed-from',
} as const;

const truthy = (v: unknown): boolean => v === 'true' || v === 'yes' || v === '1';

/** An annotation that names several things: a comma-separated string, or a YAML list of strings. */
export function annotationList(r: Resource | undefined, key: string): string[] {
  const raw = r?.annotations[key];
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
  return items.map((p) => String(p).trim()).filter(Boolean);
}

/** delete or abandon: the annotation, else the kind's default (abandon for what holds data). */
export function deletionPolicyOf(r: Resource, controller: Controller): DeletionPolicy {
  const v = r.annotations[ANNOTATION.deletionPolicy];
  if (v === 'delete' || v === 'abandon') return v;
  return controller.facts.deletionPolicy;
}

export const forceDestroyOf = (r: Resource): boolean => truthy(r.annotations[ANNOTATION.forceDestroy]);
export const wantsAdoption = (r: Resource): boolean => truthy(r.annotations[ANNOTATION.adopt]);

/** The manifest's metadata.name before a rename (the same Google resource under a new manifest name). */
export function renamedFromOf(r: Resource): string | undefined {
  const v = r.annotations[ANNOTATION.renamedFrom];
  return typeof v === 'string' && v ? v : undefined;
}
