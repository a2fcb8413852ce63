// Artifact Registry v1: repositories and their IAM policies, and the long-running operations the
// client polls (gcp-api-facts.md §6; fields from google.devtools.artifactregistry.v1). Create and
// delete answer an Operation (response Repository / Empty, metadata OperationMetadata) that
// completes after options.operationMs; patch is synchronous. Docker images and the Docker
// Registry v2 API are in artifact-registry-docker.ts.

import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { alreadyExists, invalidArgument } from '../errors.js';
import { renderOperation } from '../operations.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { registerDockerImages } from './artifact-registry-docker.js';
import { pushPendingImages } from './artifact-registry-seed.js';
import { checkRepositorySettings, scanningState } from './artifact-registry-settings.js';
import {
  AR,
  entityNotFound,
  parentName,
  projectFor,
  REPOSITORY_TYPE,
  registryHost,
  renderRepository,
  repositories,
  repositoryFor,
  repositoryParts,
  type StoredRepository,
} from './artifact-registry-store.js';
import { getPath, paginate, parseMask, setPath, wire } from './common.js';
import { CLOUD_RUN_REGIONS } from './run-urls.js';

const LOCATION = '/v1/projects/{project}/locations/{location}';

const CREATE_HOOK = 'artifactregistry.createRepository';
/** Artifact Registry's own operations: Cloud Run's, under the same parent names, are not found here. */
const arOperations = (emu: Emulator) => emu.operations.forApi('artifactregistry.googleapis.com');
const DELETE_HOOK = 'artifactregistry.deleteRepository';
const METADATA = { '@type': `type.googleapis.com/${AR}.OperationMetadata` };

export function registerArtifactRegistry(emu: Emulator): void {
  const r = emu.router;
  registerRpcs(emu, '@google-cloud/artifact-registry', `${AR}.ArtifactRegistry`, {
    CreateRepository: createRepository,
    ListRepositories: listRepositories,
    GetRepository: (req) => wire(req, `${AR}.Repository`, renderRepository(req, repositoryFor(req))),
    UpdateRepository: updateRepository,
    DeleteRepository: deleteRepository,
    GetIamPolicy: (req) => wire(req, 'google.iam.v1.Policy', req.emu.policies.get(repositoryFor(req).name)),
    SetIamPolicy: setIamPolicy,
    TestIamPermissions: [testIamPermissions, { mutates: false }],
  });
  // Operations and locations are mixins (google.longrunning, google.cloud.location) with no rule in these protos.
  r.get(`${LOCATION}/operations/{operation}`, getOperation);
  // Where repositories can be: `gcloud artifacts repositories list` without --location asks (v1beta2).
  for (const version of ['v1', 'v1beta2']) r.get(`/${version}/projects/{project}/locations`, listLocations);

  // The repository appears when its creation completes, and goes when its deletion does, images,
  // grants and all. Hooks get the request-free part of the state through the emulator.
  emu.operations.onComplete(CREATE_HOOK, (arg: { name: string; repository: Record<string, unknown> }) => {
    const now = emu.clock.iso();
    const repo = { ...arg.repository, name: arg.name, createTime: now, updateTime: now } as unknown as StoredRepository;
    emu.store.collection<StoredRepository>('artifactregistry.repositories')[arg.name] = repo;
    pushPendingImages(emu, arg.name);
    return { response: { '@type': REPOSITORY_TYPE, ...repo } };
  });
  emu.operations.onComplete(DELETE_HOOK, (arg: { name: string }) => {
    delete emu.store.collection('artifactregistry.repositories')[arg.name];
    const images = emu.store.collection<{ repository: string }>('artifactregistry.dockerImages');
    for (const [key, img] of Object.entries(images)) if (img.repository === arg.name) delete images[key];
    emu.policies.delete(arg.name);
    return { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
  });

  registerDockerImages(emu);
}

/** "Repository names can only contain lowercase letters, numbers, and hyphens, must begin with a letter, and cannot end with a hyphen", up to 63. */
const REPOSITORY_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function createRepository(req: EmuRequest): EmuResponse {
  const project = projectFor(req);
  const parent = parentName(project, req.params.location);
  const repositoryId = req.query.get('repositoryId') ?? req.query.get('repository_id') ?? '';
  if (!REPOSITORY_ID.test(repositoryId)) {
    // [G] wording; the rule is the one Google documents.
    throw invalidArgument(
      `Invalid repository ID "${repositoryId}": it must start with a lowercase letter, contain only lowercase letters, numbers and hyphens, not end with a hyphen, and be at most 63 characters long.`,
      'repository_id',
    );
  }
  const body = decode(`${AR}.Repository`, req.body ?? {}, 'repository');
  if (!body.format || body.format === 'FORMAT_UNSPECIFIED') throw invalidArgument('Repository format must be specified.', 'repository.format'); // [G]
  const name = `${parent}/repositories/${repositoryId}`;
  const creating = arOperations(req.emu)
    .list(parent)
    .some((op) => !op.done && op.hook === CREATE_HOOK && (op.hookArg as { name: string }).name === name);
  // gcloud shows this one as "ALREADY_EXISTS: the repository already exists".
  if (repositories(req)[name] || creating) throw alreadyExists('the repository already exists');

  const { location } = repositoryParts(name);
  const repository: Record<string, unknown> = {
    mode: 'STANDARD_REPOSITORY',
    ...body,
    name,
    registryUri: `${registryHost(location, body.format)}/${project.projectId}/${repositoryId}`,
  };
  delete repository.sizeBytes;
  checkRepositorySettings(repository);
  scanningState(repository);
  const op = arOperations(req.emu).start(parent, { metadata: METADATA, hook: CREATE_HOOK, hookArg: { name, repository } });
  return { body: renderOperation(op, req.enumInt) };
}

function listRepositories(req: EmuRequest): EmuResponse {
  const prefix = `${parentName(projectFor(req), req.params.location)}/repositories/`;
  const filter = nameFilter(req.query.get('filter'));
  const repos = Object.values(repositories(req))
    .filter((repo) => repo.name.startsWith(prefix) && filter(repo.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  // "Maximum page size is 1,000."
  const { page, nextPageToken } = paginate(repos, req.query, { defaultSize: 1000, maxSize: 1000 });
  return wire(req, `${AR}.ListRepositoriesResponse`, { repositories: page.map((repo) => renderRepository(req, repo)), nextPageToken });
}

/** The filter ListRepositories documents: `name="projects/p/locations/l/repositories/r"`, `*` as a wildcard. */
function nameFilter(filter: string | null): (name: string) => boolean {
  if (!filter?.trim()) return () => true;
  const m = /^\s*name\s*=\s*"([^"]*)"\s*$/.exec(filter);
  if (!m) throw invalidArgument(`Invalid filter: ${filter}`, 'filter');
  const pattern = new RegExp(
    `^${m[1]
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (name) => pattern.test(name);
}

/** Fields a patch may change. `format`, `mode` and `kmsKeyName` are fixed at creation. */
const MUTABLE = new Set([
  'description',
  'labels',
  'cleanupPolicies',
  'cleanupPolicyDryRun',
  'dockerConfig',
  'mavenConfig',
  'virtualRepositoryConfig',
  'remoteRepositoryConfig',
  'vulnerabilityScanningConfig',
  'disallowUnspecifiedMode',
]);
const IMMUTABLE = new Set(['format', 'mode', 'kmsKeyName']);
const OUTPUT_ONLY = new Set(['name', 'createTime', 'updateTime', 'sizeBytes', 'satisfiesPzs', 'satisfiesPzi', 'registryUri']);

function updateRepository(req: EmuRequest): EmuResponse {
  const current = repositoryFor(req);
  const body = decode(`${AR}.Repository`, req.body ?? {}, 'repository');
  const rawMask = req.query.get('updateMask') ?? req.query.get('update_mask');
  // AIP-134: without a mask, the fields the body populates are the mask.
  const paths = rawMask !== null ? parseMask(rawMask) : Object.keys(body);
  const next: Record<string, any> = structuredClone(current);
  for (const path of paths) {
    const top = path.split('.')[0];
    if (OUTPUT_ONLY.has(top)) continue;
    if (IMMUTABLE.has(top)) {
      // AIP-203: an immutable field may be named, not changed. [G: wording]
      const sent = getPath(body, path);
      if (sent !== undefined && JSON.stringify(sent) !== JSON.stringify(getPath(current, path))) {
        throw invalidArgument(`Field "${path}" is immutable and cannot be updated.`, `repository.${path}`);
      }
      continue;
    }
    if (!MUTABLE.has(top)) throw invalidArgument(`Invalid update mask path: ${path}`, 'update_mask');
    setPath(next, path, getPath(body, path));
  }
  checkRepositorySettings(next);
  scanningState(next);
  next.updateTime = req.emu.clock.iso();
  repositories(req)[current.name] = next as StoredRepository;
  return wire(req, `${AR}.Repository`, renderRepository(req, next as StoredRepository));
}

function deleteRepository(req: EmuRequest): EmuResponse {
  const repo = repositoryFor(req);
  const parent = repo.name.split('/repositories/')[0];
  const op = arOperations(req.emu).start(parent, { metadata: METADATA, hook: DELETE_HOOK, hookArg: { name: repo.name } });
  return { body: renderOperation(op, req.enumInt) };
}

/** Artifact Registry's locations: the multi-regions and every region (Cloud Run's list of regions here). */
const AR_LOCATIONS = ['asia', 'europe', 'us', ...[...CLOUD_RUN_REGIONS].sort()];

function listLocations(req: EmuRequest): EmuResponse {
  const project = projectFor(req);
  const all = AR_LOCATIONS.map((l) => ({ name: `projects/${project.projectId}/locations/${l}`, locationId: l }));
  const { page, nextPageToken } = paginate(all, req.query, { defaultSize: 1000, maxSize: 1000 });
  // google.cloud.location.ListLocationsResponse (no package ships its proto): plain proto3 JSON.
  return { body: { locations: page, ...(nextPageToken ? { nextPageToken } : {}) } };
}

function getOperation(req: EmuRequest): EmuResponse {
  const project = projectFor(req);
  const op = arOperations(req.emu).get(`${parentName(project, req.params.location)}/operations/${req.params.operation}`);
  if (!op) throw entityNotFound();
  return { body: renderOperation(op, req.enumInt) };
}

function setIamPolicy(req: EmuRequest): EmuResponse {
  const body = decode('google.iam.v1.SetIamPolicyRequest', req.body ?? {}, '');
  const repo = repositoryFor(req);
  return wire(req, 'google.iam.v1.Policy', req.emu.policies.set(repo.name, body.policy ?? {}, { dialect: 'google' }));
}

/** The emulator's caller holds every Artifact Registry permission on the repository. */
function testIamPermissions(req: EmuRequest): EmuResponse {
  const body = decode('google.iam.v1.TestIamPermissionsRequest', req.body ?? {}, '');
  repositoryFor(req);
  const permissions = ((body.permissions ?? []) as string[]).filter((p) => p.startsWith('artifactregistry.'));
  return wire(req, 'google.iam.v1.TestIamPermissionsResponse', { permissions });
}
