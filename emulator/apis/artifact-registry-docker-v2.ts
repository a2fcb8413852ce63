// The Docker Registry HTTP API v2 of Artifact Registry, enough to push a manifest under a tag and to
// resolve a tag to its digest (HEAD/GET .../manifests/REF -> Docker-Content-Digest), as `docker
// push`, crane and musectl do. Google serves it at https://LOCATION-docker.pkg.dev/v2/PROJECT/REPO/IMAGE;
// the emulator serves the same paths on its one host. The location comes from the Host header when
// a client sends LOCATION-docker.pkg.dev; otherwise the project's repository of that id is used
// (the alphabetically first location if several share the id).
//
// Paths: /v2/{project}/{repository}/{image...}/manifests/{reference} and .../tags/list. An image path
// may have several segments (team/app), which one router template cannot express, so a template is
// registered per depth up to MAX_IMAGE_DEPTH. They cannot capture Cloud Run's /v2/projects/... routes:
// those are registered first, and their fixed segments (locations, services, ...) sit where these
// templates need "manifests" or "tags".
//
// Errors use the registry's own shape, {"errors":[{code, message}]}, not Google's.
import { createHash } from 'node:crypto';
import type { Emulator } from '../emulator.js';
import { ApiError } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { blobExists, blobUploadStatus, getBlob, patchBlobUpload, putBlobUpload, referencedDigests, startBlobUpload } from './artifact-registry-blobs.js';
import { dockerImages, imageKey, repositories, type StoredDockerImage, type StoredRepository } from './artifact-registry-store.js';

const MAX_IMAGE_DEPTH = 8;
const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };
const DOCKER_V2_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const MANIFEST_TYPES = new Set([
  DOCKER_V2_MANIFEST,
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
]);
/** Docker's grammar for a path component and a tag. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

type DockerHandler = (req: EmuRequest, target: Target) => EmuResponse;

interface Target {
  repo: StoredRepository;
  project: string;
  repository: string;
  image: string;
}

export function registerDockerRegistryV2(emu: Emulator): void {
  const r = emu.router;
  // The version check every registry client starts with.
  r.get('/v2/', () => ({ body: {}, headers: API_VERSION }));
  for (let depth = 1; depth <= MAX_IMAGE_DEPTH; depth++) {
    const image = Array.from({ length: depth }, (_, i) => `{i${i}}`).join('/');
    const base = `/v2/{project}/{repository}/${image}`;
    r.add('HEAD', `${base}/manifests/{reference}`, docker(getManifest));
    r.get(`${base}/manifests/{reference}`, docker(getManifest));
    r.put(`${base}/manifests/{reference}`, docker(putManifest));
    r.delete(`${base}/manifests/{reference}`, docker(deleteManifest));
    r.get(`${base}/tags/list`, docker(listTags));
    r.add(
      'HEAD',
      `${base}/blobs/{digest}`,
      docker((req, t) => getBlob(req, t, dockerError)),
    );
    r.get(
      `${base}/blobs/{digest}`,
      docker((req, t) => getBlob(req, t, dockerError)),
    );
    r.post(
      `${base}/blobs/uploads`,
      docker((req, t) => startBlobUpload(req, t, dockerError)),
    );
    r.patch(
      `${base}/blobs/uploads/{uuid}`,
      docker((req, t) => patchBlobUpload(req, t, dockerError)),
    );
    r.put(
      `${base}/blobs/uploads/{uuid}`,
      docker((req, t) => putBlobUpload(req, t, dockerError)),
    );
    r.get(
      `${base}/blobs/uploads/{uuid}`,
      docker((req, t) => blobUploadStatus(req, t, dockerError)),
    );
    r.delete(
      `${base}/blobs/uploads/{uuid}`,
      docker((req, t) => blobUploadStatus(req, t, dockerError)),
    );
  }
}

/** Resolves the repository, charges the quota, and renders failures in the registry's error shape. */
function docker(handler: DockerHandler) {
  return (req: EmuRequest): EmuResponse => {
    const depth = Object.keys(req.params).filter((k) => /^i\d+$/.test(k)).length;
    const image = Array.from({ length: depth }, (_, i) => req.params[`i${i}`]).join('/');
    const { project: projectId, repository } = req.params;
    const sample = publicSample(req, `${projectId}/${repository}/${image}`);
    if (sample) return sample;
    let project: ReturnType<typeof req.emu.projects.resolve>;
    try {
      project = req.emu.projects.resolve(projectId);
      req.emu.quota.charge('artifactregistry.request', project.projectId, project.projectNumber);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return err.httpCode === 429
        ? dockerError(429, 'TOOMANYREQUESTS', err.message)
        : dockerError(
            403,
            'DENIED',
            `Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "projects/${projectId}/locations/-/repositories/${repository}" (or it may not exist)`,
          );
    }
    const repo = findRepository(req, project.projectId, repository);
    if (!repo) return dockerError(404, 'NAME_UNKNOWN', `Repository "${repository}" not found`);
    if (!image.split('/').every((c) => COMPONENT.test(c))) return dockerError(400, 'NAME_INVALID', 'invalid repository name');
    return handler(req, { repo, project: project.projectId, repository, image });
  };
}

function findRepository(req: EmuRequest, projectId: string, repository: string): StoredRepository | undefined {
  const candidates = Object.values(repositories(req))
    .filter((repo) => repo.format === 'DOCKER' && repo.name.startsWith(`projects/${projectId}/locations/`) && repo.name.endsWith(`/repositories/${repository}`))
    .sort((a, b) => a.name.localeCompare(b.name));
  const host = /^([a-z0-9-]+)-docker\.pkg\.dev(?::\d+)?$/.exec(String(req.headers.host ?? ''));
  if (host) return candidates.find((repo) => repo.name === `projects/${projectId}/locations/${host[1]}/repositories/${repository}`);
  return candidates[0];
}

/** Google's public sample repositories (anyone may pull them; no project of the emulator holds them). */
const PUBLIC_SAMPLES = ['cloudrun/container/', 'google-samples/'];

/**
 * Pulls of a public sample image (us-docker.pkg.dev/cloudrun/container/hello, ...): every tag names
 * one fixed stand-in manifest, so a tag resolves to a digest as it does on Google; pushes are denied.
 */
function publicSample(req: EmuRequest, path: string): EmuResponse | undefined {
  if (!PUBLIC_SAMPLES.some((p) => `${path}/`.startsWith(p) && path.length > p.length)) return undefined;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_V2_MANIFEST,
      config: { size: 0, digest: `sha256:${'0'.repeat(64)}` },
      layers: [],
      annotations: { sample: path },
    }),
  );
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const { reference } = req.params;
  if (req.route.includes('/tags/list')) return { body: { name: path, tags: ['latest'] }, headers: API_VERSION };
  if (!req.route.includes('/manifests/') || (req.method !== 'GET' && req.method !== 'HEAD')) {
    return dockerError(403, 'DENIED', `Permission "artifactregistry.repositories.uploadArtifacts" denied on resource "${path}" (or it may not exist)`);
  }
  if (DIGEST.test(reference) && reference !== digest) return dockerError(404, 'MANIFEST_UNKNOWN', `Failed to fetch "${reference}"`);
  return {
    status: 200,
    rawBody: manifest,
    headers: { ...API_VERSION, 'content-type': DOCKER_V2_MANIFEST, 'docker-content-digest': digest, etag: `"${digest}"` },
  };
}

function dockerError(status: number, code: string, message: string, detail?: Record<string, unknown>): EmuResponse {
  return { status, body: { errors: [{ code, message, ...(detail ? { detail } : {}) }] }, headers: API_VERSION };
}

function imagesOf(ctx: { emu: Emulator }, t: ManifestTarget): StoredDockerImage[] {
  return Object.values(dockerImages(ctx)).filter((img) => img.repository === t.repo.name && img.image === t.image);
}

/** A tag or a digest, as the registry resolves a reference. */
function findManifest(req: EmuRequest, t: Target, reference: string): StoredDockerImage | undefined {
  return imagesOf(req, t).find((img) => (DIGEST.test(reference) ? img.digest === reference : img.tags.includes(reference)));
}

function getManifest(req: EmuRequest, t: Target): EmuResponse {
  const { reference } = req.params;
  const img = findManifest(req, t, reference);
  if (!img) {
    return dockerError(
      404,
      'MANIFEST_UNKNOWN',
      `Failed to fetch "${reference}" from request "/v2/${t.project}/${t.repository}/${t.image}/manifests/${reference}".`,
    );
  }
  const manifest = Buffer.from(img.manifest, 'base64');
  // HEAD gets the same headers and no body (Node drops it for HEAD requests).
  return {
    status: 200,
    rawBody: manifest,
    headers: { ...API_VERSION, 'content-type': img.mediaType, 'docker-content-digest': img.digest, etag: `"${img.digest}"` },
  };
}

/** PUT .../manifests/REF: the last step of a push. */
function putManifest(req: EmuRequest, t: Target): EmuResponse {
  const { reference } = req.params;
  const stored = storeManifest(req.emu, t, reference, req.raw, String(req.headers['content-type'] ?? ''));
  if ('error' in stored) return stored.error;
  return {
    status: 201,
    rawBody: Buffer.alloc(0),
    headers: { ...API_VERSION, location: `/v2/${t.project}/${t.repository}/${t.image}/manifests/${stored.digest}`, 'docker-content-digest': stored.digest },
  };
}

/** Where a manifest goes: the repository, and the image path inside it. */
export interface ManifestTarget {
  repo: StoredRepository;
  image: string;
}

/**
 * Stores a manifest under a tag or its digest (a push, or a stand-in image the emulator seeds). Its
 * digest is the sha256 of the bytes as sent; a tag moves from whatever image it named before.
 */
export function storeManifest(
  emu: Emulator,
  t: ManifestTarget,
  reference: string,
  raw: Buffer,
  contentTypeHeader: string,
): { digest: string } | { error: EmuResponse } {
  const ctx = { emu };
  let manifest: {
    schemaVersion?: number;
    mediaType?: string;
    config?: { size?: number; digest?: string };
    layers?: Array<{ size?: number; digest?: string }>;
    manifests?: Array<{ size?: number; digest?: string }>;
    annotations?: Record<string, string>;
  };
  try {
    manifest = JSON.parse(raw.toString('utf8'));
  } catch {
    return { error: dockerError(400, 'MANIFEST_INVALID', 'manifest invalid') };
  }
  if (manifest?.schemaVersion !== 2) return { error: dockerError(400, 'MANIFEST_INVALID', 'manifest invalid') };
  // "If one or more layers are unknown to the registry, BLOB_UNKNOWN errors are returned. The detail
  // field of the error response will have a digest field identifying the missing blob." (registry
  // API v2, PUT manifest). Image indexes name manifests, which must have been pushed.
  const missing = referencedDigests(manifest).filter((d) => !blobExists(emu, t.repo.name, d));
  const children = (manifest.manifests ?? []) as Array<{ digest?: string }>;
  const missingChildren = children
    .map((m) => m.digest)
    .filter((d): d is string => typeof d === 'string' && !Object.values(dockerImages(ctx)).some((img) => img.repository === t.repo.name && img.digest === d));
  if (missing.length > 0 || missingChildren.length > 0) {
    return {
      error: {
        status: 400,
        body: {
          errors: [
            ...missing.map((digest) => ({ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest } })),
            ...missingChildren.map((digest) => ({ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest } })),
          ],
        },
        headers: API_VERSION,
      },
    };
  }
  const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const isDigest = reference.startsWith('sha256:');
  if (isDigest && reference !== digest) return { error: dockerError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content') };
  if (!isDigest && !TAG.test(reference)) return { error: dockerError(400, 'TAG_INVALID', 'manifest tag did not match URI') };

  const contentType = contentTypeHeader.split(';')[0].trim();
  const mediaType = MANIFEST_TYPES.has(contentType) ? contentType : (manifest.mediaType ?? DOCKER_V2_MANIFEST);
  const parts = [manifest.config, ...(manifest.layers ?? []), ...(manifest.manifests ?? [])];
  const size = parts.reduce((sum, p) => sum + Number(p?.size ?? 0), 0);
  const now = emu.clock.iso();
  const images = dockerImages(ctx);
  const key = imageKey(t.repo.name, t.image, digest);
  const img: StoredDockerImage = images[key] ?? {
    repository: t.repo.name,
    image: t.image,
    digest,
    manifest: raw.toString('base64'),
    mediaType,
    tags: [],
    imageSizeBytes: size,
    uploadTime: now,
    updateTime: now,
    buildTime: manifest.annotations?.['org.opencontainers.image.created'],
  };
  if (!isDigest && !img.tags.includes(reference)) {
    for (const other of imagesOf(ctx, t)) {
      if (other.tags.includes(reference)) {
        other.tags = other.tags.filter((tag) => tag !== reference);
        other.updateTime = now;
      }
    }
    img.tags = [...img.tags, reference].sort();
    img.updateTime = now;
  }
  images[key] = img;
  return { digest };
}

/** By digest, deletes the image; by tag, removes only the tag (the OCI distribution spec allows both). */
function deleteManifest(req: EmuRequest, t: Target): EmuResponse {
  const { reference } = req.params;
  const img = findManifest(req, t, reference);
  if (!img)
    return dockerError(
      404,
      'MANIFEST_UNKNOWN',
      `Failed to fetch "${reference}" from request "/v2/${t.project}/${t.repository}/${t.image}/manifests/${reference}".`,
    );
  if (DIGEST.test(reference)) delete dockerImages(req)[imageKey(img.repository, img.image, img.digest)];
  else img.tags = img.tags.filter((tag) => tag !== reference);
  return { status: 202, rawBody: Buffer.alloc(0), headers: API_VERSION };
}

function listTags(req: EmuRequest, t: Target): EmuResponse {
  const images = imagesOf(req, t);
  if (images.length === 0) return dockerError(404, 'NAME_UNKNOWN', `Repository "${t.repository}" not found`);
  const tags = images.flatMap((img) => img.tags).sort();
  return { body: { name: `${t.project}/${t.repository}/${t.image}`, tags }, headers: API_VERSION };
}
