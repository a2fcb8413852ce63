// Artifact Registry v1 Docker images (ListDockerImages, GetDockerImage): what was pushed through
// the Docker Registry v2 API (artifact-registry-docker-v2.ts), as the Artifact Registry API shows
// it. An image is named by repository, image path and digest:
// `projects/P/locations/L/repositories/R/dockerImages/IMAGE@sha256:...`, with the slashes of a
// nested image path escaped (`team%2Fapp@sha256:...`); its uri is `L-docker.pkg.dev/P/R/IMAGE@sha256:...`.
import type { Emulator } from '../emulator.js';
import { invalidArgument } from '../errors.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { registerDockerRegistryV2 } from './artifact-registry-docker-v2.js';
import { AR, dockerImages, entityNotFound, imageKey, registryHost, repositoryFor, repositoryParts, type StoredDockerImage } from './artifact-registry-store.js';
import { paginate, wire } from './common.js';

export function registerDockerImages(emu: Emulator): void {
  registerRpcs(emu, '@google-cloud/artifact-registry', `${AR}.ArtifactRegistry`, { ListDockerImages: listDockerImages, GetDockerImage: getDockerImage });
  registerDockerRegistryV2(emu);
}

/** The DockerImage resource for a stored image. */
export function renderDockerImage(img: StoredDockerImage): Record<string, unknown> {
  const { project, location, repository } = repositoryParts(img.repository);
  return {
    name: `${img.repository}/dockerImages/${img.image.replaceAll('/', '%2F')}@${img.digest}`,
    uri: `${registryHost(location, 'DOCKER')}/${project}/${repository}/${img.image}@${img.digest}`,
    tags: img.tags,
    imageSizeBytes: String(img.imageSizeBytes),
    uploadTime: img.uploadTime,
    mediaType: img.mediaType,
    buildTime: img.buildTime,
    updateTime: img.updateTime,
  };
}

/** order_by as the reference lists it: a field (name, upload_time, update_time, build_time, image_size_bytes) and an optional "desc". */
function comparator(orderBy: string | null): (a: StoredDockerImage, b: StoredDockerImage) => number {
  const byName = (a: StoredDockerImage, b: StoredDockerImage) => `${a.image}@${a.digest}`.localeCompare(`${b.image}@${b.digest}`);
  if (!orderBy?.trim()) return byName;
  const m = /^\s*(name|upload_time|uploadTime|update_time|updateTime|build_time|buildTime|image_size_bytes|imageSizeBytes)(?:\s+(asc|desc))?\s*$/.exec(orderBy);
  if (!m) throw invalidArgument(`Invalid order_by: ${orderBy}`, 'order_by');
  const field = m[1].replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof StoredDockerImage | 'name';
  const sign = m[2] === 'desc' ? -1 : 1;
  return (a, b) => {
    if (field === 'name') return sign * byName(a, b);
    const x = a[field] ?? '';
    const y = b[field] ?? '';
    const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * cmp || byName(a, b);
  };
}

function listDockerImages(req: EmuRequest): EmuResponse {
  const repo = repositoryFor(req);
  const images = Object.values(dockerImages(req))
    .filter((img) => img.repository === repo.name)
    .sort(comparator(req.query.get('orderBy') ?? req.query.get('order_by')));
  // "Maximum page size is 1,000."
  const { page, nextPageToken } = paginate(images, req.query, { defaultSize: 1000, maxSize: 1000 });
  return wire(req, `${AR}.ListDockerImagesResponse`, { dockerImages: page.map(renderDockerImage), nextPageToken });
}

function getDockerImage(req: EmuRequest): EmuResponse {
  const repo = repositoryFor(req);
  // The id arrives with its escaped slashes (team%2Fapp@sha256:...), encoded once more by the client.
  const id = decodeURIComponent(req.params.dockerImage);
  const at = id.lastIndexOf('@');
  const img = at > 0 ? dockerImages(req)[imageKey(repo.name, id.slice(0, at), id.slice(at + 1))] : undefined;
  if (!img) throw entityNotFound();
  return wire(req, `${AR}.DockerImage`, renderDockerImage(img));
}
