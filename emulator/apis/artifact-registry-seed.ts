// Stand-in images (an emulator convenience, not a Google API): POST /_emulator/images
// {"images": ["LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG", ...]} pushes a small image under each
// reference, as `docker push` would, so that Cloud Run deploys of it pass the image check
// (run-deploy-checks.ts). A reference whose repository does not exist yet is kept and pushed when
// the repository's creation completes: `musectl up` seeds the stack's images before applying it.
import type { Emulator } from '../emulator.js';
import { storeBlob } from './artifact-registry-blobs.js';
import { storeManifest } from './artifact-registry-docker-v2.js';
import { repositories } from './artifact-registry-store.js';
import { parseHeldImage } from './run-deploy-checks.js';

const PENDING = 'emulator.pendingImages';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface SeedResult {
  pushed: string[];
  /** Waiting for their repository to be created. */
  pending: string[];
  invalid: string[];
}

export function seedImages(emu: Emulator, images: string[]): SeedResult {
  const result: SeedResult = { pushed: [], pending: [], invalid: [] };
  // All or nothing: one reference that cannot be seeded seeds none.
  result.invalid = images.filter((image) => !parseHeldImage(image) || image.includes('@') || !projectUsable(emu, parseHeldImage(image)!.project));
  if (result.invalid.length > 0) return result;
  for (const image of images) {
    const ref = parseHeldImage(image)!;
    const project = emu.projects.resolve(ref.project);
    const repoName = `projects/${project.projectId}/locations/${ref.locations[0]}/repositories/${ref.repository}`;
    if (pushStandIn(emu, repoName, ref.image, ref.tag ?? 'latest', image)) result.pushed.push(image);
    else {
      emu.store.collection<{ repository: string; image: string; tag: string }>(PENDING)[image] = {
        repository: repoName,
        image: ref.image,
        tag: ref.tag ?? 'latest',
      };
      result.pending.push(image);
    }
  }
  emu.store.persist();
  return result;
}

function projectUsable(emu: Emulator, project: string): boolean {
  try {
    emu.projects.resolve(project);
    return true;
  } catch {
    return false;
  }
}

/** Pushes the images that waited for `repoName` (called when its creation completes). */
export function pushPendingImages(emu: Emulator, repoName: string): void {
  const pending = emu.store.collection<{ repository: string; image: string; tag: string }>(PENDING);
  for (const [reference, p] of Object.entries(pending)) {
    if (p.repository === repoName && pushStandIn(emu, repoName, p.image, p.tag, reference)) delete pending[reference];
  }
}

/** A minimal OCI image (one config, no layers) whose digest differs per reference. */
function pushStandIn(emu: Emulator, repoName: string, image: string, tag: string, reference: string): boolean {
  const repo = repositories({ emu })[repoName];
  if (repo?.format !== 'DOCKER') return false;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } }));
  // The config blob goes in first, as a push uploads blobs before the manifest that names them.
  const configDigest = storeBlob(emu, repoName, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [],
      annotations: { 'dev.musectl.emulator.stand-in': reference },
    }),
  );
  const stored = storeManifest(emu, { repo, image }, tag, manifest, OCI_MANIFEST);
  return !('error' in stored);
}
