// Where the Google client libraries come from: the bundle `npm run build` makes of
// src/gcp/google-libraries.cjs (one file, read and compiled once, ~150 ms less start-up than
// resolving the same modules in node_modules; bench: `npm run bench`), or that file itself where
// nothing was built (a test run from a fresh checkout before `npm run build`). The bundle is read
// through V8's code cache (src/compile-cache.ts).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { requireCached } from '../compile-cache.js';
import { PACKAGE_ROOT } from '../paths.js';

export interface GoogleLibraries {
  gax: typeof import('google-gax');
  runServices: typeof import('@google-cloud/run/build/src/v2/services_client.js');
  runRevisions: typeof import('@google-cloud/run/build/src/v2/revisions_client.js');
  runJobs: typeof import('@google-cloud/run/build/src/v2/jobs_client.js');
  secretManager: typeof import('@google-cloud/secret-manager/build/src/v1/secret_manager_service_client.js');
  artifactRegistry: typeof import('@google-cloud/artifact-registry/build/src/v1/artifact_registry_client.js');
  projects: typeof import('@google-cloud/resource-manager/build/src/v3/projects_client.js');
  serviceUsage: typeof import('@google-cloud/service-usage/build/src/v1/service_usage_client.js');
  cloudScheduler: typeof import('@google-cloud/scheduler/build/src/v1/cloud_scheduler_client.js');
  storage: typeof import('@google-cloud/storage');
  iam: typeof import('@googleapis/iam');
  /** node-fetch 2: what the auth client's gaxios sends through (clients.ts). */
  nodeFetch: typeof fetch;
}

export const LIBRARY_ENTRY = join(PACKAGE_ROOT, 'src', 'gcp', 'google-libraries.cjs');
export const LIBRARY_BUNDLE = join(PACKAGE_ROOT, 'dist', 'vendor', 'google-libraries.cjs');

const require = createRequire(import.meta.url);
let libraries: GoogleLibraries | undefined;

/** The libraries (each loaded on first use of its property). */
export function googleLibraries(): GoogleLibraries {
  libraries ??= (existsSync(LIBRARY_BUNDLE) ? requireCached(LIBRARY_BUNDLE) : require(LIBRARY_ENTRY)) as GoogleLibraries;
  return libraries;
}
