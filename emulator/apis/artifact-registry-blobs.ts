// Blob uploads of the Docker Registry HTTP API v2 (docker/distribution's spec, which Artifact
// Registry serves and the OCI distribution spec keeps): monolithic (POST .../blobs/uploads/?digest=D
// with the bytes), or a session (POST .../blobs/uploads/ -> 202 Location, PATCH chunks, PUT ?digest=D
// to close), HEAD/GET .../blobs/D, and cross-repository mounts within a repository. Blobs are kept
// per Artifact Registry repository; a manifest may only name blobs its repository holds.
import { createHash, randomUUID } from 'node:crypto';
import type { Emulator } from '../emulator.js';
import type { EmuRequest, EmuResponse } from '../router.js';

const BLOBS = 'artifactregistry.blobs';
const UPLOADS = 'artifactregistry.blobUploads';
const DIGEST = /^sha256:[a-f0-9]{64}$/;

interface StoredBlob {
  size: number;
  /** Content, base64. */
  data: string;
}

interface BlobUpload {
  repository: string;
  received: string;
}

export interface BlobTarget {
  repo: { name: string };
  project: string;
  repository: string;
  image: string;
}

type Reply = (status: number, code: string, message: string, detail?: Record<string, unknown>) => EmuResponse;

const blobs = (emu: Emulator) => emu.store.collection<StoredBlob>(BLOBS);
const uploads = (emu: Emulator) => emu.store.collection<BlobUpload>(UPLOADS);
const key = (repository: string, digest: string) => `${repository}|${digest}`;
export const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export function blobExists(emu: Emulator, repository: string, digest: string): boolean {
  return blobs(emu)[key(repository, digest)] !== undefined;
}

/** Keeps `data` as a blob of the repository; returns its digest. */
export function storeBlob(emu: Emulator, repository: string, data: Buffer): string {
  const digest = sha256(data);
  blobs(emu)[key(repository, digest)] = { size: data.length, data: data.toString('base64') };
  return digest;
}

const base = (t: BlobTarget) => `/v2/${t.project}/${t.repository}/${t.image}`;
const HEADERS = { 'docker-distribution-api-version': 'registry/2.0' };

function created(t: BlobTarget, digest: string): EmuResponse {
  return { status: 201, rawBody: Buffer.alloc(0), headers: { ...HEADERS, location: `${base(t)}/blobs/${digest}`, 'docker-content-digest': digest } };
}

function accepted(t: BlobTarget, id: string, size: number): EmuResponse {
  return {
    status: 202,
    rawBody: Buffer.alloc(0),
    headers: { ...HEADERS, location: `${base(t)}/blobs/uploads/${id}`, 'docker-upload-uuid': id, range: `0-${Math.max(0, size - 1)}` },
  };
}

/** HEAD/GET .../blobs/DIGEST */
export function getBlob(req: EmuRequest, t: BlobTarget, error: Reply): EmuResponse {
  const blob = blobs(req.emu)[key(t.repo.name, req.params.digest)];
  if (!blob) return error(404, 'BLOB_UNKNOWN', 'blob unknown to registry', { digest: req.params.digest });
  return {
    status: 200,
    rawBody: Buffer.from(blob.data, 'base64'),
    headers: { ...HEADERS, 'content-type': 'application/octet-stream', 'docker-content-digest': req.params.digest },
  };
}

/** POST .../blobs/uploads/: monolithic with ?digest=, a mount with ?mount=&from=, else a new session. */
export function startBlobUpload(req: EmuRequest, t: BlobTarget, error: Reply): EmuResponse {
  const mount = req.query.get('mount');
  if (mount && blobExists(req.emu, t.repo.name, mount)) return created(t, mount);
  const digest = req.query.get('digest');
  if (digest) return finishBlob(req, t, req.raw, digest, error);
  const id = randomUUID();
  uploads(req.emu)[id] = { repository: t.repo.name, received: '' };
  return accepted(t, id, 0);
}

function session(req: EmuRequest, t: BlobTarget): BlobUpload | undefined {
  const upload = uploads(req.emu)[req.params.uuid];
  return upload?.repository === t.repo.name ? upload : undefined;
}

/** PATCH .../blobs/uploads/UUID: the next chunk (Content-Range start-end, when given, must follow on). */
export function patchBlobUpload(req: EmuRequest, t: BlobTarget, error: Reply): EmuResponse {
  const upload = session(req, t);
  if (!upload) return error(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
  const received = Buffer.from(upload.received, 'base64');
  const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
  if (range && Number(range[1]) !== received.length) return error(416, 'BLOB_UPLOAD_INVALID', 'blob upload invalid: chunk out of order');
  const all = Buffer.concat([received, req.raw]);
  upload.received = all.toString('base64');
  return accepted(t, req.params.uuid, all.length);
}

/** PUT .../blobs/UUID?digest=D: the last chunk (maybe empty), checked against the digest. */
export function putBlobUpload(req: EmuRequest, t: BlobTarget, error: Reply): EmuResponse {
  const upload = session(req, t);
  if (!upload) return error(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
  const digest = req.query.get('digest') ?? '';
  const data = Buffer.concat([Buffer.from(upload.received, 'base64'), req.raw]);
  const answer = finishBlob(req, t, data, digest, error);
  if (answer.status === 201) delete uploads(req.emu)[req.params.uuid];
  return answer;
}

/** GET .../blobs/uploads/UUID: how far the session got. DELETE cancels it. */
export function blobUploadStatus(req: EmuRequest, t: BlobTarget, error: Reply): EmuResponse {
  const upload = session(req, t);
  if (!upload) return error(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
  if (req.method === 'DELETE') {
    delete uploads(req.emu)[req.params.uuid];
    return { status: 204, headers: HEADERS };
  }
  const size = Buffer.from(upload.received, 'base64').length;
  return { status: 204, headers: { ...HEADERS, range: `0-${Math.max(0, size - 1)}`, 'docker-upload-uuid': req.params.uuid } };
}

function finishBlob(req: EmuRequest, t: BlobTarget, data: Buffer, digest: string, error: Reply): EmuResponse {
  if (!DIGEST.test(digest)) return error(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
  if (sha256(data) !== digest) return error(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', { digest });
  storeBlob(req.emu, t.repo.name, data);
  return created(t, digest);
}

/** The blobs (config, layers) and child manifests a manifest names. */
export function referencedDigests(manifest: { config?: { digest?: string }; layers?: Array<{ digest?: string }> }): string[] {
  return [manifest.config?.digest, ...(manifest.layers ?? []).map((l) => l.digest)].filter((d): d is string => typeof d === 'string');
}
