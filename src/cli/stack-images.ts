// The Artifact Registry images a stack's manifests deploy (container `image` fields of every kind),
// so that `musectl up` and the end-to-end tests can push stand-ins of them into the emulator's
// registry: the emulator refuses, as Cloud Run does, to deploy an image that was never pushed.
import { parseArtifactRegistryImage } from '../gcp/registry.js';
import type { Environment } from '../manifest/environment.js';
import { loadManifestSet } from '../manifest/index.js';

/** Every `image:` under a `containers` list, anywhere in a spec. */
function containerImages(value: unknown, out: Set<string>, inContainers = false): void {
  if (Array.isArray(value)) {
    for (const item of value) containerImages(item, out, inContainers);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (inContainers && key === 'image' && typeof child === 'string') out.add(child);
    else containerImages(child, out, key === 'containers');
  }
}

/**
 * The stack's images in Artifact Registry hosts, by tag (an image pinned to a digest names content
 * that a stand-in cannot have). Manifests that do not load give none: the command that follows
 * reports them.
 */
export function artifactRegistryImages(paths: string[], variables: Record<string, string>, environment?: Environment): string[] {
  const set = loadManifestSet(paths, { variables, allowPlaceholders: true, ...(environment ? { environment } : {}) });
  if (set.diagnostics.some((d) => d.severity === 'error')) return [];
  const images = new Set<string>();
  for (const r of set.resources) containerImages(r.spec, images);
  return [...images].filter((image) => parseArtifactRegistryImage(image)).sort();
}
