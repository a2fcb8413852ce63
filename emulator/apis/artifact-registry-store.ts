// Artifact Registry state shared by the repository and Docker modules: repositories keyed by full
// name (`projects/PROJECT_ID/locations/L/repositories/R`; Artifact Registry names projects by id,
// not by number) and Docker images keyed by repository, image path and digest.

import type { Emulator } from '../emulator.js';
import { notFound } from '../errors.js';
import type { Project } from '../projects.js';
import type { EmuRequest } from '../router.js';

export const AR = 'google.devtools.artifactregistry.v1';
export const REPOSITORY_TYPE = `type.googleapis.com/${AR}.Repository`;

/** A repository in canonical form (enum names); sizeBytes is computed from its images on read. */
export type StoredRepository = Record<string, any> & { name: string; format: string };

export interface StoredDockerImage {
  /** Full repository name the image belongs to. */
  repository: string;
  /** Image path inside the repository; may hold slashes (team/app). */
  image: string;
  digest: string;
  /** The manifest exactly as pushed (base64), so its sha256 stays its digest. */
  manifest: string;
  mediaType: string;
  tags: string[];
  imageSizeBytes: number;
  uploadTime: string;
  updateTime: string;
  buildTime?: string;
}

/** Anything that carries the emulator: a request, or `{emu}` in hooks and other APIs. */
type WithEmulator = { emu: Emulator };

export function repositories(ctx: WithEmulator): Record<string, StoredRepository> {
  return ctx.emu.store.collection<StoredRepository>('artifactregistry.repositories');
}

export function dockerImages(ctx: WithEmulator): Record<string, StoredDockerImage> {
  return ctx.emu.store.collection<StoredDockerImage>('artifactregistry.dockerImages');
}

export const imageKey = (repository: string, image: string, digest: string): string => `${repository}|${image}@${digest}`;

/** Resolves {project} (id or number) and charges Artifact Registry's per-project request quota. */
export function projectFor(req: EmuRequest): Project {
  const project = req.emu.projects.resolve(req.params.project);
  req.emu.quota.charge('artifactregistry.request', project.projectId, project.projectNumber);
  return project;
}

export const parentName = (project: Project, location: string): string => `projects/${project.projectId}/locations/${location}`;

/** Google's 404 for every missing Artifact Registry resource ("Requested entity was not found."). */
export const entityNotFound = () => notFound('Requested entity was not found.');

/** The repository the {project}/{location}/{repository} path variables name, or 404. */
export function repositoryFor(req: EmuRequest): StoredRepository {
  const project = projectFor(req);
  const name = `${parentName(project, req.params.location)}/repositories/${req.params.repository}`;
  const found = repositories(req)[name];
  if (!found) throw entityNotFound();
  return found;
}

/** The hostname Google serves a repository's packages from, e.g. us-central1-docker.pkg.dev. */
export function registryHost(location: string, format: string): string {
  return `${location}-${format.toLowerCase()}.pkg.dev`;
}

/** Splits a repository name into its parts. */
export function repositoryParts(name: string): { project: string; location: string; repository: string } {
  const [, project, , location, , repository] = name.split('/');
  return { project, location, repository };
}

/** The repository as Google answers it: stored fields plus the size of everything in it. */
export function renderRepository(req: EmuRequest, repo: StoredRepository): Record<string, unknown> {
  const size = Object.values(dockerImages(req))
    .filter((img) => img.repository === repo.name)
    .reduce((sum, img) => sum + img.imageSizeBytes, 0);
  return { ...repo, sizeBytes: String(size) };
}
