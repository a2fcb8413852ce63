// A validated manifest: what the rest of musectl works with.
import type { ManifestDocument, Path } from './document.js';

export interface ResourceRef {
  /** Where the reference is in the document. */
  path: Path;
  kind: string;
  name: string;
  /** For an outputRef: which output of the referenced resource. */
  output?: string;
}

export interface Resource {
  kind: string;
  name: string;
  /** "Kind/name", unique in a stack. */
  key: string;
  labels: Record<string, string>;
  /** musectl's own instructions: strings, or a list / a map for the few that take one (ignore-changes, lint-ignore). */
  annotations: Record<string, AnnotationValue>;
  /** The spec with schema defaults (= Google's defaults) filled in: the desired state. */
  spec: Record<string, any>;
  refs: ResourceRef[];
  /**
   * metadata.name as written, when it uses stack variables ("uploads-${ENV}"): a manifest whose
   * name changes with a variable is still the same manifest, and its old resource is replaced.
   */
  nameTemplate?: string;
  /** Keys of resources this one waits for without referencing them (the API it needs enabled). */
  implicitDependencies?: string[];
  doc: ManifestDocument;
}

export type AnnotationValue = string | string[] | Record<string, string>;

export const resourceKey = (kind: string, name: string): string => `${kind}/${name}`;
