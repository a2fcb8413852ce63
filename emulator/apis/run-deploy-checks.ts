// What Cloud Run checks when it deploys a revision (or starts an execution) and refuses then: the
// call is accepted, the long-running operation ends with an error, and the resource's
// terminalCondition says why (latestCreatedRevision != latestReadyRevision for a service).
// - "The container image is imported by Cloud Run when deployed" (Cloud Run, "Deploying container
//   images"): an image in an Artifact Registry host of a project the emulator holds must have been
//   pushed, under that tag or digest. Images elsewhere (Docker Hub, projects the emulator has never
//   seen) are taken as they are, and so are Google's public sample images.
// - "all secrets used ... are checked ... If any check fails, the service deployment fails"
//   (Cloud Run, "Configure secrets for services"): the secret and version exist, are enabled, and
//   the runtime service account may access them.
// - Cloud Storage FUSE mounts the bucket when an instance starts (Cloud Run, "Configure Cloud Storage
//   volume mounts"): a bucket that does not exist, or that the runtime service account may not read,
//   keeps the instance from starting, so the revision never becomes ready [G: the wording is ours].
// The runtime service account itself is checked synchronously (403), see checkRuntimeServiceAccount.
import type { Emulator } from '../emulator.js';
import { ApiError } from '../errors.js';
import type { Policy } from '../iam-policy.js';
import { dockerImages, repositories } from './artifact-registry-store.js';
import { allSecrets, resolveVersion } from './secret-manager-store.js';
import { bucketPolicyKey, buckets } from './storage-model.js';

/**
 * Google's public sample images (the Cloud Run quickstarts deploy us-docker.pkg.dev/cloudrun/container/hello
 * and .../job), always there, so examples run against the emulator as they do against Google.
 */
const PUBLIC_SAMPLE_IMAGES = ['us-docker.pkg.dev/cloudrun/container/', 'gcr.io/cloudrun/', 'us-docker.pkg.dev/google-samples/', 'gcr.io/google-samples/'];

/** Roles that carry secretmanager.versions.access (Secret Manager's access-control page). */
const SECRET_ACCESS_ROLES = new Set(['roles/secretmanager.secretAccessor', 'roles/secretmanager.admin', 'roles/owner']);

export interface DeployFailure {
  /** The reasons, one per line, after "Revision 'X' is not ready and cannot serve traffic. " */
  reasons: string[];
  /** google.rpc.Code of the failed operation. */
  code: number;
}

export interface RevisionUnderCheck {
  containers: any[];
  volumes?: any[];
  serviceAccount: string;
  projectId: string;
  projectNumber: string;
  /** Where the revision's spec sits in Google's (Knative-style) messages: "spec.template.spec" for a service. */
  specPath: string;
}

/** Why the revision cannot become ready, or undefined when it can. */
export function deployFailure(emu: Emulator, rev: RevisionUnderCheck): DeployFailure | undefined {
  const images = rev.containers.map((c) => String(c.image ?? '')).filter((image) => !imageAvailable(emu, image));
  // [V] "Revision 'handle-it-server-00042-fow' is not ready and cannot serve traffic. Image 'gcr.io/handleit-349522/handle-it-server:latest' not found."
  if (images.length > 0) return { reasons: [`Image '${images[0]}' not found.`], code: 9 };
  const secrets = secretProblems(emu, rev);
  // [V] Terraform reports these as "Error code 13, message: Revision '...' is not ready ..."
  if (secrets.length > 0) return { reasons: secrets, code: 13 };
  const mounts = bucketProblems(emu, rev);
  if (mounts.length > 0) return { reasons: mounts, code: 9 };
  return undefined;
}

/** Roles that carry storage.objects.get (Cloud Storage's IAM roles page), and storage.objects.create too. */
const BUCKET_READ_ROLES = new Set([
  'roles/storage.objectViewer',
  'roles/storage.objectUser',
  'roles/storage.objectAdmin',
  'roles/storage.admin',
  'roles/storage.legacyObjectReader',
  'roles/storage.legacyObjectOwner',
  'roles/owner',
  'roles/editor',
]);

/** Cloud Storage FUSE volumes whose bucket is missing or unreadable to the runtime service account. */
function bucketProblems(emu: Emulator, rev: RevisionUnderCheck): string[] {
  const policies = emu.store.collection<Policy>('iam.policies');
  const member = `serviceAccount:${rev.serviceAccount}`;
  const problems: string[] = [];
  (rev.volumes ?? []).forEach((v, k) => {
    const name = v.gcs?.bucket;
    if (!name) return;
    const field = `${rev.specPath}.volumes[${k}].csi.volume_attributes.bucketName`;
    const bucket = buckets(emu)[name];
    if (!bucket) {
      problems.push(`${field}: Cloud Storage bucket '${name}' does not exist.`);
      return;
    }
    const readable = [policies[bucketPolicyKey(name)], policies[`projects/${bucket.projectId}`]].some((policy) =>
      (policy?.bindings ?? []).some((b) => BUCKET_READ_ROLES.has(b.role) && b.members.includes(member) && !b.condition),
    );
    if (!readable)
      problems.push(
        `${field}: the service account ${rev.serviceAccount} cannot read Cloud Storage bucket '${name}' (it needs storage.objects.get and storage.objects.list).`,
      );
  });
  return problems;
}

/** The whole message a failed revision carries. */
export function failureMessage(revisionId: string, failure: DeployFailure): string {
  return `Revision '${revisionId}' is not ready and cannot serve traffic. ${failure.reasons.join('\n')}`;
}

/**
 * The runtime service account must exist: Google answers the create or update with 403
 * "Permission 'iam.serviceaccounts.actAs' denied on service account X (or it may not exist)." [V]
 */
export function checkRuntimeServiceAccount(emu: Emulator, email: string): void {
  if (!emu.policies.serviceAccountUsable(email)) {
    throw new ApiError(403, `Permission 'iam.serviceaccounts.actAs' denied on service account ${email} (or it may not exist).`, 'PERMISSION_DENIED');
  }
}

interface ImageRef {
  host: string;
  project: string;
  /** Repository id in Artifact Registry ("gcr.io" for the gcr.io hosts' repositories). */
  repository: string;
  locations: string[];
  image: string;
  tag?: string;
  digest?: string;
}

/** Parses an image held in Artifact Registry: LOCATION-docker.pkg.dev/P/R/IMAGE or [REGION.]gcr.io/P/IMAGE. */
export function parseHeldImage(image: string): ImageRef | undefined {
  const [withoutDigest, digest] = image.split('@');
  const slash = withoutDigest.indexOf('/');
  if (slash < 0) return undefined;
  const host = withoutDigest.slice(0, slash);
  const rest = withoutDigest.slice(slash + 1);
  const lastColon = rest.lastIndexOf(':');
  const path = lastColon > rest.lastIndexOf('/') ? rest.slice(0, lastColon) : rest;
  const tag = lastColon > rest.lastIndexOf('/') ? rest.slice(lastColon + 1) : undefined;
  const parts = path.split('/');
  const ar = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host);
  if (ar && parts.length >= 3) {
    return { host, project: parts[0], repository: parts[1], locations: [ar[1]], image: parts.slice(2).join('/'), tag, digest };
  }
  // gcr.io hosts are served by Artifact Registry repositories named after the host, in the
  // multi-region of the host (Artifact Registry, "Transition from Container Registry").
  const gcr = /^(?:(us|eu|asia)\.)?gcr\.io$/.exec(host);
  if (gcr && parts.length >= 2) {
    const location = { us: 'us', eu: 'europe', asia: 'asia' }[gcr[1] ?? 'us'] ?? 'us';
    return { host, project: parts[0], repository: host, locations: [location], image: parts.slice(1).join('/'), tag, digest };
  }
  return undefined;
}

/** True when Cloud Run could import this image: not one the emulator holds, or pushed under that tag or digest. */
export function imageAvailable(emu: Emulator, image: string): boolean {
  if (PUBLIC_SAMPLE_IMAGES.some((prefix) => image.startsWith(prefix))) return true;
  const ref = parseHeldImage(image);
  if (!ref) return true;
  const project = emu.projects.find(ref.project);
  if (!project) return true;
  const ctx = { emu };
  const repoNames = ref.locations.map((l) => `projects/${project.projectId}/locations/${l}/repositories/${ref.repository}`);
  const repos = repositories(ctx);
  if (!repoNames.some((name) => repos[name]?.format === 'DOCKER')) return false;
  return Object.values(dockerImages(ctx)).some(
    (img) => repoNames.includes(img.repository) && img.image === ref.image && (ref.digest ? img.digest === ref.digest : img.tags.includes(ref.tag ?? 'latest')),
  );
}

interface SecretUse {
  /** Where it is named, in Google's words: "spec.template.spec.containers[0].env[2].value_from.secret_key_ref.name". */
  field: string;
  secret: string;
  version: string;
}

function secretUses(rev: RevisionUnderCheck): SecretUse[] {
  const uses: SecretUse[] = [];
  rev.containers.forEach((c, i) => {
    (c.env ?? []).forEach((e: any, j: number) => {
      const ref = e.valueSource?.secretKeyRef;
      if (ref?.secret)
        uses.push({ field: `${rev.specPath}.containers[${i}].env[${j}].value_from.secret_key_ref.name`, secret: ref.secret, version: ref.version || 'latest' });
    });
  });
  (rev.volumes ?? []).forEach((v, k) => {
    const source = v.secret;
    if (!source?.secret) return;
    const items: any[] = source.items?.length ? source.items : [{ version: 'latest' }];
    for (const item of items)
      uses.push({ field: `${rev.specPath}.volumes[${k}].secret.secret_name`, secret: source.secret, version: item.version || 'latest' });
  });
  return uses;
}

function secretProblems(emu: Emulator, rev: RevisionUnderCheck): string[] {
  const problems: string[] = [];
  for (const use of secretUses(rev)) {
    // A secret is named by id (same project) or projects/P/secrets/S (P an id or a number).
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(use.secret);
    const project = m ? emu.projects.find(m[1]) : { projectId: rev.projectId, projectNumber: rev.projectNumber };
    const secretId = m ? m[2] : use.secret;
    const name = `projects/${project?.projectNumber ?? m?.[1]}/secrets/${secretId}`;
    const versionName = `${name}/versions/${use.version}`;
    const secret = project ? allSecrets({ emu })[name] : undefined;
    if (!secret) {
      problems.push(`${use.field}: Secret ${versionName} was not found`); // [G] wording
      continue;
    }
    let state: string;
    try {
      state = resolveVersion(secret, use.version).resource.state;
    } catch {
      problems.push(`${use.field}: Secret ${versionName} was not found`); // [G] wording
      continue;
    }
    if (!mayAccess(emu, rev.serviceAccount, name, project!.projectId)) {
      // [V] Google's words, as Terraform and gcloud users quote them.
      problems.push(
        `${use.field}: Permission denied on secret: ${versionName} for Revision service account ${rev.serviceAccount}. The service account used must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project or higher level.`,
      );
      continue;
    }
    if (state !== 'ENABLED') problems.push(`${use.field}: Secret Version [${versionName}] is in ${state} state.`); // [G] Secret Manager's access wording
  }
  return problems;
}

/** Whether the account holds an access role on the secret or on its project. */
function mayAccess(emu: Emulator, serviceAccount: string, secretName: string, projectId: string): boolean {
  const policies = emu.store.collection<Policy>('iam.policies');
  const member = `serviceAccount:${serviceAccount}`;
  return [policies[secretName], policies[`projects/${projectId}`]].some((policy) =>
    (policy?.bindings ?? []).some((b) => SECRET_ACCESS_ROLES.has(b.role) && b.members.includes(member) && !b.condition),
  );
}
