// Resolving a container image tag to its digest through the Docker Registry API v2 of Artifact
// Registry (HEAD .../manifests/TAG -> Docker-Content-Digest), so that a new image pushed under the
// same tag shows in the plan and rolls out a new revision. Only Artifact Registry hosts
// (LOCATION-docker.pkg.dev) are resolved; other registries are deployed by tag.
import { UserError } from '../errors.js';
import type { ApiCaller } from './api-call.js';
import type { ClientFactory } from './clients.js';
import { head, RedirectError } from './http-head.js';

/** The Accept header of a manifest HEAD: the index and manifest media types a tag may point at. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface ImageRef {
  host: string;
  /** project/repository/image... */
  path: string;
  tag: string;
}

/** An Artifact Registry image given by tag (not already pinned to a digest). */
export function parseArtifactRegistryImage(image: string): ImageRef | undefined {
  if (image.includes('@')) return undefined;
  const m = /^([a-z0-9-]+-docker\.pkg\.dev)\/([a-z0-9-]+\/[a-z0-9._-]+(?:\/[a-z0-9._-]+)+)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$/.exec(image);
  if (!m) return undefined;
  return { host: m[1], path: m[2], tag: m[3] ?? 'latest' };
}

/** The registry refused to say what a tag points at: a user's matter (a typo, a permission), exit 1. */
export class RegistryError extends UserError {}

/** The digest the tag points at now, or undefined when the registry has no such image. */
export async function resolveDigest(image: string, clients: ClientFactory, api: ApiCaller): Promise<string | undefined> {
  const ref = parseArtifactRegistryImage(image);
  if (!ref) return undefined;
  const target = clients.target;
  const base = target.kind === 'emulator' ? target.url.origin : `https://${ref.host}`;
  const url = `${base}/v2/${ref.path}/manifests/${ref.tag}`;
  const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
  if (target.kind === 'google') headers.authorization = `Bearer ${await clients.accessToken()}`;
  const res = await api
    .call({ quota: 'artifactregistry.request', scope: target.project, what: `resolve ${image}` }, async () => {
      const r = await head(url, headers);
      // 429 and 5xx are retried like any call; the error carries the status the retry logic reads.
      if (r.status === 429 || r.status >= 500) throw Object.assign(new Error(`${r.status} from ${url}`), { code: r.status });
      return r;
    })
    .catch((err: unknown) => {
      if (!(err instanceof RedirectError)) throw err;
      throw new RegistryError(
        `cannot resolve ${image} to a digest: ${err.message}`,
        'Check the image name and the registry, or set imagePolicy: tag on the service to deploy it by tag.',
      );
    });
  if (res.status === 404) return undefined;
  if (res.status < 200 || res.status > 299) {
    const why = res.status === 401 || res.status === 403 ? 'the credentials cannot read it, or its project is not the one you meant' : 'see the status';
    throw new RegistryError(
      `cannot resolve ${image} to a digest: the registry answered ${res.status} (${why})`,
      'Check the image name, grant roles/artifactregistry.reader on its repository, or set imagePolicy: tag on the service to deploy it by tag.',
    );
  }
  // Node joins a repeated header into one string ("a, b"), which is no digest either.
  const given = res.headers['docker-content-digest'];
  const digest = typeof given === 'string' ? given : undefined;
  if (!digest || !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new RegistryError(`cannot resolve ${image}: the registry sent no digest`);
  return digest;
}

/** image:tag@sha256:... keeps the tag readable in plans and the console, and pins the digest. */
export const pinned = (image: string, digest: string): string => `${image}@${digest}`;
